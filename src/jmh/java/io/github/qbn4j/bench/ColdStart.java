package io.github.qbn4j.bench;

import io.github.qbn4j.layer.Plan;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.FracBits;
import java.util.Arrays;

/**
 * Cold start, in a fresh JVM: how long the first calls of a plan take before the JIT has compiled
 * its kernel. Not a JMH benchmark (JMH warms up by design): run once per JVM, e.g.
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp target/benchmarks.jar io.github.qbn4j.bench.ColdStart
 *   java -cp target/benchmarks.jar io.github.qbn4j.bench.ColdStart            (scalar: no module)
 * </pre>
 * Arguments: {@code [shape [calls]]}, default {@code 1x56x56x64 1000}.
 *
 * <p>Prints one line: the kernel, the time to build the layer and compile the plan, the first call,
 * calls 1 to 10, 1 to 100 and 1 to {@code calls} (cumulative, from the first call), the median of the
 * last 100 calls, the first call from which no call takes more than twice that median, and the time from the process's start to the first result (the operating system's
 * start time, to about 10 ms: it includes JVM start-up and class loading). The output of the last call is checked against the float32 kernel.
 */
public final class ColdStart {

    private ColdStart() {
    }

    /**
     * Runs the measurement.
     *
     * @param args {@code [shape [calls]]}
     */
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        String shape = args.length > 0 ? args[0] : "1x56x56x64";
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int[] dims = BenchLayer.dims(shape);
        int channels = dims[dims.length - 1];
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        QuantizedBatchNormalization bn = BenchLayer.layer(channels, true);
        FracBits fb = BenchLayer.inputFracBits(channels, false);
        Plan plan = bn.compile(7, fb, null);
        long compiled = System.nanoTime();
        byte[] in = new byte[n];
        BenchLayer.fillInput(in);
        byte[] out = new byte[n];
        long[] times = new long[calls];
        long firstResultUptime = 0;
        for (int i = 0; i < calls; i++) {
            long s = System.nanoTime();
            plan.apply(in, 0, out, 0, n);
            times[i] = System.nanoTime() - s;
            if (i == 0) {
                firstResultUptime = ProcessHandle.current().info().startInstant()
                        .map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse(-1L);
            }
        }
        byte[] reference = new byte[n];
        plan.withKernel(Plan.Kernel.SCALAR_FLOAT32).apply(in, 0, reference, 0, n);
        int mismatches = 0;
        for (int i = 0; i < n; i++) {
            mismatches += out[i] != reference[i] ? 1 : 0;
        }
        long[] last = Arrays.copyOfRange(times, Math.max(0, calls - 100), calls);
        Arrays.sort(last);
        // the first call from which every call takes at most twice the last 100's median
        int steady = calls;
        while (steady > 0 && times[steady - 1] <= 2 * last[last.length / 2]) {
            steady--;
        }
        System.out.printf("COLD shape=%s kernel=%s compile_ms=%.2f first_ms=%.3f "
                + "first10_ms=%.2f first100_ms=%.2f first%d_ms=%.2f last100_median_us=%.1f "
                + "steady_from_call=%d uptime_at_first_result_ms=%d mismatches=%d%n", shape, plan.kernel(),
                (compiled - t0) / 1e6, times[0] / 1e6, sum(times, 10) / 1e6, sum(times, 100) / 1e6,
                calls, sum(times, calls) / 1e6, last[last.length / 2] / 1e3, steady + 1, firstResultUptime, mismatches);
    }

    private static long sum(long[] times, int count) {
        long s = 0;
        for (int i = 0; i < Math.min(count, times.length); i++) {
            s += times[i];
        }
        return s;
    }
}
