package io.github.qbn4j.tensor;

import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.internal.F32;
import java.util.Objects;

/**
 * A fixed-point tensor times float32 scales: element {@code i} of channel {@code c} stands for
 * {@code values[i] * 2^-fracBits[c] * scales[c]} (quantizeml 0.5.2 {@code QFloat}).
 *
 * <p>The integer payload is a {@link FixedPoint} ({@link #fixedPoint()}) and follows its storage,
 * rounding and saturation rules. Equality compares the payload and the scales bit for bit, including
 * their per-tensor or per-axis form. Immutable and thread-safe.
 *
 * <pre>{@code
 * Shape s = Shape.of(3);
 * QFloat w = QFloat.quantize(s, new float[] {0.5f, 2f, -1f}, 7, Scales.of(2f / 127), FracBits.of(0));
 * // values = roundHalfEven(w / scale) = [32, 127, -64]
 * FixedPoint q = QFloat.quantizeScales(Scales.of(0.015748031f), 8);   // 129 with 13 frac bits
 * }</pre>
 */
public final class QFloat implements QTensor {

    /** The largest scale bits qbn4j quantizes scales with (quantized scales stay below {@code 2^31}). */
    public static final int MAX_SCALE_BITS = 31;

    private final FixedPoint fp;
    private final Scales scales;

    private QFloat(FixedPoint fp, Scales scales) {
        this.fp = fp;
        this.scales = scales;
    }

    /**
     * Pairs a fixed-point payload with scales. Nothing is rounded.
     *
     * @param fp the integer payload
     * @param scales per-tensor, or per-axis with one scale per channel
     * @return the QFloat
     * @throws IllegalArgumentException if per-axis scales do not have one entry per channel
     * @throws NullPointerException if an argument is null
     */
    public static QFloat of(FixedPoint fp, Scales scales) {
        Objects.requireNonNull(fp, "fp");
        Objects.requireNonNull(scales, "scales");
        if (scales.isPerAxis() && scales.length() != fp.shape().channels()) {
            throw new IllegalArgumentException("per-axis scales must have one entry per channel ("
                    + fp.shape().channels() + "), got " + scales.length());
        }
        return new QFloat(fp, scales);
    }

    static QFloat wrap(FixedPoint fp, Scales scales) {
        return new QFloat(fp, scales);
    }

