package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.Seeds;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One layer and one plan shared by 8 threads, 10^4 calls each on different inputs, give exactly the
 * results one thread computes: {@link QuantizedBatchNormalization} and {@link Plan} say they are
 * immutable and thread-safe, and this holds them to it (the plan's per-thread scratch included).
 */
@ExtendWith(Seeds.class)
class ConcurrencyTest {

    private static final int THREADS = 8;
    private static final int CALLS = 10_000;
    private static final int INPUTS = 10_000;
    private static final Shape SHAPE = Shape.of(1, 2, 2, 3);
    private static final FracBits FRAC_BITS = FracBits.perAxis(2, 4, 3);

    private static QuantizedBatchNormalization layer() {
        return QuantizedBatchNormalization.builder().name("shared")
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(20)
                        .withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_AXIS, 8)))
                .gamma(0.8f, -1.2f, 0.3f).beta(0.05f, 0.1f, -0.02f).movingMean(0.5f, -0.25f, 1f)
                .movingVariance(0.25f, 1f, 0.04f).rangeMax(4.5f, 6f, 0.75f)
                .build();
    }

    /** Distinct inputs: 7-bit values, seeded. */
    private static byte[][] inputs() {
        SplittableRandom r = Seeds.random("concurrency");
        byte[][] in = new byte[INPUTS][SHAPE.size()];
        for (byte[] x : in) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (byte) r.nextInt(-128, 128);
            }
        }
        return in;
    }

    private static FixedPoint tensor(byte[] values) {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return FixedPoint.of(SHAPE, v, 7, FRAC_BITS);
    }

    /** Runs {@code work(thread)} on 8 threads released together; returns how many results differed. */
    private static long onEightThreads(ThreadWork work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Callable<Long> task = () -> {
                    start.await();
                    return work.run(thread);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            long mismatches = 0;
            for (Future<Long> f : futures) {
                mismatches += f.get(120, TimeUnit.SECONDS);
            }
            return mismatches;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ThreadWork {
        long run(int thread) throws Exception;
    }

    /** Thread {@code t}'s {@code i}-th call uses this input: every thread walks the inputs in its own order. */
    private static int inputOf(int thread, int call) {
        return (int) ((call * 7L + thread * 131L) % INPUTS);
    }

    @Test
    void oneLayerSharedByEightThreadsGivesTheSingleThreadedResults() throws Exception {
        QuantizedBatchNormalization bn = layer();
        byte[][] in = inputs();
        FixedPoint[] x = new FixedPoint[INPUTS];
        QTensor[] expected = new QTensor[INPUTS];
        for (int i = 0; i < INPUTS; i++) {
            x[i] = tensor(in[i]);
            expected[i] = bn.callUncompiled(x[i]);
        }
        long mismatches = onEightThreads(thread -> {
            long bad = 0;
            for (int i = 0; i < CALLS; i++) {
                int k = inputOf(thread, i);
                if (!bn.call(x[k]).equals(expected[k])) {
                    bad++;
                }
            }
            return bad;
        });
        assertThat(mismatches).isZero();
    }

    @Test
    void onePlanSharedByEightThreadsGivesTheSingleThreadedResults() throws Exception {
        QuantizedBatchNormalization bn = layer();
        Plan plan = bn.compile(7, FRAC_BITS, null);
        byte[][] in = inputs();
        byte[][] expected = new byte[INPUTS][];
        for (int i = 0; i < INPUTS; i++) {
            expected[i] = new byte[SHAPE.size()];
            plan.apply(in[i], 0, expected[i], 0, SHAPE.size());
            // the single-threaded plan is the reference path itself
            long[] reference = bn.callUncompiled(tensor(in[i])).copyValues();
            for (int j = 0; j < reference.length; j++) {
                assertThat((long) expected[i][j]).isEqualTo(reference[j]);
            }
        }
        Plan floatKernel = plan.withKernel(Plan.Kernel.SCALAR_FLOAT32);
        long mismatches = onEightThreads(thread -> {
            long bad = 0;
            byte[] out = new byte[SHAPE.size()];
            short[] wide = new short[SHAPE.size()];
            for (int i = 0; i < CALLS; i++) {
                int k = inputOf(thread, i);
                // alternate the fused int8 path, the widening path (per-thread scratch) and another kernel
                switch (i % 3) {
                    case 0:
                        plan.apply(in[k], 0, out, 0, out.length);
                        break;
                    case 1:
                        plan.apply(in[k], 0, wide, 0, wide.length);
                        for (int j = 0; j < out.length; j++) {
                            out[j] = (byte) wide[j];
                        }
                        break;
                    default:
                        floatKernel.apply(in[k], 0, out, 0, out.length);
                        break;
                }
                if (!Arrays.equals(out, expected[k])) {
                    bad++;
                }
            }
            return bad;
        });
        assertThat(mismatches).isZero();
    }
}
