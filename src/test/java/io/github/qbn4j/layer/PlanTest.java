package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.Seeds;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Shape;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeds.class)
class PlanTest {

    private static final QuantConfig PER_AXIS_OQ =
            QuantConfig.defaults().withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_AXIS, 8));

    /** Example 3 of the spec: per-axis output quantizer, saturating channel 2. */
    private static QuantizedBatchNormalization example3() {
        return QuantizedBatchNormalization.builder().gamma(0.8f, -1.2f, 0.3f).beta(0.05f, 0.1f, -0.02f)
                .movingMean(0.5f, -0.25f, 1.0f).movingVariance(0.25f, 1.0f, 0.04f).quantConfig(PER_AXIS_OQ)
                .rangeMax(4.5f, 6.0f, 0.75f).rescalingRate(1f, 1f, 1f).build();
    }

    private static QuantizedBatchNormalization noOutputQuantizer() {
        return QuantizedBatchNormalization.builder().gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f)
                .movingVariance(3.999f, 0.999f).build();
    }

    @Test
    void reproducesExample3OnInt8Buffers() {
        Plan plan = example3().compile(7, FracBits.of(0), null);
        byte[] out = new byte[3];
        plan.apply(new byte[] {3, -5, 7}, 0, out, 0, 3);
        assertThat(out).containsExactly(65, 92, 127);
        assertThat(plan.resultValueBits()).isEqualTo(7);
        assertThat(plan.resultFracBits()).isEqualTo(FracBits.perAxis(4, 4, 7));
        assertThat(plan.resultScales()).isNull();
    }

    @Test
    void applyOnTensorsEqualsCallWithAndWithoutOutputQuantizer() {
        FixedPoint x = FixedPoint.of(Shape.of(1, 2, 3), new int[] {3, -5, 7, -128, 127, 0}, 7, FracBits.of(0));
        QuantizedBatchNormalization bn = example3();
        assertThat(bn.compile(x).apply(x)).isEqualTo(bn.callUncompiled(x));
        FixedPoint y = FixedPoint.of(Shape.of(1, 1, 2, 2), new int[] {10, -20, -7, 33}, 7, FracBits.perAxis(2, 4));
        QuantizedBatchNormalization plain = noOutputQuantizer();
        QTensor expected = plain.callUncompiled(y);
        assertThat(plain.compile(y).apply(y)).isEqualTo(expected);
        assertThat(plain.compile(y).resultScales()).isNotNull();
    }

    @Test
    void compilingRaisesWhatCallRaises() {
        QuantizedBatchNormalization bn = noOutputQuantizer();
        FixedPoint spread = FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 1}, 7, FracBits.perAxis(0, 31));
        assertThatThrownBy(() -> bn.call(spread)).isInstanceOf(QuantizationException.class);
        assertThatThrownBy(() -> bn.compile(spread)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("to upscale");
    }

    @Test
    void rejectsTensorsOfAnotherFormatOrRank() {
        QuantizedBatchNormalization bn = noOutputQuantizer();
        Plan plan = bn.compile(7, FracBits.of(2), null);
        FixedPoint otherFb = FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 1}, 7, FracBits.of(3));
        assertThatThrownBy(() -> plan.apply(otherFb)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("x must have the plan's input format (valueBits 7, fracBits 2, scales null)");
        FixedPoint rank2 = FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.of(2));
        assertThatThrownBy(() -> plan.apply(rank2)).isInstanceOf(QuantizationException.class)
                .hasMessageStartingWith("input rank must be 3 or 4, got 2");
        // axis 3 is fine for rank 4 and refused for rank 3, as call does
        QuantizedBatchNormalization axis3 = QuantizedBatchNormalization.builder().gamma(1f, 2f).axis(3).build();
        Plan p3 = axis3.compile(7, FracBits.of(2), null);
        FixedPoint r3 = FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 1}, 7, FracBits.of(2));
        FixedPoint r4 = FixedPoint.of(Shape.of(1, 1, 1, 2), new int[] {1, 1}, 7, FracBits.of(2));
        assertThat(p3.apply(r4)).isEqualTo(axis3.callUncompiled(r4));
        assertThatThrownBy(() -> axis3.call(r3)).isInstanceOf(QuantizationException.class);
        assertThatThrownBy(() -> p3.apply(r3)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("axis must be in [-3, 2]");
    }

    @Test
    void checksIndicesBeforeWriting() {
        Plan plan = example3().compile(7, FracBits.of(0), null);
        byte[] in = {1, 2, 3, 4, 5, 6};
        byte[] out = filled(6);
        assertThatThrownBy(() -> plan.apply(in, 1, out, 0, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> plan.apply(in, 0, out, 3, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> plan.apply(in, -3, out, 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> plan.apply(in, 0, out, 0, -3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> plan.apply(in, 0, out, 0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("length must be a multiple of the 3 channels (whole pixels), got 4");
        assertThatThrownBy(() -> plan.apply(in, 0, in, 1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("in and out must not overlap");
        assertThatThrownBy(() -> plan.apply((byte[]) null, 0, out, 0, 3)).isInstanceOf(NullPointerException.class)
                .hasMessage("in");
        assertThat(out).containsOnly((byte) 99);
        ByteBuffer direct = ByteBuffer.allocateDirect(6);
        assertThatThrownBy(() -> plan.apply(direct, 1, out, 0, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(out).containsOnly((byte) 99);
    }

    @Test
    void rejectsOutOfRangeInputsByIndexBeforeWriting() {
        // 5 value bits: [-32, 31]
        Plan plan = example3().compile(5, FracBits.of(0), null);
        byte[] out = filled(6);
        assertThatThrownBy(() -> plan.apply(new byte[] {1, 2, 3, 4, 32, 6}, 0, out, 0, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("in must hold integers in [-32, 31] (the plan's 5 input value bits) that float32 holds "
                        + "exactly, got 32 at index 4 (channel 1)");
        assertThat(out).containsOnly((byte) 99);
        long[] wide = new long[3];
        assertThatThrownBy(() -> plan.apply(new int[] {0, -33, 0}, 0, wide, 0, 3))
                .hasMessageContaining("got -33 at index 1");
        assertThatThrownBy(() -> plan.apply(new short[] {0, 0, 300}, 0, wide, 0, 3))
                .hasMessageContaining("got 300 at index 2");
        // a 30-bit input that float32 cannot hold
        Plan wideIn = noOutputQuantizer().compile(30, FracBits.of(0), null);
        assertThatThrownBy(() -> wideIn.apply(new int[] {16777217, 0}, 0, wide, 0, 2))
                .hasMessageContaining("that float32 holds exactly, got 16777217 at index 0");
        assertThat(wide).containsOnly(0L);
    }

    @Test
    void refusesOutputTypesTooNarrowForTheResult() {
        Plan buffer31 = noOutputQuantizer().compile(7, FracBits.of(2), null);
        byte[] in = {10, -20};
        assertThatThrownBy(() -> buffer31.apply(in, 0, new int[2], 0, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("out must hold results in [-2^31, 2147483648] (the buffer's 31 value bits (no output "
                        + "quantizer)), got int[], which holds 30 value bits: quantizeml clips 31-bit values at "
                        + "float32(2^31 - 1) = +2^31, one past Integer.MAX_VALUE; use long[]");
        assertThatThrownBy(() -> buffer31.apply(in, 0, new byte[2], 0, 2)).hasMessageContaining("got byte[]");
        long[] wide = new long[2];
        buffer31.apply(in, 0, wide, 0, 2);
        assertThat(wide).containsExactly(320, -1780);
        // a 24-bit buffer fits an int
        QuantizedBatchNormalization b24 = QuantizedBatchNormalization.builder().gamma(1f, 2f).beta(0.5f, -1f)
                .movingMean(1f, -2f).movingVariance(3.999f, 0.999f)
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(25)).build();
        int[] ints = new int[2];
        b24.compile(7, FracBits.of(2), null).apply(in, 0, ints, 0, 2);
        assertThat(ints).containsExactly(320, -1780);
        // a 16-bit output quantizer needs short[] or wider
        QuantizedBatchNormalization oq16 = QuantizedBatchNormalization.builder().gamma(1f, 2f)
                .quantConfig(QuantConfig.defaults().withOutputQuantizer(OutputQuantizer.of(16, true, Axis.PER_TENSOR, 8)))
                .rangeMax(8f).build();
        Plan p16 = oq16.compile(7, FracBits.of(2), null);
        assertThatThrownBy(() -> p16.apply(in, 0, ByteBuffer.allocate(2), 0, 2)).hasMessageContaining("holds 7 value bits");
        short[] shorts = new short[2];
        p16.apply(in, 0, shorts, 0, 2);
        long[] ref = oq16.callUncompiled(FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2))).copyValues();
        assertThat(new long[] {shorts[0], shorts[1]}).containsExactly(ref);
    }

    @Test
    void refusesReadOnlyOutputBuffers() {
        Plan plan = example3().compile(7, FracBits.of(0), null);
        ByteBuffer ro = ByteBuffer.allocate(3).asReadOnlyBuffer();
        assertThatThrownBy(() -> plan.apply(new byte[3], 0, ro, 0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("out must be a writable ByteBuffer, got a read-only one");
    }

    @Test
    void byteBuffersHeapDirectAndReadOnlyGiveTheArrayResults() {
        Plan plan = example3().compile(7, FracBits.of(0), null);
        SplittableRandom r = Seeds.random("PlanTest/byte-buffers");
        int n = 3 * 5000;
        byte[] in = new byte[n];
        for (int i = 0; i < n; i++) {
            in[i] = (byte) r.nextInt(-128, 128);
        }
        byte[] expected = new byte[n];
        plan.apply(in, 0, expected, 0, n);
        for (ByteBuffer src : new ByteBuffer[] {ByteBuffer.wrap(in), direct(in), ByteBuffer.wrap(in).asReadOnlyBuffer()}) {
            for (ByteBuffer dst : new ByteBuffer[] {ByteBuffer.allocate(n + 2), ByteBuffer.allocateDirect(n + 2)}) {
                plan.apply(src, 0, dst, 2, n);
                byte[] got = new byte[n];
                dst.get(2, got, 0, n);
                assertThat(got).as(src + " -> " + dst).isEqualTo(expected);
                assertThat(dst.position()).isZero();
            }
            byte[] got = new byte[n];
            plan.apply(src, 0, got, 0, n);
            assertThat(got).isEqualTo(expected);
            long[] wide = new long[n];
            plan.apply(src, 0, wide, 0, n);
            for (int i = 0; i < n; i++) {
                assertThat(wide[i]).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void countsSaturationsPerChannel() {
        // channel 2 of example 3 saturates at the output for x = 7 (result 127)
        Plan plan = example3().compile(7, FracBits.of(0), null);
        SaturationCounts counts = new SaturationCounts(3);
        byte[] out = new byte[6];
        plan.counting(counts).apply(new byte[] {3, -5, 7, 0, 0, 7}, 0, out, 0, 6);
        assertThat(out).containsExactly(65, 92, 127, out[3], out[4], 127);
        assertThat(counts.output(2)).isEqualTo(2);
        assertThat(counts.output(0)).isZero();
        assertThat(counts.bufferTotal()).isZero();
        assertThat(plan.counting(counts).kernel()).isEqualTo(Plan.Kernel.SCALAR_FLOAT32);
        // an 8-bit buffer saturates x * a
        QuantizedBatchNormalization narrow = QuantizedBatchNormalization.builder().gamma(1f, 1f)
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(8)).build();
        SaturationCounts c2 = new SaturationCounts(2);
        long[] y = new long[2];
        narrow.compile(7, FracBits.of(0), null).counting(c2).apply(new byte[] {127, 1}, 0, y, 0, 2);
        assertThat(y).containsExactly(127, 127);
        assertThat(c2.buffer(0)).isEqualTo(1);
        assertThat(c2.buffer(1)).isZero();
        assertThatThrownBy(() -> plan.counting(new SaturationCounts(2))).hasMessage("counts must have 3 channels, got 2");
    }

    @Test
    void parallelApplyGivesTheSequentialBitsAndCounts() throws Exception {
        QuantizedBatchNormalization bn = PlanPropertyTest.randomLayer(Seeds.random("PlanTest/parallel-layer"), 24, 32);
        Plan plan = bn.compile(7, FracBits.of(3), null);
        int n = 24 * 20_000;
        int[] in = new int[n];
        SplittableRandom r = Seeds.random("PlanTest/parallel-input");
        for (int i = 0; i < n; i++) {
            in[i] = r.nextInt(-128, 128);
        }
        long[] sequential = new long[n];
        SaturationCounts c1 = new SaturationCounts(24);
        plan.counting(c1).apply(in, 0, sequential, 0, n);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int tasks = 1; tasks <= 5; tasks++) {
                long[] parallel = new long[n];
                plan.parallel(pool, tasks).apply(in, 0, parallel, 0, n);
                assertThat(parallel).isEqualTo(sequential);
            }
            SaturationCounts c2 = new SaturationCounts(24);
            long[] counted = new long[n];
            plan.counting(c2).parallel(pool, 4).apply(in, 0, counted, 0, n);
            assertThat(counted).isEqualTo(sequential);
            assertThat(c2.toString()).isEqualTo(c1.toString());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void parallelApplyRunsTheTasksAnExecutorRefusesOnTheCaller() {
        Plan plan = example3().compile(7, FracBits.of(0), null);
        int n = 3 * 100_000;
        byte[] in = new byte[n];
        byte[] out = new byte[n];
        byte[] sequential = new byte[n];
        plan.apply(in, 0, sequential, 0, n);
        Arrays.fill(out, (byte) 0x5A);
        // a refusal is not a failure (issue 11): the caller does the refused runs, the output is complete
        plan.parallel(task -> {
            throw new RejectedExecutionException("full");
        }, 4).apply(in, 0, out, 0, n);
        assertThat(out).isEqualTo(sequential);
        assertThatThrownBy(() -> plan.parallel(Runnable::run, 0)).hasMessage("tasks must be >= 1, got 0");
    }

    @Test
    void choosesScalarKernelsWithoutTheVectorModule() {
        assertThat(Plan.choose(false, true)).isEqualTo(Plan.Kernel.SCALAR_INTEGER);
        assertThat(Plan.choose(false, false)).isEqualTo(Plan.Kernel.SCALAR_FLOAT32);
        assertThat(Plan.choose(true, true)).isEqualTo(Plan.Kernel.VECTOR_INTEGER);
        assertThat(Plan.choose(true, false)).isEqualTo(Plan.Kernel.VECTOR_FLOAT32);
    }

    @Test
    void refusesAnIntegerKernelThatIsNotProven() {
        // 24-bit inputs times a = 127 pass 2^24: float32 rounds, so the integer form is not exact
        Plan plan = QuantizedBatchNormalization.builder().gamma(1f, 1f).build().compile(24, FracBits.of(0), null);
        assertThat(plan.integerKernelProven()).isFalse();
        assertThat(plan.integerKernelVerdict()).startsWith("an intermediate may pass 16777216 at channel 0");
        assertThatThrownBy(() -> plan.withKernel(Plan.Kernel.SCALAR_INTEGER)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("integer bound fails");
        long[] out = new long[2];
        plan.apply(new int[] {16777215, -16777216}, 0, out, 0, 2);
        assertThat(out).containsExactly(2130706304L, -2130706432L); // the reference's float32 rounding
    }

    @Test
    void applyAllocatesNothingOnArrays() throws ReflectiveOperationException {
        // com.sun.management through reflection: the tests compile inside the module, which does not
        // read jdk.management, and run on the class path, where it is readable.
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> sunBean = Class.forName("com.sun.management.ThreadMXBean");
        if (!sunBean.isInstance(bean) || !(Boolean) sunBean.getMethod("isThreadAllocatedMemoryEnabled").invoke(bean)) {
            return; // not measurable on this JVM; JMH -prof gc covers it
        }
        Method allocatedBytes = sunBean.getMethod("getThreadAllocatedBytes", long.class);
        Plan plan = example3().compile(7, FracBits.of(0), null);
        int n = 3 * 100;
        byte[] in = new byte[n];
        byte[] out = new byte[n];
        int[] ints = new int[n];
        long[] longs = new long[n];
        ByteBuffer directIn = ByteBuffer.allocateDirect(n);
        ByteBuffer directOut = ByteBuffer.allocateDirect(n);
        for (Plan p : new Plan[] {plan, plan.withKernel(Plan.Kernel.SCALAR_FLOAT32)}) {
            // Until the JIT has compiled the loops (and, for the vector kernels, replaced the vector
            // objects by registers) a call may allocate; once compiled, a batch of calls must not. On a
            // loaded machine C2 can take many rounds to get there, hence the generous round limit.
            long tid = Thread.currentThread().getId();
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 400 && allocated >= 1000; round++) {
                long before = (Long) allocatedBytes.invoke(bean, tid);
                for (int i = 0; i < 1000; i++) {
                    run(p, in, out, ints, longs, directIn, directOut);
                }
                allocated = (Long) allocatedBytes.invoke(bean, tid) - before;
            }
            // the reflective measurement itself allocates a little; 4000 applies allocating would show
            assertThat(allocated).as("bytes allocated by 4000 applies with " + p.kernel()).isLessThan(1000);
        }
    }

    private static void run(Plan p, byte[] in, byte[] out, int[] ints, long[] longs, ByteBuffer dIn, ByteBuffer dOut) {
        p.apply(in, 0, out, 0, in.length);
        p.apply(ints, 0, longs, 0, ints.length);
        p.apply(dIn, 0, dOut, 0, in.length);
        p.apply(in, 0, longs, 0, in.length);
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 99);
        return b;
    }

    private static ByteBuffer direct(byte[] values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length);
        b.put(0, values);
        return b;
    }

    @Test
    void relativeByteBufferApplyHonoursPositionAndLimitLikeNio() {
        Plan plan = example3().compile(io.github.qbn4j.tensor.Format.int8(0));
        ByteBuffer in = ByteBuffer.wrap(new byte[] {9, 9, 3, -5, 7, 3, -5, 7, 9});
        in.position(2).limit(8); // two pixels
        ByteBuffer out = ByteBuffer.allocateDirect(10);
        out.position(1);
        plan.apply(in, out);
        assertThat(in.position()).isEqualTo(8);
        assertThat(in.remaining()).isZero();
        assertThat(out.position()).isEqualTo(7);
        byte[] got = new byte[10];
        out.get(0, got);
        assertThat(got).containsExactly(0, 65, 92, 127, 65, 92, 127, 0, 0, 0);
    }

    @Test
    void relativeByteBufferApplyRunsInPlaceOnOneBuffer() {
        Plan plan = example3().compile(7, FracBits.of(0), null);
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {3, -5, 7, 3, -5, 7});
        buf.position(3);
        plan.apply(buf, buf);
        assertThat(buf.position()).isEqualTo(6);
        assertThat(buf.array()).containsExactly(3, -5, 7, 65, 92, 127);
    }

    @Test
    void relativeByteBufferApplyChecksBeforeWritingOrMoving() {
        Plan plan = example3().compile(7, FracBits.of(0), null);
        ByteBuffer in = ByteBuffer.wrap(new byte[] {3, -5, 7, 3, -5, 7});
        ByteBuffer small = ByteBuffer.allocate(5);
        assertThatThrownBy(() -> plan.apply(in, small)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("out must have at least in.remaining() = 6 elements remaining, got 5");
        in.limit(5);
        ByteBuffer out = ByteBuffer.allocate(6);
        assertThatThrownBy(() -> plan.apply(in, out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("length must be a multiple of the 3 channels (whole pixels), got 5");
        assertThatThrownBy(() -> plan.apply(in.limit(6), out.asReadOnlyBuffer()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("out must be a writable ByteBuffer, got a read-only one");
        assertThat(in.position()).isZero();
        assertThat(out.position()).isZero();
        assertThat(out.array()).containsOnly(0);
        assertThatThrownBy(() -> plan.apply((ByteBuffer) null, out)).isInstanceOf(NullPointerException.class)
                .hasMessage("in");
    }

    @Test
    void tensorApplyGivesTheSameBitsOnInt8AndFloat32Storage() {
        QuantizedBatchNormalization bn = example3();
        Plan plan = bn.compile(io.github.qbn4j.tensor.Format.int8(0));
        Shape shape = Shape.of(1, 2, 3);
        FixedPoint bytes = FixedPoint.of(shape, new byte[] {3, -5, 7, -128, 127, 0}, 7, FracBits.of(0));
        // the same values made by an operation, so stored as float32
        FixedPoint floats = FixedPoint.of(shape, new int[] {6, -10, 14, -256, 254, 0}, 15, FracBits.of(1))
                .rescale(FracBits.of(0), 7);
        assertThat(floats).isEqualTo(bytes);
        QTensor expected = bn.callUncompiled(bytes);
        assertThat(plan.apply(bytes)).isEqualTo(expected);
        assertThat(plan.apply(floats)).isEqualTo(expected);
        assertThat(bn.call(floats)).isEqualTo(expected);
        // the first pixel is example 3 of the spec (quantizeml 0.5.2's output)
        assertThat(Arrays.copyOf(expected.copyValuesAsInt(), 3)).containsExactly(65, 92, 127);
    }
}