    /**
     * quantizeml {@code QFloat.quantize(x, value_bits, scales, frac_bits)}: divides by the scales in
     * float32, then {@link FixedPoint#quantize} (round half to even, saturate).
     *
     * @param shape the shape of {@code x}
     * @param x C-order finite floats (not modified)
     * @param valueBits value bits, 0 to 31
     * @param scales per-tensor or per-axis scales
     * @param fracBits per-tensor or per-axis fractional bits
     * @return the quantized tensor
     * @throws IllegalArgumentException if an element is not finite or a length disagrees
     * @throws NullPointerException if an argument is null
     */
    public static QFloat quantize(Shape shape, float[] x, int valueBits, Scales scales, FracBits fracBits) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(scales, "scales");
        Checks.finite("x", x);
        FixedPoint.quantize(shape, new float[shape.size()], valueBits, fracBits); // validates the header
        if (scales.isPerAxis() && scales.length() != shape.channels()) {
            throw new IllegalArgumentException("per-axis scales must have one entry per channel ("
                    + shape.channels() + "), got " + scales.length());
        }
        return quantizeUnchecked(shape, x, valueBits, scales, fracBits);
    }

    static QFloat quantizeUnchecked(Shape shape, float[] x, int valueBits, Scales scales, FracBits fracBits) {
        int channels = shape.channels();
        float[] scaled = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            scaled[i] = F32.ftz(F32.ftz(x[i]) / scales.get(i % channels));
        }
        return new QFloat(FixedPoint.quantizeUnchecked(shape, scaled, valueBits, fracBits), scales);
    }

    /**
     * quantizeml {@code QFloat.optimal_scales(ranges, value_bits)}: {@code float32(range / (2^valueBits
     * - 1))}, the scale that maps {@code range} onto the largest integer.
     *
     * @param range a finite range
     * @param valueBits value bits, 0 to 31
     * @return the scale (not clamped; the weight quantizer clamps it to {@code 1e-6})
     */
    public static float optimalScale(float range, int valueBits) {
        return optimalScale(range, valueBits, Reference.defaults());
    }

    /**
     * {@link #optimalScale(float, int)} as the given reference profile computes it: in graph mode the
     * division by the constant {@code 2^valueBits - 1} is a multiplication by its float32 reciprocal.
     *
     * @param range a finite range
     * @param valueBits value bits, 0 to 31
     * @param reference the profile
     * @return the scale (not clamped)
     */
    public static float optimalScale(float range, int valueBits, Reference reference) {
        Checks.inRange("valueBits", valueBits, 0, FixedPoint.MAX_VALUE_BITS);
        return TfMath.of(reference).optimalScale(range, valueBits);
    }

    /**
     * quantizeml {@code QFloat.quantize_scales(scales, scale_bits)}: quantizes each scale with
     * {@code scaleBits} value bits and {@code scaleBits - ceil(log2(scale))} fractional bits (not
     * clamped), rounding half to even. The mantissa lands in {@code [2^(scaleBits-1), 2^scaleBits]},
     * and an exact power of two saturates to {@code 2^scaleBits - 1}.
     *
     * @param scales the scales
     * @param scaleBits the value bits of the quantized scales, 1 to 31
     * @return a FixedPoint of shape {@code ()} (per-tensor) or {@code (C)} (per-axis)
     * @throws IllegalArgumentException if {@code scaleBits} is out of range
     */
    public static FixedPoint quantizeScales(Scales scales, int scaleBits) {
        return quantizeScales(scales, scaleBits, Reference.defaults());
    }

    /**
     * {@link #quantizeScales(Scales, int)} as the given reference profile computes it (in graph mode
     * {@code ceil_log2} divides by a constant).
     *
     * @param scales the scales
     * @param scaleBits the value bits of the quantized scales, 1 to 31
     * @param reference the profile
     * @return a FixedPoint of shape {@code ()} (per-tensor) or {@code (C)} (per-axis)
     * @throws IllegalArgumentException if {@code scaleBits} is out of range
     */
    public static FixedPoint quantizeScales(Scales scales, int scaleBits, Reference reference) {
        Objects.requireNonNull(scales, "scales");
        Objects.requireNonNull(reference, "reference");
        Checks.inRange("scaleBits", scaleBits, 0, MAX_SCALE_BITS);
        float[] s = scales.toArray();
        float[] fb = TfMath.of(reference).maxFracBits(scaleBits, s, false);
        FracBits fracBits = FracBits.fromFloats("scale fracBits", fb, scales.isPerAxis());
        Shape shape = scales.isPerAxis() ? Shape.of(s.length) : Shape.scalar();
        return FixedPoint.quantizeUnchecked(shape, s, scaleBits, fracBits);
    }

    /**
     * Returns the integer payload.
     *
     * @return the inner FixedPoint
     */
    @Override
    public FixedPoint fixedPoint() {
        return fp;
    }

    /**
     * Returns the scales.
     *
     * @return per-tensor or per-axis scales
     */
    public Scales scales() {
        return scales;
    }

    @Override
    public Shape shape() {
        return fp.shape();
    }

    @Override
    public int valueBits() {
        return fp.valueBits();
    }

    @Override
    public FracBits fracBits() {
        return fp.fracBits();
    }

    /** quantizeml {@code QFloat.per_tensor}: per-tensor fractional bits and a scalar scale. */
    @Override
    public boolean isPerTensor() {
        return fp.isPerTensor() && !scales.isPerAxis();
    }

    @Override
    public long valueAt(int index) {
        return fp.valueAt(index);
    }

    @Override
    public long[] copyValues() {
        return fp.copyValues();
    }

    @Override
    public int[] copyValuesAsInt() {
        return fp.copyValuesAsInt();
    }

    /** quantizeml {@code QFloat.to_float()}: {@code float32(fp.to_float() * scales)}. */
    @Override
    public float[] toFloat() {
        float[] f = fp.toFloat();
        int channels = shape().channels();
        for (int i = 0; i < f.length; i++) {
            f[i] = F32.ftz(f[i] * scales.get(i % channels));
        }
        return f;
    }

    /**
     * quantizeml {@code QFloat.to_fixed_point(scale_bits)}: quantizes the scales
     * ({@link #quantizeScales}) and multiplies them into the payload. The result keeps the payload's
     * value bits (saturating there) and has fractional bits {@code fracBits + scale fracBits}.
     *
     * @param scaleBits value bits of the quantized scales
     * @return the fixed-point equivalent
     * @throws IllegalArgumentException if {@code scaleBits} is out of range
     */
    public FixedPoint toFixedPoint(int scaleBits) {
        return toFixedPoint(scaleBits, Reference.defaults());
    }

    /**
     * {@link #toFixedPoint(int)} as the given reference profile computes it.
     *
     * @param scaleBits value bits of the quantized scales
     * @param reference the profile
     * @return the fixed-point equivalent
     * @throws IllegalArgumentException if {@code scaleBits} is out of range
     */
    public FixedPoint toFixedPoint(int scaleBits, Reference reference) {
        return fp.multiply(quantizeScales(scales, scaleBits, reference));
    }

    /**
     * quantizeml {@code QFloat.upscale}: {@link FixedPoint#upscale} of the payload; same scales.
     *
     * @param target at least the current fractional bits
     * @param valueBits the value bits of the result
     * @return the upscaled QFloat
     * @throws QuantizationException as {@link FixedPoint#upscale}
     */
    public QFloat upscale(FracBits target, int valueBits) {
        return new QFloat(fp.upscale(target, valueBits), scales);
    }

    /**
     * {@link #upscale(FracBits, int)} as the given profile's quantizeml computes it
     * ({@link FixedPoint#upscale(FracBits, int, Reference)}).
     *
     * @param target at least the current fractional bits
     * @param valueBits the value bits of the result
     * @param reference the profile
     * @return the upscaled QFloat
     * @throws QuantizationException as {@link FixedPoint#upscale}
     */
    public QFloat upscale(FracBits target, int valueBits, Reference reference) {
        return new QFloat(fp.upscale(target, valueBits, reference), scales);
    }

    /**
     * quantizeml {@code QFloat.promote}: {@link FixedPoint#promote} of the payload; same scales.
     *
     * @param bits the new value bits
     * @return the promoted QFloat
     * @throws QuantizationException as {@link FixedPoint#promote}
     */
    public QFloat promote(int bits) {
        return new QFloat(fp.promote(bits), scales);
    }

    /**
     * quantizeml {@code QFloat.__add__}: the scales must be equal (bit for bit, per channel), then the
     * payloads add as {@link FixedPoint#add}.
     *
     * @param other a QFloat with the same scales and fractional bits
     * @return the sum, with this QFloat's scales
     * @throws QuantizationException ({@code InvalidArgumentError}) if scales or fractional bits differ
     */
    public QFloat add(QFloat other) {
        Objects.requireNonNull(other, "other");
        int channels = FixedPoint.broadcast(shape(), other.shape()).channels();
        for (int c = 0; c < channels; c++) {
            if (Float.floatToIntBits(scales.get(c)) != Float.floatToIntBits(other.scales.get(c))) {
                throw new QuantizationException(ReferenceError.INVALID_ARGUMENT,
                        "operands must have equal scales, got " + scales.get(c) + " and "
                                + other.scales.get(c) + " at channel " + c);
            }
        }
        return new QFloat(fp.add(other.fp), scales);
    }

    /**
     * quantizeml {@code tf.multiply(QFloat, QFloat)}: payloads multiply as {@link FixedPoint#multiply},
     * scales multiply in float32. This QFloat must be per-tensor.
     *
     * @param y the second factor
     * @return the product
     * @throws QuantizationException ({@code InvalidArgumentError}) if this QFloat is not per-tensor
     * @throws IllegalArgumentException if a scale product leaves the normal float32 range
     */
    public QFloat multiply(QFloat y) {
        Objects.requireNonNull(y, "y");
        FixedPoint.requirePerTensor(this, "x");
        boolean perAxis = scales.isPerAxis() || y.scales.isPerAxis();
        int n = perAxis ? shape().channels() : 1;
        float[] s = new float[n];
        for (int c = 0; c < n; c++) {
            s[c] = F32.ftz(scales.get(c) * y.scales.get(c));
        }
        return new QFloat(fp.multiply(y.fp), Scales.of(s, perAxis));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QFloat && fp.equals(((QFloat) o).fp) && scales.equals(((QFloat) o).scales);
    }

    @Override
    public int hashCode() {
        return 31 * fp.hashCode() + scales.hashCode();
    }

    /** Returns e.g. {@code QFloat[shape=[1, 1, 2], valueBits=31, fracBits=2, scales=0.015748031, values=[320, -1780]]}. */
    @Override
    public String toString() {
        return "QFloat[shape=" + shape() + ", valueBits=" + valueBits() + ", fracBits=" + fracBits()
                + ", scales=" + scales + ", values=" + Checks.head(fp.copyValuesAsFloat(), 8) + "]";
    }
}
