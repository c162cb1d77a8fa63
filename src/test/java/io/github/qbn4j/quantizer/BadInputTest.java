package io.github.qbn4j.quantizer;

import io.github.qbn4j.BadInputTable;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bad-input class of the quantizers, with the exception and message each gives: the
 * {@code quantizer} rows of the table in {@code TESTING.md}.
 */
class BadInputTest {

    private static final Shape S = Shape.of(1, 1, 2);
    private static final FixedPoint WIDE = FixedPoint.of(S, new int[] {1280, 500}, 31, FracBits.of(4));
    private static final QFloat OTHER = QFloat.of(WIDE, Scales.of(2f / 127));

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @TestFactory
    Stream<DynamicTest> rejects() {
        WeightQuantizer wq = WeightQuantizer.of(8, true);
        AlignedWeightQuantizer awq = AlignedWeightQuantizer.of(8, true);
        OutputQuantizer oq = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8);
        OutputQuantizer perAxis = OutputQuantizer.of(8, true, Axis.PER_AXIS, 8);
        return new BadInputTable("quantizer.BadInputTest")
                .add("WeightQuantizer.of", "bitwidth out of range (1, signed)", "QuantizationException (ValueError)",
                        "WeightQuantizer bitwidth must be an int >= 2, got 1", () -> WeightQuantizer.of(1, true))
                .add("WeightQuantizer.of", "bitwidth out of range (0, unsigned)", "QuantizationException (ValueError)",
                        "WeightQuantizer bitwidth must be an int >= 1, got 0", () -> WeightQuantizer.of(0, false))
                .add("WeightQuantizer.of", "bitwidth out of range (33, signed)", "IllegalArgumentException",
                        "WeightQuantizer bitwidth must be <= 32 (qbn4j supports at most 31 value bits), got 33", () -> WeightQuantizer.of(33, true))
                .add("WeightQuantizer.of", "bitwidth out of range (32, unsigned)", "IllegalArgumentException",
                        "WeightQuantizer bitwidth must be <= 31 (qbn4j supports at most 31 value bits), got 32", () -> WeightQuantizer.of(32, false))
                .add("WeightQuantizer.fromConfig", "null", "NullPointerException",
                        "config", () -> WeightQuantizer.fromConfig(null))
                .add("WeightQuantizer.fromConfig", "unknown key", "QuantizationException (TypeError)",
                        "WeightQuantizer config key must be one of [axis, bitwidth, signed], got unknown key \"bits\"", () -> WeightQuantizer.fromConfig(map("bits", 8)))
                .add("WeightQuantizer.fromConfig", "float bitwidth (8.0)", "QuantizationException (ValueError)",
                        "WeightQuantizer bitwidth must be an int >= 2, got 8.0",
                        () -> WeightQuantizer.fromConfig(map("bitwidth", 8.0)))
                .add("WeightQuantizer.fromConfig", "non-bool signed", "IllegalArgumentException",
                        "WeightQuantizer signed must be a bool, got yes",
                        () -> WeightQuantizer.fromConfig(map("signed", "yes")))
                .add("WeightQuantizer.fromConfig", "axis 4294967295 (not narrowed to -1)", "IllegalArgumentException",
                        "WeightQuantizer axis must be an integer in [-2147483648, 2147483647], got 4294967295",
                        () -> WeightQuantizer.fromConfig(map("axis", 4294967295L)))
                .add("WeightQuantizer.fromConfig", "non-int axis", "IllegalArgumentException",
                        "WeightQuantizer axis must be an int or null, got x", () -> WeightQuantizer.fromConfig(map("axis", "x")))
                .add("WeightQuantizer.quantize", "null", "NullPointerException",
                        "weights", () -> wq.quantize((float[]) null))
                .add("WeightQuantizer.quantize", "NaN weight", "IllegalArgumentException",
                        "weights must be finite, got NaN at index 1", () -> wq.quantize(new float[] {1f, Float.NaN}))
                .add("WeightQuantizer.quantize", "infinite weight", "IllegalArgumentException",
                        "weights must be finite, got Infinity at index 0",
                        () -> wq.quantize(new float[] {Float.POSITIVE_INFINITY}))
                .add("WeightQuantizer.quantize", "no weight", "IllegalArgumentException",
                        "weights must have 0 elements (shape [0]) and at least one, got 0", () -> wq.quantize(new float[0]))
                .add("WeightQuantizer.quantize", "wrong element count for the shape", "IllegalArgumentException",
                        "weights must have 4 elements (shape [2, 2]) and at least one, got 3",
                        () -> wq.quantize(Shape.of(2, 2), new float[] {1f, 2f, 3f}))
                .add("WeightQuantizer.quantize", "axis out of range for the rank", "QuantizationException (ValueError)",
                        "axis must be in [-2, 1] for rank 2 weights, got 2",
                        () -> WeightQuantizer.of(8, true, 2).quantize(Shape.of(2, 2), new float[] {1f, 2f, 3f, 4f}))
                .add("WeightQuantizer.quantize", "axis not the last", "IllegalArgumentException",
                        "axis must be the last axis (qbn4j keeps per-axis scales on the last axis only), got 0 for shape [2, 2]",
                        () -> WeightQuantizer.of(8, true, 0).quantize(Shape.of(2, 2), new float[] {1f, 2f, 3f, 4f}))
                .add("AlignedWeightQuantizer.of", "bitwidth out of range (1, signed)", "QuantizationException (ValueError)",
                        "AlignedWeightQuantizer bitwidth must be an int >= 2, got 1",
                        () -> AlignedWeightQuantizer.of(1, true))
                .add("AlignedWeightQuantizer.of", "bitwidth out of range (33, signed)", "IllegalArgumentException",
                        "AlignedWeightQuantizer bitwidth must be <= 32 (qbn4j supports at most 31 value bits), got 33",
                        () -> AlignedWeightQuantizer.of(33, true))
                .add("AlignedWeightQuantizer.fromConfig", "unknown key", "QuantizationException (TypeError)",
                        "AlignedWeightQuantizer config key must be one of [bitwidth, signed], got unknown key \"axis\"",
                        () -> AlignedWeightQuantizer.fromConfig(map("axis", -1)))
                .add("AlignedWeightQuantizer.quantize", "null weights", "NullPointerException",
                        "weights", () -> awq.quantize(null, OTHER))
                .add("AlignedWeightQuantizer.quantize", "null other", "NullPointerException",
                        "other", () -> awq.quantize(new float[] {1f}, null))
                .add("AlignedWeightQuantizer.quantize", "NaN weight", "IllegalArgumentException",
                        "weights must be finite, got NaN at index 0",
                        () -> awq.quantize(new float[] {Float.NaN, 1f}, OTHER))
                .add("AlignedWeightQuantizer.quantize", "max|w| / scale overflows float32", "QuantizationException (InvalidArgumentError)",
                        "max|weights| / scale must be finite in float32 to align, got 3.0E38 / 1.0E-30 (channel 0)",
                        () -> awq.quantize(new float[] {3e38f}, QFloat.of(WIDE, Scales.of(1e-30f))))
                .add("AlignedWeightQuantizer.quantize", "alignment shift >= value bits", "QuantizationException (InvalidArgumentError)",
                        "shift must be < 31 (the value bits) to upscale without always saturating, got 53 at channel 0 (fracBits 7 -> 60)",
                        () -> awq.quantize(new float[] {1e-30f},
                                QFloat.of(FixedPoint.of(S, new int[] {0, 0}, 31, FracBits.of(60)), Scales.of(1f))))
                .add("OutputQuantizer.of", "null axis", "NullPointerException",
                        "axis", () -> OutputQuantizer.of(8, true, null, 8))
                .add("OutputQuantizer.of", "bitwidth out of range (1, signed)", "QuantizationException (ValueError)",
                        "OutputQuantizer bitwidth must be an int >= 2, got 1",
                        () -> OutputQuantizer.of(1, true, Axis.PER_TENSOR, 8))
                .add("OutputQuantizer.of", "scale bits out of range (32)", "IllegalArgumentException",
                        "scaleBits must be in [0, 31], got 32",
                        () -> OutputQuantizer.of(8, true, Axis.PER_TENSOR, 32))
                .add("OutputQuantizer.fromConfig", "unknown axis", "QuantizationException (ValueError)",
                        "OutputQuantizer axis must be \"per-tensor\" or \"per-axis\", got per-channel",
                        () -> OutputQuantizer.fromConfig(map("axis", "per-channel")))
                .add("OutputQuantizer.fromConfig", "scale_bits 2^40 (not narrowed to 0)", "IllegalArgumentException",
                        "OutputQuantizer scale_bits must be an integer in [0, 31], got 1099511627776",
                        () -> OutputQuantizer.fromConfig(map("scale_bits", 1L << 40)))
                .add("OutputQuantizer.fromConfig", "scale_bits 2^32 + 8 (not narrowed to 8)", "IllegalArgumentException",
                        "OutputQuantizer scale_bits must be an integer in [0, 31], got 4294967304",
                        () -> OutputQuantizer.fromConfig(map("scale_bits", (1L << 32) + 8)))
                .add("OutputQuantizer.fromConfig", "scale_bits 2^31 (not narrowed to -2^31)", "IllegalArgumentException",
                        "OutputQuantizer scale_bits must be an integer in [0, 31], got 2147483648",
                        () -> OutputQuantizer.fromConfig(map("scale_bits", 1L << 31)))
                .add("OutputQuantizer.fromConfig", "bitwidth 2^64 + 8 (a BigInteger)", "IllegalArgumentException",
                        "OutputQuantizer bitwidth must be <= 32 (qbn4j supports at most 31 value bits), got 18446744073709551624",
                        () -> OutputQuantizer.fromConfig(map("bitwidth", new java.math.BigInteger("18446744073709551624"))))
                .add("OutputQuantizer.fromConfig", "non-int scale_bits", "IllegalArgumentException",
                        "OutputQuantizer scale_bits must be an int or null, got 8.5",
                        () -> OutputQuantizer.fromConfig(map("scale_bits", 8.5)))
                .add("OutputQuantizer.withRangeMax", "NaN range", "IllegalArgumentException",
                        "rangeMax must be finite and >= 0, got NaN at index 0", () -> oq.withRangeMax(Float.NaN))
                .add("OutputQuantizer.withRangeMax", "negative range", "IllegalArgumentException",
                        "rangeMax must be finite and >= 0, got -1.0 at index 0", () -> oq.withRangeMax(-1f))
                .add("OutputQuantizer.withRangeMax", "two ranges for a per-tensor quantizer", "IllegalArgumentException",
                        "rangeMax must have 1 element (per-tensor), got 2",
                        () -> oq.withRangeMax(1f, 2f))
                .add("OutputQuantizer.withRangeMax", "null", "NullPointerException",
                        "rangeMax", () -> oq.withRangeMax((float[]) null))
                .add("OutputQuantizer.withRescalingRate", "zero rate", "IllegalArgumentException",
                        "rescalingRate must be finite and > 0, got 0.0 at index 0", () -> oq.withRescalingRate(0f))
                .add("OutputQuantizer.withRescalingRate", "infinite rate", "IllegalArgumentException",
                        "rescalingRate must be finite and > 0, got Infinity at index 0",
                        () -> oq.withRescalingRate(Float.POSITIVE_INFINITY))
                .add("OutputQuantizer.quantize", "null", "NullPointerException",
                        "x", () -> oq.quantize(null))
                .add("OutputQuantizer.quantize", "input value bits not above the output's", "QuantizationException (ValueError)",
                        "input value bits must be > the 7 output value bits (quantizing to as many bits or more is pointless), got 7",
                        () -> oq.quantize(FixedPoint.of(S, new int[] {1, 2}, 7, FracBits.of(0))))
                .add("OutputQuantizer.quantize", "QFloat input without scale bits", "QuantizationException (ValueError)",
                        "scale_bits must be set for an OutputQuantizer that receives a QFloat, got None",
                        () -> OutputQuantizer.of(8, true, Axis.PER_TENSOR, null).quantize(OTHER))
                .add("OutputQuantizer.quantize", "wrong rank for a per-axis quantizer (2)", "QuantizationException (ValueError)",
                        "input rank must be >= 3 for a per-axis OutputQuantizer, got 2",
                        () -> perAxis.quantize(FixedPoint.of(Shape.of(1, 2), new int[] {1, 2}, 31, FracBits.of(0))))
                .add("OutputQuantizer.quantize", "wrong channel count (per-axis ranges)", "IllegalArgumentException",
                        "per-axis output quantizer variables must have one element per channel (2), got 3",
                        () -> perAxis.withRangeMax(1f, 2f, 3f).quantize(WIDE))
                .add("OutputQuantizer.quantize", "scale times rate leaves float32", "IllegalArgumentException",
                        "scales * rescaling_rate must stay a normal float32, got 1.0E30 * 1.0E30 = Infinity at channel 0",
                        () -> oq.withRescalingRate(1e30f).quantize(QFloat.of(WIDE, Scales.of(1e30f))))
                .add("OutputQuantizer.quantize", "output shift >= value bits", "QuantizationException (InvalidArgumentError)",
                        "shift must be < 7 (the value bits) to rescale without always saturating, got 17 at channel 0 (fracBits -10 -> 7)",
                        () -> oq.quantize(FixedPoint.of(S, new int[] {1, 2}, 31, FracBits.of(-10))))
                .add("OutputObserver.perAxis", "no channel", "IllegalArgumentException",
                        "channels must be >= 1, got 0", () -> OutputObserver.perAxis(0))
                .add("OutputObserver.withMomentum", "NaN momentum", "IllegalArgumentException",
                        "momentum must be finite, got NaN",
                        () -> OutputObserver.perTensor().withMomentum(Double.NaN))
                .add("OutputObserver.observe", "NaN sample", "IllegalArgumentException",
                        "samples must be finite, got NaN at (0, 0, 1)",
                        () -> OutputObserver.perTensor().observe(S, new float[] {1f, Float.NaN}))
                .add("OutputObserver.observe", "sample count not the shape's", "IllegalArgumentException",
                        "samples must have 2 elements (shape [1, 1, 2]), got 1",
                        () -> OutputObserver.perTensor().observe(S, new float[] {1f}))
                .add("OutputObserver.observe", "wrong rank for a per-axis observer (2)", "QuantizationException (ValueError)",
                        "input rank must be >= 3 for a per-axis OutputObserver, got 2",
                        () -> OutputObserver.perAxis(2).observe(Shape.of(1, 2), new float[] {1f, 2f}))
                .add("OutputObserver.observe", "wrong channel count", "IllegalArgumentException",
                        "samples have 2 channels, expected 3 (shape [1, 1, 2])",
                        () -> OutputObserver.perAxis(3).observe(S, new float[] {1f, 2f}))
                .add("OutputObserver.equalize", "bitwidth out of range (32)", "IllegalArgumentException",
                        "bitwidth must be in [1, 31], got 32", () -> OutputObserver.equalize(32, 1f))
                .add("OutputObserver.equalize", "infinite range", "IllegalArgumentException",
                        "rangeMax must be finite and >= 0, got Infinity at index 0",
                        () -> OutputObserver.equalize(8, Float.POSITIVE_INFINITY))
                .tests();
    }
}
