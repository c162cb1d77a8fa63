package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.qbn4j.BadInputTable;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bad-input class of {@link QuantConfig#fromMap}, the layer's builder, {@code call}, {@code fold},
 * {@code compile} and {@link Plan}'s {@code apply} on every buffer kind, with the exception and message
 * each gives (the {@code layer} rows of the table in {@code TESTING.md}); and, for all 25 buffer
 * overloads of {@code apply}, that a rejected call leaves the caller's output buffer as it was.
 */
class BadInputTest {

    private static final Shape S = Shape.of(1, 1, 2);

    private static QuantizedBatchNormalization.Builder layer() {
        return QuantizedBatchNormalization.builder().name("bn1")
                .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f);
    }

    private static QuantizedBatchNormalization withOutput() {
        return layer().quantConfig(QuantConfig.defaults()
                .withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8))).rangeMax(8f).build();
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @TestFactory
    Stream<DynamicTest> rejects() {
        QuantizedBatchNormalization bn = layer().build();
        QuantizedBatchNormalization bnOut = withOutput();
        FixedPoint x = FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.of(2));
        Plan plan = bnOut.compile(5, FracBits.of(2), null);  // int8 results, 5-bit inputs
        Plan wide = bn.compile(7, FracBits.of(2), null);     // 31-bit results (the buffer)
        byte[] b8 = new byte[8];
        return new BadInputTable("layer.BadInputTest")
                .add("QuantConfig.fromMap", "unknown key", "IllegalArgumentException",
                        "quant_config key must be one of [a_quantizer, b_quantizer, buffer_bitwidth, output_quantizer], got unknown key \"buffer_bits\"", () -> QuantConfig.fromMap(map("buffer_bits", 32)))
                .add("QuantConfig.fromMap", "buffer bitwidth out of range (0)", "QuantizationException (ValueError)",
                        "quant_config buffer_bitwidth must be >= 1, got 0",
                        () -> QuantConfig.fromMap(map("buffer_bitwidth", 0)))
                .add("QuantConfig.fromMap", "buffer bitwidth out of range (33)", "IllegalArgumentException",
                        "quant_config buffer_bitwidth must be <= 32 (qbn4j supports at most 31 value bits), got 33",
                        () -> QuantConfig.fromMap(map("buffer_bitwidth", 33)))
                .add("QuantConfig.fromMap", "buffer bitwidth 2^70 (a BigInteger, not narrowed)", "IllegalArgumentException",
                        "quant_config buffer_bitwidth must be <= 32 (qbn4j supports at most 31 value bits), got 1180591620717411303424",
                        () -> QuantConfig.fromMap(map("buffer_bitwidth", java.math.BigInteger.ONE.shiftLeft(70))))
                .add("QuantConfig.fromMap", "non-int buffer bitwidth (\"32\")", "QuantizationException (TypeError)",
                        "quant_config buffer_bitwidth must be an int, got 32",
                        () -> QuantConfig.fromMap(map("buffer_bitwidth", "32")))
                .add("QuantConfig.fromMap", "null quantizer section", "QuantizationException (TypeError)",
                        "quant_config a_quantizer must be a dict, got None",
                        () -> QuantConfig.fromMap(map("a_quantizer", null)))
                .add("QuantConfig.fromMap", "quantizer section not a dict", "IllegalArgumentException",
                        "quant_config b_quantizer must be a dict, got [8]",
                        () -> QuantConfig.fromMap(map("b_quantizer", List.of(8))))
                .add("QuantConfig.fromMap", "quantizer bitwidth out of range (1)", "QuantizationException (ValueError)",
                        "WeightQuantizer bitwidth must be an int >= 2, got 1",
                        () -> QuantConfig.fromMap(map("a_quantizer", map("bitwidth", 1))))
                .add("QuantConfig.fromMap", "output quantizer bitwidth out of range (40)", "IllegalArgumentException",
                        "OutputQuantizer bitwidth must be <= 32 (qbn4j supports at most 31 value bits), got 40",
                        () -> QuantConfig.fromMap(map("output_quantizer", map("bitwidth", 40))))
                .add("QuantConfig.fromMap", "null key", "NullPointerException",
                        "quant_config key", () -> QuantConfig.fromMap(map(null, 1)))
                .add("builder().build", "no parameter (null)", "NullPointerException",
                        "gamma (or another parameter vector, to give the channel count)", () -> QuantizedBatchNormalization.builder().build())
                .add("builder().gamma", "null", "NullPointerException",
                        "gamma", () -> QuantizedBatchNormalization.builder().gamma((float[]) null))
                .add("builder().quantConfig", "null", "NullPointerException",
                        "quantConfig", () -> QuantizedBatchNormalization.builder().quantConfig(null))
                .add("builder().build", "no channel", "IllegalArgumentException",
                        "gamma must have at least 1 element, got 0 (layer \"quantized_batch_normalization\")", () -> QuantizedBatchNormalization.builder().gamma().build())
                .add("builder().build", "wrong channel count (beta)", "IllegalArgumentException",
                        "beta must have 2 elements (the channel count given by gamma), got 1", () -> layer().beta(1f).build())
                .add("builder().build", "wrong channel count (moving mean)", "IllegalArgumentException",
                        "movingMean must have 2 elements (the channel count given by gamma), got 1",
                        () -> layer().movingMean(1f).build())
                .add("builder().build", "wrong channel count (moving variance)", "IllegalArgumentException",
                        "movingVariance must have 2 elements (the channel count given by gamma), got 3",
                        () -> layer().movingVariance(1f, 1f, 1f).build())
                .add("builder().build", "NaN beta", "IllegalArgumentException",
                        "beta must be finite, got NaN at index 0", () -> layer().beta(Float.NaN, 0f).build())
                .add("builder().build", "infinite moving variance", "IllegalArgumentException",
                        "movingVariance must be finite, got Infinity at index 1",
                        () -> layer().movingVariance(1f, Float.POSITIVE_INFINITY).build())
                .add("builder().build", "NaN gamma", "IllegalArgumentException",
                        "gamma must be finite, got NaN at index 1", () -> layer().gamma(1f, Float.NaN).build())
                .add("builder().build", "infinite moving mean", "IllegalArgumentException",
                        "movingMean must be finite, got -Infinity at index 0",
                        () -> layer().movingMean(Float.NEGATIVE_INFINITY, 0f).build())
                .add("builder().build", "NaN epsilon", "IllegalArgumentException",
                        "epsilon must be finite, got NaN", () -> layer().epsilon(Double.NaN).build())
                .add("builder().build", "variance + epsilon not positive", "IllegalArgumentException",
                        "moving_variance + epsilon must be > 0 in float32, got -1.0 + 0.001 = -0.999 at channel 1 (layer \"bn1\")",
                        () -> layer().movingVariance(1f, -1f).build())
                .add("builder().build", "variance + epsilon zero in float32", "IllegalArgumentException",
                        "moving_variance + epsilon must be > 0 in float32, got -0.001 + 0.001 = 0.0 at channel 1 (layer \"bn1\")",
                        () -> layer().movingVariance(1f, -0.001f).build())
                .add("builder().build", "a overflows float32", "IllegalArgumentException",
                        "a = gamma * rsqrt(moving_variance + epsilon) must be finite, got Infinity at index 0",
                        () -> layer().gamma(3e38f, 1f).movingVariance(1e-30f, 1f).epsilon(0).build())
                .add("builder().build", "b overflows float32", "IllegalArgumentException",
                        "b = beta - moving_mean * gamma * rsqrt(moving_variance + epsilon) must be finite, got -Infinity at index 0",
                        () -> layer().movingMean(3e38f, 1f).gamma(3e38f, 1f).build())
                .add("builder().build", "range max without output quantizer", "IllegalArgumentException",
                        "rangeMax and rescalingRate must not be set without an output_quantizer in quant_config, got [8.0] and null (layer \"bn1\")",
                        () -> layer().rangeMax(8f).build())
                .add("builder().build", "NaN range max", "IllegalArgumentException",
                        "rangeMax must be finite and >= 0, got NaN at index 0", () -> layer().quantConfig(QuantConfig.defaults()
                        .withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8))).rangeMax(Float.NaN).build())
                .add("builder().build", "wrong channel count (per-axis range max)", "IllegalArgumentException",
                        "per-axis output quantizer variables must have one element per channel (2), got 3",
                        () -> layer().quantConfig(QuantConfig.defaults()
                                .withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_AXIS, 8)))
                                .rangeMax(1f, 2f, 3f).build())
                .add("builder().axes", "no axis", "IllegalArgumentException",
                        "axes must have at least 1 element, got 0", () -> QuantizedBatchNormalization.builder().axes())
                .add("call", "null", "NullPointerException",
                        "x", () -> bn.call(null))
                .add("call", "wrong rank (2)", "QuantizationException (ValueError)",
                        "input rank must be 3 or 4, got 2 (shape [1, 2], layer \"bn1\")",
                        () -> bn.call(FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.of(0))))
                .add("call", "wrong rank (5)", "IllegalArgumentException",
                        "rank must be in [0, 4], got 5 (shape [1, 1, 1, 1, 2])",
                        () -> bn.call(FixedPoint.of(Shape.of(1, 1, 1, 1, 2), new int[] {1, 1}, 7, FracBits.of(0))))
                .add("call", "wrong channel count", "IllegalArgumentException",
                        "input has 3 channels, expected 2 (layer \"bn1\")",
                        () -> bn.call(FixedPoint.of(Shape.of(1, 1, 3), new int[] {1, 1, 1}, 7, FracBits.of(0))))
                .add("call", "value bits above the buffer", "QuantizationException (ValueError)",
                        "input value bits must be <= the 15 value bits of the buffer (buffer_bitwidth 16), got 16 (layer \"bn1\")",
                        () -> layer().quantConfig(QuantConfig.defaults().withBufferBitwidth(16)).build()
                                .call(FixedPoint.of(S, new int[] {1, 1}, 16, FracBits.of(0))))
                .add("call", "frac-bit spread >= buffer value bits (31)", "QuantizationException (InvalidArgumentError)",
                        "shift must be < 31 (the value bits) to upscale without always saturating, got 31 at channel 0 (fracBits 0 -> 31)",
                        () -> bn.call(FixedPoint.of(S, new int[] {1, 1}, 7, FracBits.perAxis(0, 31))))
                .add("call", "per-axis QFloat input", "QuantizationException (InvalidArgumentError)",
                        "x must be per-tensor, got per-axis fracBits 2 and scales [0.5, 0.25]",
                        () -> bn.call(QFloat.of(x, Scales.perAxis(0.5f, 0.25f))))
                .add("call", "axis not the last (list [1, 3])", "QuantizationException (ValueError)",
                        "axis must be the last dimension (3), got [1, 3] (layer \"bn1\")",
                        () -> layer().axes(1, 3).build().call(FixedPoint.of(Shape.of(1, 1, 1, 2), new int[] {1, 1}, 7,
                                FracBits.of(0))))
                .add("call", "axis out of range (5)", "QuantizationException (ValueError)",
                        "axis must be in [-3, 2] for rank 3 inputs, got [5] (layer \"bn1\")", () -> layer().axis(5).build().call(x))
                .add("call", "output quantizer as wide as the buffer", "QuantizationException (ValueError)",
                        "input value bits must be > the 7 output value bits (quantizing to as many bits or more is pointless), got 7",
                        () -> layer().quantConfig(QuantConfig.fromMap(map("buffer_bitwidth", 8,
                                "output_quantizer", map("bitwidth", 8)))).rangeMax(8f).build().call(x))
                .add("fold", "null frac bits", "NullPointerException",
                        "fracBits", () -> bn.fold(7, null, null))
                .add("fold", "wrong channel count (frac bits)", "IllegalArgumentException",
                        "per-axis fracBits must have one entry per channel (2 for shape [1, 1, 2]), got 3", () -> bn.fold(7, FracBits.perAxis(1, 2, 3), null))
                .add("fold", "value bits out of range (40)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got 40", () -> bn.fold(40, FracBits.of(0), null))
                .add("fold", "value bits above a 32-bit buffer (32)", "QuantizationException (ValueError)",
                        "input value bits must be <= the 31 value bits of the buffer (buffer_bitwidth 32), got 32 (layer \"bn1\")",
                        () -> bn.fold(32, FracBits.of(0), null))
                .add("fold", "value bits above the buffer", "QuantizationException (ValueError)",
                        "input value bits must be <= the 7 value bits of the buffer (buffer_bitwidth 8), got 8 (layer \"bn1\")",
                        () -> layer().quantConfig(QuantConfig.defaults().withBufferBitwidth(8)).build()
                                .fold(8, FracBits.of(0), null))
                .add("compile", "per-axis scales (QFloat format)", "QuantizationException (InvalidArgumentError)",
                        "x must be per-tensor, got per-axis fracBits 2 and scales [0.5, 0.25]",
                        () -> bn.compile(7, FracBits.of(2), Scales.perAxis(0.5f, 0.25f)))
                .add("compile", "frac-bit spread >= buffer value bits (31)", "QuantizationException (InvalidArgumentError)",
                        "shift must be < 31 (the value bits) to upscale without always saturating, got 31 at channel 0 (fracBits 0 -> 31)",
                        () -> bn.compile(7, FracBits.perAxis(0, 31), null))
                .add("compile", "wrong channel count (scales)", "IllegalArgumentException",
                        "per-axis scales must have one entry per channel (2), got 3",
                        () -> bn.compile(7, FracBits.of(2), Scales.perAxis(0.5f, 0.5f, 0.5f)))
                .add("Plan.apply(QTensor)", "null", "NullPointerException",
                        "x", () -> plan.apply((QTensor) null))
                .add("Plan.apply(QTensor)", "wrong rank (2)", "QuantizationException (ValueError)",
                        "input rank must be 3 or 4, got 2 (shape [1, 2], layer \"bn1\")",
                        () -> plan.apply(FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 5, FracBits.of(2))))
                .add("Plan.apply(QTensor)", "wrong channel count", "IllegalArgumentException",
                        "input has 3 channels, expected 2 (layer \"bn1\")",
                        () -> plan.apply(FixedPoint.of(Shape.of(1, 1, 3), new int[] {1, 1, 1}, 5, FracBits.of(2))))
                .add("Plan.apply(QTensor)", "another input format", "IllegalArgumentException",
                        "x must have the plan's input format (valueBits 5, fracBits 2, scales null), got valueBits 7, fracBits 2, scales null", () -> plan.apply(x))
                .add("Plan.apply(byte[], byte[])", "null input", "NullPointerException",
                        "in", () -> plan.apply((byte[]) null, 0, b8, 0, 2))
                .add("Plan.apply(byte[], byte[])", "null output", "NullPointerException",
                        "out", () -> plan.apply(b8, 0, (byte[]) null, 0, 2))
                .add("Plan.apply(byte[], byte[])", "offset out of range (negative)", "IndexOutOfBoundsException",
                        "Range [-1, -1 + 2) out of bounds for length 8",
                        () -> plan.apply(b8, -1, new byte[8], 0, 2))
                .add("Plan.apply(byte[], byte[])", "offset out of range (past the end)", "IndexOutOfBoundsException",
                        "Range [7, 7 + 2) out of bounds for length 8",
                        () -> plan.apply(b8, 0, new byte[8], 7, 2))
                .add("Plan.apply(byte[], byte[])", "output buffer too small", "IndexOutOfBoundsException",
                        "Range [0, 0 + 6) out of bounds for length 4",
                        () -> plan.apply(b8, 0, new byte[4], 0, 6))
                .add("Plan.apply(byte[], byte[])", "length not whole pixels", "IllegalArgumentException",
                        "length must be a multiple of the 2 channels (whole pixels), got 3",
                        () -> plan.apply(b8, 0, new byte[8], 0, 3))
                .add("Plan.apply(byte[], byte[])", "value bits above the input format (100 with 5)", "IllegalArgumentException",
                        "in must hold integers in [-32, 31] (the plan's 5 input value bits) that float32 holds exactly, got 100 at index 3 (channel 1)",
                        () -> plan.apply(new byte[] {1, 2, 3, 100}, 0, new byte[4], 0, 4))
                .add("Plan.apply(byte[], byte[])", "in and out overlap", "IllegalArgumentException",
                        "in and out must not overlap unless at the same offset, got offsets 0 and 2 for length 4", () -> plan.apply(b8, 0, b8, 2, 4))
                .add("Plan.apply(byte[], byte[])", "output type too narrow (31-bit results)", "IllegalArgumentException",
                        "out must hold results in [-2^31, 2147483648] (the buffer's 31 value bits (no output quantizer)), got byte[], which holds 7 value bits; use a wider output array",
                        () -> wide.apply(b8, 0, new byte[8], 0, 2))
                .add("Plan.apply(byte[], short[])", "output type too narrow (31-bit results)", "IllegalArgumentException",
                        "out must hold results in [-2^31, 2147483648] (the buffer's 31 value bits (no output quantizer)), got short[], which holds 15 value bits; use a wider output array",
                        () -> wide.apply(b8, 0, new short[8], 0, 2))
                .add("Plan.apply(byte[], int[])", "output type too narrow (31-bit results)", "IllegalArgumentException",
                        "out must hold results in [-2^31, 2147483648] (the buffer's 31 value bits (no output quantizer)), got int[], which holds 30 value bits: quantizeml clips 31-bit values at float32(2^31 - 1) = +2^31, one past Integer.MAX_VALUE; use long[]",
                        () -> wide.apply(b8, 0, new int[8], 0, 2))
                .add("Plan.apply(byte[], ByteBuffer)", "output type too narrow (31-bit results)", "IllegalArgumentException",
                        "out must hold results in [-2^31, 2147483648] (the buffer's 31 value bits (no output quantizer)), got ByteBuffer, which holds 7 value bits; use a wider output array",
                        () -> wide.apply(b8, 0, ByteBuffer.allocate(8), 0, 2))
                .add("Plan.apply(byte[], ByteBuffer)", "read-only output buffer", "IllegalArgumentException",
                        "out must be a writable ByteBuffer, got a read-only one",
                        () -> plan.apply(b8, 0, ByteBuffer.allocate(8).asReadOnlyBuffer(), 0, 2))
                .add("Plan.apply(ByteBuffer, ByteBuffer)", "offset out of range (past the limit)", "IndexOutOfBoundsException",
                        "Range [2, 2 + 4) out of bounds for length 4",
                        () -> plan.apply(ByteBuffer.allocate(8).limit(4), 2, ByteBuffer.allocate(8), 0, 4))
                .add("Plan.apply(ByteBuffer, byte[])", "value bits above the input format (-100 with 5)", "IllegalArgumentException",
                        "in must hold integers in [-32, 31] (the plan's 5 input value bits) that float32 holds exactly, got -100 at index 1 (channel 1)",
                        () -> plan.apply(ByteBuffer.wrap(new byte[] {1, -100}), 0, new byte[2], 0, 2))
                .add("Plan.apply(short[], long[])", "value bits above the input format (32 with 5)", "IllegalArgumentException",
                        "in must hold integers in [-32, 31] (the plan's 5 input value bits) that float32 holds exactly, got 32 at index 1 (channel 1)",
                        () -> plan.apply(new short[] {0, 32}, 0, new long[2], 0, 2))
                .add("Plan.apply(int[], long[])", "value bits above the input format (-33 with 5)", "IllegalArgumentException",
                        "in must hold integers in [-32, 31] (the plan's 5 input value bits) that float32 holds exactly, got -33 at index 0 (channel 0)",
                        () -> plan.apply(new int[] {-33, 0}, 0, new long[2], 0, 2))
                .add("Plan.apply(int[], int[])", "in and out overlap", "IllegalArgumentException",
                        "in and out must not overlap unless at the same offset, got offsets 2 and 0 for length 4",
                        () -> { int[] a = new int[8]; plan.apply(a, 2, a, 0, 4); })
                .add("Plan.parallel", "no task", "IllegalArgumentException",
                        "tasks must be >= 1, got 0", () -> plan.parallel(Runnable::run, 0))
                .add("Plan.counting", "wrong channel count", "IllegalArgumentException",
                        "counts must have 2 channels, got 3", () -> plan.counting(new SaturationCounts(3)))
                .add("Plan.withKernel", "null", "NullPointerException",
                        "kernel", () -> plan.withKernel(null))
                .tests();
    }

    // ------------------------------------------------------------------------------------------------
    // A rejected call writes nothing, on every overload of Plan.apply.

    private static final Class<?>[] IN_TYPES = {byte[].class, short[].class, int[].class, ByteBuffer.class};
    private static final Class<?>[] OUT_TYPES = {byte[].class, short[].class, int[].class, long[].class, ByteBuffer.class};
    private static final int N = 12;  // six pixels of two channels

    /** A container of {@code n} elements of a buffer kind, holding {@code values} from index 0. */
    private static Object container(Class<?> type, int n, long... values) {
        if (type == byte[].class || type == ByteBuffer.class) {
            byte[] a = new byte[n];
            for (int i = 0; i < values.length; i++) {
                a[i] = (byte) values[i];
            }
            return type == byte[].class ? a : ByteBuffer.wrap(a);
        }
        if (type == short[].class) {
            short[] a = new short[n];
            for (int i = 0; i < values.length; i++) {
                a[i] = (short) values[i];
            }
            return a;
        }
        if (type == int[].class) {
            int[] a = new int[n];
            for (int i = 0; i < values.length; i++) {
                a[i] = (int) values[i];
            }
            return a;
        }
        long[] a = new long[n];
        System.arraycopy(values, 0, a, 0, values.length);
        return a;
    }

    /** An output container filled with a sentinel pattern (a direct buffer for ByteBuffers). */
    private static Object sentinel(Class<?> type, int n) {
        long[] pattern = new long[n];
        for (int i = 0; i < n; i++) {
            pattern[i] = (i % 2 == 0 ? 0x5A : -0x5B) + i;
        }
        Object c = container(type, n, pattern);
        if (type == ByteBuffer.class) {
            ByteBuffer direct = ByteBuffer.allocateDirect(n);
            direct.put(((ByteBuffer) c).array()).clear();
            return direct;
        }
        return c;
    }

    private static String snapshot(Object c) {
        if (c instanceof ByteBuffer) {
            ByteBuffer b = (ByteBuffer) c;
            byte[] all = new byte[b.capacity()];
            b.get(0, all);
            return "pos " + b.position() + " lim " + b.limit() + " " + Arrays.toString(all);
        }
        if (c instanceof byte[]) {
            return Arrays.toString((byte[]) c);
        }
        if (c instanceof short[]) {
            return Arrays.toString((short[]) c);
        }
        if (c instanceof int[]) {
            return Arrays.toString((int[]) c);
        }
        return Arrays.toString((long[]) c);
    }

    private static String name(Class<?> c) {
        return c.getSimpleName();
    }

    @Test
    void everyRejectedApplyLeavesTheOutputBufferUntouched() throws Exception {
        Plan plan = withOutput().compile(5, FracBits.of(2), null);
        Plan wide = layer().build().compile(5, FracBits.of(2), null);
        long[] good = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12};
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (Class<?> inType : IN_TYPES) {
            for (Class<?> outType : OUT_TYPES) {
                Method apply = Plan.class.getMethod("apply", inType, int.class, outType, int.class, int.class);
                List<Object[]> bad = new ArrayList<>();  // {what, plan, in, inOffset, outOffset, length, out or null}
                bad.add(new Object[] {"null input", plan, null, 0, 0, N, null});
                bad.add(new Object[] {"negative input offset", plan, container(inType, N, good), -2, 0, N, null});
                bad.add(new Object[] {"input offset past the end", plan, container(inType, N, good), 2, 0, N, null});
                bad.add(new Object[] {"output offset past the end", plan, container(inType, N, good), 0, 2, N, null});
                bad.add(new Object[] {"negative length", plan, container(inType, N, good), 0, 0, -2, null});
                bad.add(new Object[] {"length not whole pixels", plan, container(inType, N, good), 0, 0, N - 1, null});
                long[] lastBad = good.clone();
                lastBad[N - 1] = 100;  // out of range for 5 value bits, and the last element
                bad.add(new Object[] {"input value out of range at the last index", plan,
                        container(inType, N, lastBad), 0, 0, N, null});
                long[] lastBadNegative = good.clone();
                lastBadNegative[N - 1] = -33;
                bad.add(new Object[] {"input value below the range at the last index", plan,
                        container(inType, N, lastBadNegative), 0, 0, N, null});
                if (outType != long[].class) {
                    bad.add(new Object[] {"output type too narrow for 31-bit results", wide,
                            container(inType, N, good), 0, 0, N, null});
                }
                if (outType == ByteBuffer.class) {
                    bad.add(new Object[] {"read-only output", plan, container(inType, N, good), 0, 0, N,
                            ByteBuffer.allocate(N).asReadOnlyBuffer()});
                }
                for (Object[] b : bad) {
                    Object out = b[6] != null ? b[6] : sentinel(outType, N);
                    Object in = b[2];
                    String before = snapshot(out);
                    String inBefore = in == null ? null : snapshot(in);
                    try {
                        apply.invoke(b[1], in, b[3], out, b[4], b[5]);
                        failures.add(name(inType) + " -> " + name(outType) + ", " + b[0] + ": accepted");
                    } catch (InvocationTargetException e) {
                        Throwable t = e.getCause();
                        if (!(t instanceof IllegalArgumentException || t instanceof IndexOutOfBoundsException
                                || t instanceof NullPointerException)) {
                            failures.add(name(inType) + " -> " + name(outType) + ", " + b[0] + ": " + t);
                        }
                    }
                    if (!snapshot(out).equals(before)) {
                        failures.add(name(inType) + " -> " + name(outType) + ", " + b[0] + ": output changed");
                    }
                    if (in != null && !snapshot(in).equals(inBefore)) {
                        failures.add(name(inType) + " -> " + name(outType) + ", " + b[0] + ": input changed");
                    }
                    checked++;
                }
                if (inType.isArray() && inType == outType) {
                    Object shared = container(inType, N, good);
                    String before = snapshot(shared);
                    try {
                        apply.invoke(plan, shared, 0, shared, 2, N - 2);
                        failures.add(name(inType) + " in place, overlapping: accepted");
                    } catch (InvocationTargetException e) {
                        assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
                    }
                    if (!snapshot(shared).equals(before)) {
                        failures.add(name(inType) + " in place, overlapping: buffer changed");
                    }
                    checked++;
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + checked + " rejected calls misbehaved:\n" + String.join("\n", failures));
        }
        assertThat(checked).isGreaterThan(150);
    }

    @Test
    void aRejectedParallelApplyLeavesTheOutputUntouched() {
        Plan plan = withOutput().compile(5, FracBits.of(2), null).parallel(Runnable::run, 4);
        int n = 4 * Plan.MIN_ELEMENTS_PER_TASK;
        byte[] in = new byte[n];
        in[n - 1] = 100;
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) 0x5A);
        try {
            plan.apply(in, 0, out, 0, n);
            fail("accepted an out-of-range input");
        } catch (IllegalArgumentException expected) {
            // checked before any task starts
        }
        for (byte b : out) {
            assertThat(b).isEqualTo((byte) 0x5A);
        }
    }
}
