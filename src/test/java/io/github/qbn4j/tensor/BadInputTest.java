package io.github.qbn4j.tensor;

import io.github.qbn4j.BadInputTable;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bad-input class of the tensor factories and operations, with the exception and message each
 * gives: the {@code tensor} rows of the table in {@code TESTING.md}.
 */
class BadInputTest {

    private static final Shape S = Shape.of(1, 1, 2);
    private static final FixedPoint X = FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.of(2));
    private static final FixedPoint PER_AXIS = FixedPoint.of(S, new int[] {1, 1}, 7, FracBits.perAxis(0, 31));
    private static final QFloat Q = QFloat.of(X, Scales.of(0.5f));
    private static final QFloat Q_PER_AXIS = QFloat.of(X, Scales.perAxis(0.5f, 0.25f));

    @TestFactory
    Stream<DynamicTest> rejects() {
        return new BadInputTable("tensor.BadInputTest")
                .add("Shape.of", "null", "NullPointerException",
                        "dims", () -> Shape.of((int[]) null))
                .add("Shape.of", "wrong rank (5)", "IllegalArgumentException",
                        "rank must be in [0, 4], got 5 (shape [1, 1, 1, 1, 2])", () -> Shape.of(1, 1, 1, 1, 2))
                .add("Shape.of", "negative dimension", "IllegalArgumentException",
                        "dimensions must be >= 0, got [1, -2, 2]", () -> Shape.of(1, -2, 2))
                .add("Shape.of", "element count above 2^31 - 1", "IllegalArgumentException",
                        "element count must be <= 2147483647, got more for shape [65536, 65536]", () -> Shape.of(65536, 65536))
                .add("FracBits.perAxis", "no channel", "IllegalArgumentException",
                        "per-axis fracBits must have at least 1 element, got 0", () -> FracBits.perAxis())
                .add("FracBits.perAxis", "null", "NullPointerException",
                        "fracBits", () -> FracBits.perAxis((int[]) null))
                .add("Scales.of", "NaN scale", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got NaN", () -> Scales.of(Float.NaN))
                .add("Scales.of", "infinite scale", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got Infinity", () -> Scales.of(Float.POSITIVE_INFINITY))
                .add("Scales.of", "zero scale", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got 0.0", () -> Scales.of(0f))
                .add("Scales.of", "negative scale", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got -0.5", () -> Scales.of(-0.5f))
                .add("Scales.of", "subnormal scale", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got 1.4E-45", () -> Scales.of(Float.MIN_VALUE))
                .add("Scales.perAxis", "no channel", "IllegalArgumentException",
                        "per-axis scales must have at least 1 element, got 0", () -> Scales.perAxis())
                .add("Scales.perAxis", "NaN scale", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got NaN at channel 1", () -> Scales.perAxis(0.5f, Float.NaN))
                .add("FixedPoint.of", "null values", "NullPointerException",
                        "values", () -> FixedPoint.of(S, (int[]) null, 7, FracBits.of(0)))
                .add("FixedPoint.of", "null shape", "NullPointerException",
                        "shape", () -> FixedPoint.of(null, new int[] {1, 2}, 7, FracBits.of(0)))
                .add("FixedPoint.of", "null fracBits", "NullPointerException",
                        "fracBits", () -> FixedPoint.of(S, new int[] {1, 2}, 7, null))
                .add("FixedPoint.of", "value count not the shape's", "IllegalArgumentException",
                        "values must have 2 elements for shape [1, 1, 2], got 3",
                        () -> FixedPoint.of(S, new int[] {1, 2, 3}, 7, FracBits.of(0)))
                .add("FixedPoint.of", "wrong channel count (per-axis fracBits)", "IllegalArgumentException",
                        "per-axis fracBits must have one entry per channel (2 for shape [1, 1, 2]), got 3",
                        () -> FixedPoint.of(S, new int[] {1, 2}, 7, FracBits.perAxis(1, 2, 3)))
                .add("FixedPoint.of", "value bits out of range (40)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got 40",
                        () -> FixedPoint.of(S, new int[] {1, 2}, 40, FracBits.of(0)))
                .add("FixedPoint.of", "value bits out of range (-1)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got -1",
                        () -> FixedPoint.of(S, new int[] {1, 2}, -1, FracBits.of(0)))
                .add("FixedPoint.of", "value above the value bits (128 with 7)", "IllegalArgumentException",
                        "values must be integers in [-128, 127] that float32 holds exactly (valueBits 7), got 128 at (0, 0, 1)",
                        () -> FixedPoint.of(S, new int[] {1, 128}, 7, FracBits.of(0)))
                .add("FixedPoint.of", "value below the value bits (-129 with 7)", "IllegalArgumentException",
                        "values must be integers in [-128, 127] that float32 holds exactly (valueBits 7), got -129 at (0, 0, 0)",
                        () -> FixedPoint.of(S, new int[] {-129, 1}, 7, FracBits.of(0)))
                .add("FixedPoint.of", "value float32 cannot hold (2^24 + 1)", "IllegalArgumentException",
                        "values must be integers in [-2147483648, 2147483648] that float32 holds exactly (valueBits 31), got 16777217 at (0, 0, 0)",
                        () -> FixedPoint.of(S, new long[] {(1L << 24) + 1, 0}, 31, FracBits.of(0)))
                .add("FixedPoint.quantize", "NaN input", "IllegalArgumentException",
                        "x must be finite, got NaN at index 1",
                        () -> FixedPoint.quantize(S, new float[] {1f, Float.NaN}, 7, FracBits.of(0)))
                .add("FixedPoint.quantize", "infinite input", "IllegalArgumentException",
                        "x must be finite, got -Infinity at index 0",
                        () -> FixedPoint.quantize(S, new float[] {Float.NEGATIVE_INFINITY, 1f}, 7, FracBits.of(0)))
                .add("FixedPoint.quantize", "null", "NullPointerException",
                        "x", () -> FixedPoint.quantize(S, null, 7, FracBits.of(0)))
                .add("FixedPoint.quantize", "value bits out of range (40)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got 40",
                        () -> FixedPoint.quantize(S, new float[] {1f, 2f}, 40, FracBits.of(0)))
                .add("FixedPoint.maxFracBits", "NaN range", "IllegalArgumentException",
                        "range must be finite and >= 0, got NaN", () -> FixedPoint.maxFracBits(7, Float.NaN))
                .add("FixedPoint.maxFracBits", "negative range", "IllegalArgumentException",
                        "range must be finite and >= 0, got -1.0", () -> FixedPoint.maxFracBits(7, -1f))
                .add("FixedPoint.maxFracBits", "infinite range", "IllegalArgumentException",
                        "range must be finite and >= 0, got Infinity",
                        () -> FixedPoint.maxFracBits(7, Float.POSITIVE_INFINITY))
                .add("FixedPoint.maxFracBits", "value bits out of range (40)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got 40",
                        () -> FixedPoint.maxFracBits(40, 1f))
                .add("FixedPoint.promote", "fewer bits", "QuantizationException (ValueError)",
                        "bits must be >= the current 7 value bits to promote (use a quantizer to reduce them), got 6", () -> X.promote(6))
                .add("FixedPoint.promote", "negative bits", "QuantizationException (ValueError)",
                        "bits must be >= 0 to promote, got -1", () -> X.promote(-1))
                .add("FixedPoint.promote", "bits out of range (40)", "IllegalArgumentException",
                        "bits must be in [0, 39], got 40", () -> X.promote(40))
                .add("FixedPoint.rescale", "null target", "NullPointerException",
                        "target", () -> X.rescale(null, 7))
                .add("FixedPoint.rescale", "wrong channel count", "IllegalArgumentException",
                        "per-axis fracBits must have one entry per channel (2 for shape [1, 1, 2]), got 3", () -> X.rescale(FracBits.perAxis(1, 2, 3), 7))
                .add("FixedPoint.rescale", "value bits out of range (40)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got 40", () -> X.rescale(FracBits.of(0), 40))
                .add("FixedPoint.rescale", "shift >= value bits", "QuantizationException (InvalidArgumentError)",
                        "shift must be < 7 (the value bits) to rescale without always saturating, got 7 at channel 0 (fracBits 2 -> 9)", () -> X.rescale(FracBits.of(9), 7))
                .add("FixedPoint.upscale", "target below the frac bits", "QuantizationException (InvalidArgumentError)",
                        "target fracBits must be >= the current ones to upscale, got 1 < 2 at channel 0", () -> X.upscale(FracBits.of(1), 7))
                .add("FixedPoint.upscale", "shift >= value bits", "QuantizationException (InvalidArgumentError)",
                        "shift must be < 31 (the value bits) to upscale without always saturating, got 38 at channel 0 (fracBits 2 -> 40)", () -> X.upscale(FracBits.of(40), 31))
                .add("FixedPoint.downscale", "target above the frac bits", "QuantizationException (InvalidArgumentError)",
                        "target fracBits must be <= the current ones to downscale, got 3 > 2 at channel 0", () -> X.downscale(FracBits.of(3)))
                .add("FixedPoint.expand", "fewer value bits", "QuantizationException (ValueError)",
                        "valueBits must be >= the current 7 to expand (use a quantizer to reduce them), got 6", () -> X.expand(6))
                .add("FixedPoint.expand", "frac-bit spread >= value bits (31)", "QuantizationException (InvalidArgumentError)",
                        "shift must be < 31 (the value bits) to upscale without always saturating, got 31 at channel 0 (fracBits 0 -> 31)", () -> PER_AXIS.expand(31))
                .add("FixedPoint.align", "null", "NullPointerException",
                        "other", () -> X.align(null, 31))
                .add("FixedPoint.align", "wrong channel count", "IllegalArgumentException",
                        "per-axis fracBits must have one entry per channel (2 for shape [1, 1, 2]), got 3",
                        () -> X.align(FixedPoint.of(Shape.of(3), new int[] {0, 0, 0}, 7, FracBits.perAxis(1, 2, 3)), 31))
                .add("FixedPoint.add", "frac bits differ", "QuantizationException (InvalidArgumentError)",
                        "operands must have equal fracBits (they are not aligned), got 2 and 3 at channel 0",
                        () -> X.add(FixedPoint.of(S, new int[] {1, 1}, 7, FracBits.of(3))))
                .add("FixedPoint.add", "shapes do not broadcast", "IllegalArgumentException",
                        "shapes must be equal, or one a channel vector or scalar, got [1, 1, 2] and [1, 1, 3]",
                        () -> X.add(FixedPoint.of(Shape.of(1, 1, 3), new int[] {1, 1, 1}, 7, FracBits.of(2))))
                .add("FixedPoint.add", "null", "NullPointerException",
                        "other", () -> X.add(null))
                .add("FixedPoint.subtract", "frac bits differ", "QuantizationException (InvalidArgumentError)",
                        "operands must have equal fracBits (they are not aligned), got 2 and 3 at channel 0",
                        () -> X.subtract(FixedPoint.of(S, new int[] {1, 1}, 7, FracBits.of(3))))
                .add("FixedPoint.multiply", "shapes do not broadcast", "IllegalArgumentException",
                        "shapes must be equal, or one a channel vector or scalar, got [1, 1, 2] and [3]",
                        () -> X.multiply(FixedPoint.of(Shape.of(3), new int[] {1, 1, 1}, 7, FracBits.of(0))))
                .add("FixedPoint.multiply(QFloat)", "per-axis frac bits", "QuantizationException (InvalidArgumentError)",
                        "x must be per-tensor, got per-axis fracBits [0, 31]", () -> PER_AXIS.multiply(Q))
                .add("QFloat.of", "null scales", "NullPointerException",
                        "scales", () -> QFloat.of(X, null))
                .add("QFloat.of", "wrong channel count (per-axis scales)", "IllegalArgumentException",
                        "per-axis scales must have one entry per channel (2), got 3",
                        () -> QFloat.of(X, Scales.perAxis(0.5f, 0.5f, 0.5f)))
                .add("QFloat.quantize", "NaN input", "IllegalArgumentException",
                        "x must be finite, got NaN at index 0",
                        () -> QFloat.quantize(S, new float[] {Float.NaN, 0f}, 7, Scales.of(1f), FracBits.of(0)))
                .add("QFloat.quantize", "wrong channel count (per-axis scales)", "IllegalArgumentException",
                        "per-axis scales must have one entry per channel (2), got 3",
                        () -> QFloat.quantize(S, new float[] {0f, 0f}, 7, Scales.perAxis(1f, 1f, 1f), FracBits.of(0)))
                .add("QFloat.quantize", "value bits out of range (40)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got 40",
                        () -> QFloat.quantize(S, new float[] {0f, 0f}, 40, Scales.of(1f), FracBits.of(0)))
                .add("QFloat.optimalScale", "value bits out of range (-1)", "IllegalArgumentException",
                        "valueBits must be in [0, 39], got -1", () -> QFloat.optimalScale(1f, -1))
                .add("QFloat.quantizeScales", "scale bits out of range (32)", "IllegalArgumentException",
                        "scaleBits must be in [0, 31], got 32",
                        () -> QFloat.quantizeScales(Scales.of(0.5f), 32))
                .add("QFloat.toFixedPoint", "scale bits out of range (32)", "IllegalArgumentException",
                        "scaleBits must be in [0, 31], got 32", () -> Q.toFixedPoint(32))
                .add("QFloat.add", "scales differ", "QuantizationException (InvalidArgumentError)",
                        "operands must have equal scales, got 0.5 and 0.25 at channel 0", () -> Q.add(QFloat.of(X, Scales.of(0.25f))))
                .add("QFloat.multiply", "per-axis scales", "QuantizationException (InvalidArgumentError)",
                        "x must be per-tensor, got per-axis fracBits 2 and scales [0.5, 0.25]", () -> Q_PER_AXIS.multiply(Q))
                .add("QFloat.multiply", "scale product leaves float32", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got Infinity",
                        () -> QFloat.of(X, Scales.of(1e30f)).multiply(QFloat.of(X, Scales.of(1e30f))))
                .add("QTensor.valueAt", "index out of range", "IndexOutOfBoundsException",
                        "Index 2 out of bounds for length 2", () -> X.valueAt(2))
                .add("Shape.dim", "axis out of range", "IndexOutOfBoundsException",
                        "Index 3 out of bounds for length 3", () -> S.dim(3))
                .tests();
    }
}
