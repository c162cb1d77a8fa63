package io.github.qbn4j.tensor;

import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.internal.TensorAccess;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor of integers with fractional bits: element {@code i} of channel {@code c} stands for
 * {@code values[i] * 2^-fracBits[c]} (quantizeml 0.5.2 {@code FixedPoint}).
 *
 * <p><b>Storage and saturation.</b> quantizeml keeps the integers in a float32 tensor and clips them
 * on construction to {@code [-2^valueBits, float32(2^valueBits - 1)]}. qbn4j does the same: every
 * value is a float32 integer, and every operation rounds its intermediates to float32 exactly where
 * TensorFlow does, so magnitudes past {@code 2^24} lose low bits as they do in the reference. The
 * upper bound for 25 or more value bits is {@code 2^valueBits}, because {@code 2^valueBits - 1} is not
 * a float32: a 31-bit buffer clips at {@code +2^31}.
 *
 * <p><b>Equality</b> compares the representation: shape, value bits, fractional bits (including
 * their per-tensor or per-axis form) and values. Tensors with the same real values but different
 * fractional bits are not equal. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * FixedPoint x = FixedPoint.of(Shape.of(1, 1, 4), new int[] {5, -5, -7, 3}, 31, FracBits.of(1));
 * FixedPoint y = x.rescale(FracBits.of(0), 7);   // round half up: [3, -2, -3, 2]
 * FixedPoint q = FixedPoint.quantize(Shape.of(3), new float[] {2.5f, 3.5f, 200f}, 7, FracBits.of(0));
 * // round half to even, then saturate: [2, 4, 127]
 * }</pre>
 */
public final class FixedPoint implements QTensor {

    /**
     * The largest value bits qbn4j supports: those of quantizeml 0.17.1's 40-bit layer buffer (0.5.2's
     * layer accepts at most a 32-bit buffer, 31 value bits; its configuration refuses wider ones).
     */
    public static final int MAX_VALUE_BITS = 39;

    static {
        TensorAccess.install(new TensorAccess() {
            @Override
            public byte[] bytes(FixedPoint x) {
                return x.bytes;
            }

            @Override
            public float[] floats(FixedPoint x) {
                return x.floats();
            }

            @Override
            public FixedPoint wrap(Shape shape, byte[] values, int valueBits, FracBits fracBits) {
                return new FixedPoint(shape, values, null, valueBits, fracBits);
            }

            @Override
            public FixedPoint wrap(Shape shape, float[] values, int valueBits, FracBits fracBits) {
                return new FixedPoint(shape, null, values, valueBits, fracBits);
            }
        });
    }

    private final Shape shape;
    /**
     * int8 storage (tensors made from bytes, or of at most 7 value bits by a factory), or null. The
     * storage is not part of the value: {@link #equals} compares integers.
     */
    private final byte[] bytes;
    /** float32 storage as quantizeml keeps it; for int8 storage, made on first need (see {@link #floats()}). */
    private volatile float[] values;
    private final int valueBits;
    private final FracBits fracBits;

    private FixedPoint(Shape shape, byte[] bytes, float[] values, int valueBits, FracBits fracBits) {
        this.shape = shape;
        this.bytes = bytes;
        this.values = values;
        this.valueBits = valueBits;
        this.fracBits = fracBits;
    }

    private FixedPoint(Shape shape, float[] values, int valueBits, FracBits fracBits) {
        this(shape, null, values, valueBits, fracBits);
    }

    /**
     * The values as float32 integers. A tensor stored as int8 makes them once; two threads racing may
     * both make them, which is harmless (same contents, published through the volatile field).
     */
    private float[] floats() {
        float[] v = values;
        if (v == null) {
            byte[] b = bytes;
            v = new float[b.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = b[i];
            }
            values = v;
        }
        return v;
    }

    private int length() {
        return bytes != null ? bytes.length : values.length;
    }

    /**
     * Creates a fixed-point tensor from exact integers. Nothing is rounded or clipped.
     *
     * @param shape the shape, rank 0 to 4
     * @param values C-order integers, each in {@code [-2^valueBits, float32(2^valueBits - 1)]} and
     *     exactly representable in float32 (copied)
     * @param valueBits value bits, 0 to 39
     * @param fracBits per-tensor, or per-axis with one entry per channel
     * @return the tensor
     * @throws IllegalArgumentException if a value is out of range or not a float32 integer, the
     *     length disagrees with the shape, or the frac bits with the channel count
     * @throws NullPointerException if an argument is null
     */
    public static FixedPoint of(Shape shape, long[] values, int valueBits, FracBits fracBits) {
        Objects.requireNonNull(values, "values");
        checkHeader(shape, values.length, valueBits, fracBits);
        if (valueBits <= 7) {
            byte[] b = new byte[values.length];
            long lo = -(1L << valueBits);
            long hi = (1L << valueBits) - 1;
            for (int i = 0; i < values.length; i++) {
                if (values[i] < lo || values[i] > hi) {
                    throw outOfRange(shape, values[i], i, valueBits);
                }
                b[i] = (byte) values[i];
            }
            return new FixedPoint(shape, b, null, valueBits, fracBits);
        }
        float[] v = new float[values.length];
        float hi = F32.upperBound(valueBits);
        float lo = -F32.pow2(valueBits);
        for (int i = 0; i < values.length; i++) {
            float f = values[i];
            if ((long) f != values[i] || f < lo || f > hi) {
                throw outOfRange(shape, values[i], i, valueBits);
            }
            v[i] = f;
        }
        return new FixedPoint(shape, v, valueBits, fracBits);
    }

    private static IllegalArgumentException outOfRange(Shape shape, long value, int index, int valueBits) {
        return new IllegalArgumentException("values must be integers in [" + -(1L << valueBits) + ", "
                + (long) F32.upperBound(valueBits) + "] that float32 holds exactly (valueBits " + valueBits
                + "), got " + value + " at " + shape.coordinates(index));
    }

    /**
     * Creates a fixed-point tensor from exact {@code int} values; see
     * {@link #of(Shape, long[], int, FracBits)}.
     *
     * @param shape the shape, rank 0 to 4
     * @param values C-order integers in range for {@code valueBits} (copied)
     * @param valueBits value bits, 0 to 39
     * @param fracBits per-tensor, or per-axis with one entry per channel
     * @return the tensor
     * @throws IllegalArgumentException as {@link #of(Shape, long[], int, FracBits)}
     * @throws NullPointerException if an argument is null
     */
    public static FixedPoint of(Shape shape, int[] values, int valueBits, FracBits fracBits) {
        Objects.requireNonNull(values, "values");
        checkHeader(shape, values.length, valueBits, fracBits);
        long lo = -(1L << valueBits);
        long hi = (long) F32.upperBound(valueBits);
        byte[] b = valueBits <= 7 ? new byte[values.length] : null;
        float[] v = b == null ? new float[values.length] : null;
        for (int i = 0; i < values.length; i++) {
            int x = values[i];
            if (x < lo || x > hi || (int) (float) x != x) {
                throw outOfRange(shape, x, i, valueBits);
            }
            if (b != null) {
                b[i] = (byte) x;
            } else {
                v[i] = x;
            }
        }
        return new FixedPoint(shape, b, v, valueBits, fracBits);
    }

    /**
     * Creates a fixed-point tensor from int8 values, e.g. a quantized activation buffer; see
     * {@link #of(Shape, long[], int, FracBits)}. With at most 7 value bits the tensor keeps the bytes
     * as they are (one byte per element), and {@code QuantizedBatchNormalization.call} runs on them
     * without widening.
     *
     * @param shape the shape, rank 0 to 4
     * @param values C-order integers in {@code [-2^valueBits, 2^valueBits - 1]} (copied)
     * @param valueBits value bits, 0 to 39 (7 for a full int8 range)
     * @param fracBits per-tensor, or per-axis with one entry per channel
     * @return the tensor
     * @throws IllegalArgumentException if a value is out of range for {@code valueBits}, or a length
     *     disagrees
     * @throws NullPointerException if an argument is null
     */
    public static FixedPoint of(Shape shape, byte[] values, int valueBits, FracBits fracBits) {
        Objects.requireNonNull(values, "values");
        checkHeader(shape, values.length, valueBits, fracBits);
        if (valueBits < 7) {
            int lo = -(1 << valueBits);
            int hi = (1 << valueBits) - 1;
            for (int i = 0; i < values.length; i++) {
                if (values[i] < lo || values[i] > hi) {
                    throw outOfRange(shape, values[i], i, valueBits);
                }
            }
        }
        return new FixedPoint(shape, values.clone(), null, valueBits, fracBits);
    }

    /**
     * Creates a fixed-point tensor from int16 values; see {@link #of(Shape, long[], int, FracBits)}.
     *
     * @param shape the shape, rank 0 to 4
     * @param values C-order integers in {@code [-2^valueBits, 2^valueBits - 1]} (copied)
     * @param valueBits value bits, 0 to 39 (15 for a full int16 range)
     * @param fracBits per-tensor, or per-axis with one entry per channel
     * @return the tensor
     * @throws IllegalArgumentException if a value is out of range for {@code valueBits}, or a length
     *     disagrees
     * @throws NullPointerException if an argument is null
     */
    public static FixedPoint of(Shape shape, short[] values, int valueBits, FracBits fracBits) {
        Objects.requireNonNull(values, "values");
        checkHeader(shape, values.length, valueBits, fracBits);
        long lo = -(1L << valueBits);
        long hi = (long) F32.upperBound(valueBits);
        byte[] b = valueBits <= 7 ? new byte[values.length] : null;
        float[] v = b == null ? new float[values.length] : null;
        for (int i = 0; i < values.length; i++) {
            short x = values[i];
            if (x < lo || x > hi) {
                throw outOfRange(shape, x, i, valueBits);
            }
            if (b != null) {
                b[i] = (byte) x;
            } else {
                v[i] = x;
            }
        }
        return new FixedPoint(shape, b, v, valueBits, fracBits);
    }

    /**
     * quantizeml {@code FixedPoint.quantize(x, value_bits, frac_bits)}: {@code values =
     * saturate(roundHalfEven(float32(x * 2^fracBits)))}. Ties round to even; out-of-range results
     * saturate; subnormal products flush to zero as in TensorFlow.
     *
     * @param shape the shape of {@code x}
     * @param x C-order finite floats (not modified)
     * @param valueBits value bits, 0 to 39
     * @param fracBits per-tensor, or per-axis with one entry per channel
     * @return the quantized tensor
     * @throws IllegalArgumentException if an element of {@code x} is not finite, or a length disagrees
     * @throws NullPointerException if an argument is null
     */
    public static FixedPoint quantize(Shape shape, float[] x, int valueBits, FracBits fracBits) {
        Objects.requireNonNull(x, "x");
        checkHeader(shape, x.length, valueBits, fracBits);
        Checks.finite("x", x);
        return quantizeUnchecked(shape, x, valueBits, fracBits);
    }

    static FixedPoint quantizeUnchecked(Shape shape, float[] x, int valueBits, FracBits fracBits) {
        int channels = shape.channels();
        float[] v = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float scaled = F32.ftz(F32.ftz(x[i]) * F32.pow2(fracBits.get(i % channels)));
            v[i] = F32.saturate(F32.roundHalfEven(scaled), valueBits);
        }
        return new FixedPoint(shape, v, valueBits, fracBits);
    }

    /**
     * quantizeml {@code FixedPoint.max_frac_bits(value_bits, range)}: the most fractional bits that
     * keep {@code range} within {@code valueBits}, i.e. {@code min(valueBits - ceil(log2(range)),
     * valueBits)}, with TensorFlow's float32 logarithm. A zero range gives {@code valueBits}.
     *
     * @param valueBits value bits, 0 to 39
     * @param range a finite range {@code >= 0}
     * @return the fractional bits, possibly negative
     * @throws IllegalArgumentException if {@code range} is negative or not finite
     */
    public static int maxFracBits(int valueBits, float range) {
        Checks.inRange("valueBits", valueBits, 0, MAX_VALUE_BITS);
        if (!(range >= 0f) || !Float.isFinite(range)) {
            throw new IllegalArgumentException("range must be finite and >= 0, got " + range);
        }
        return (int) TfMath.of(Reference.defaults()).maxFracBits(valueBits, new float[] {range}, true)[0];
    }

    private static void checkHeader(Shape shape, int length, int valueBits, FracBits fracBits) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(fracBits, "fracBits");
        Checks.inRange("valueBits", valueBits, 0, MAX_VALUE_BITS);
        if (length != shape.size()) {
            throw new IllegalArgumentException("values must have " + shape.size()
                    + " elements for shape " + shape + ", got " + length);
        }
        checkFracBits(shape, fracBits);
    }

    static void checkFracBits(Shape shape, FracBits fracBits) {
        if (fracBits.isPerAxis() && fracBits.length() != shape.channels()) {
            throw new IllegalArgumentException("per-axis fracBits must have one entry per channel ("
                    + shape.channels() + " for shape " + shape + "), got " + fracBits.length());
        }
    }

    /** Wraps values already rounded and saturated to {@code valueBits}; takes ownership. */
    static FixedPoint wrap(Shape shape, float[] values, int valueBits, FracBits fracBits) {
        return new FixedPoint(shape, values, valueBits, fracBits);
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public int valueBits() {
        return valueBits;
    }

    @Override
    public FracBits fracBits() {
        return fracBits;
    }

    @Override
    public FixedPoint fixedPoint() {
        return this;
    }

    /** quantizeml {@code FixedPoint.per_tensor}: the fractional bits have one element. */
    @Override
    public boolean isPerTensor() {
        return fracBits.isPerTensor();
    }

    @Override
    public long valueAt(int index) {
        return (long) rawValue(Objects.checkIndex(index, length()));
    }

    @Override
    public long[] copyValues() {
        long[] out = new long[length()];
        byte[] b = bytes;
        if (b != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] = b[i];
            }
            return out;
        }
        float[] v = values;
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) v[i];
        }
        return out;
    }

    @Override
    public int[] copyValuesAsInt() {
        int[] out = new int[length()];
        byte[] b = bytes;
        if (b != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] = b[i];
            }
            return out;
        }
        float[] v = values;
        for (int i = 0; i < out.length; i++) {
            if ((long) v[i] > Integer.MAX_VALUE) {
                // +2^31 (a 31-bit tensor holds it: quantizeml clips at float32(2^31 - 1)) or wider values
                throw new IllegalStateException("values must fit in an int to be copied as int[], got "
                        + (long) v[i] + " at " + shape.coordinates(i) + " (use copyValues())");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /**
     * Returns the values as bytes, e.g. for an int8 output buffer.
     *
     * @return a new array in C order
     * @throws IllegalStateException if the tensor has more than 7 value bits (its values need not fit
     *     a byte)
     */
    public byte[] copyValuesAsByte() {
        if (valueBits > 7) {
            throw new IllegalStateException("valueBits must be <= 7 to copy the values as byte[], got "
                    + valueBits + " (use copyValuesAsInt())");
        }
        byte[] b = bytes;
        if (b != null) {
            return b.clone();
        }
        float[] v = values;
        byte[] out = new byte[v.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    /**
     * Returns the values as quantizeml stores them, float32 integers.
     *
     * @return a new array in C order
     */
    public float[] copyValuesAsFloat() {
        return floats().clone();
    }

    float rawValue(int index) {
        byte[] b = bytes;
        return b != null ? b[index] : values[index];
    }

    /**
     * quantizeml {@code FixedPoint.to_float()}: {@code values / 2^fracBits} in float32.
     *
     * @return a new array in C order
     */
    @Override
    public float[] toFloat() {
        int channels = shape.channels();
        float[] values = floats();
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = F32.ftz(values[i] / F32.pow2(fracBits.get(i % channels)));
        }
        return out;
    }

    /**
     * quantizeml {@code FixedPoint.promote(bits)}: the same values and fractional bits with more value
     * bits.
     *
     * @param bits the new value bits, from {@link #valueBits()} to 39
     * @return the promoted tensor
     * @throws QuantizationException ({@code ValueError}) if {@code bits} is below the current value
     *     bits or negative
     * @throws IllegalArgumentException if {@code bits} exceeds 39
     */
    public FixedPoint promote(int bits) {
        if (bits < 0) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR,
                    "bits must be >= 0 to promote, got " + bits);
        }
        if (bits < valueBits) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, "bits must be >= the current "
                    + valueBits + " value bits to promote (use a quantizer to reduce them), got " + bits);
        }
        Checks.inRange("bits", bits, 0, MAX_VALUE_BITS);
        return new FixedPoint(shape, bytes, values, bits, fracBits);
    }

    /**
     * quantizeml {@code FixedPoint.rescale(frac_bits, value_bits)}: moves to {@code target} fractional
     * bits, {@code values * 2^(target - fracBits)}, rounding <b>half up</b> ({@code floor(v + 0.5)},
     * ties toward +infinity) when bits are dropped, then saturates to {@code valueBits}.
     *
     * @param target per-tensor, or per-axis with one entry per channel
     * @param valueBits the value bits of the result, 0 to 39
     * @return the rescaled tensor, with fractional bits {@code target}
     * @throws QuantizationException ({@code InvalidArgumentError}) if some shift
     *     {@code target - fracBits} is {@code >= valueBits}: quantizeml refuses a left shift that
     *     always saturates
     * @throws IllegalArgumentException if the lengths disagree or {@code valueBits} is out of range
     */
    public FixedPoint rescale(FracBits target, int valueBits) {
        checkTarget(target, valueBits);
        checkShiftBelow(target, valueBits, "rescale");
        int channels = shape.channels();
        float[] values = floats();
        float[] v = new float[values.length];
        for (int i = 0; i < v.length; i++) {
            int c = i % channels;
            float shifted = F32.ftz(values[i] * F32.pow2(shift(target.get(c), fracBits.get(c))));
            v[i] = F32.saturate(F32.roundHalfUp(shifted), valueBits);
        }
        return new FixedPoint(shape, v, valueBits, target);
    }

    /**
     * quantizeml {@code FixedPoint.upscale(frac_bits, value_bits)}: adds fractional bits by exact left
     * shifts, {@code values * 2^(target - fracBits)}, then saturates to {@code valueBits}.
     *
     * @param target at least the current fractional bits, on every channel
     * @param valueBits the value bits of the result, 0 to 39
     * @return the upscaled tensor, with fractional bits {@code target}
     * @throws QuantizationException ({@code InvalidArgumentError}) if {@code target} is below the
     *     current fractional bits on some channel, or a shift is {@code >= valueBits}
     * @throws IllegalArgumentException if the lengths disagree or {@code valueBits} is out of range
     */
    public FixedPoint upscale(FracBits target, int valueBits) {
        return upscale(target, valueBits, Reference.defaults());
    }

    /**
     * {@link #upscale(FracBits, int)} as the given profile's quantizeml computes it. quantizeml 0.17.1
     * upscales through {@link #rescale}: after the same precision check, {@code values * 2^shift} is
     * rounded by {@code floor(float32(v + 0.5))}, so an odd value in {@code [2^23, 2^24)} at shift 0
     * becomes {@code v + 1} (e.g. 8388609 to 8388610, -8388609 to -8388608), then saturated.
     *
     * @param target at least the current fractional bits, on every channel
     * @param valueBits the value bits of the result, 0 to 39
     * @param reference the profile
     * @return the upscaled tensor, with fractional bits {@code target}
     * @throws QuantizationException as {@link #upscale(FracBits, int)}
     * @throws IllegalArgumentException as {@link #upscale(FracBits, int)}
     */
    public FixedPoint upscale(FracBits target, int valueBits, Reference reference) {
        Objects.requireNonNull(reference, "reference");
        checkTarget(target, valueBits);
        int channels = shape.channels();
        for (int c = 0; c < channels; c++) {
            if (fracBits.get(c) > target.get(c)) {
                throw new QuantizationException(ReferenceError.INVALID_ARGUMENT,
                        "target fracBits must be >= the current ones to upscale, got " + target.get(c)
                                + " < " + fracBits.get(c) + " at channel " + c);
            }
        }
        if (reference.quantizeml().isAtLeast(Reference.Quantizeml.V0_17_1)) {
            return rescale(target, valueBits); // quantizeml 0.17.1: "return self.rescale(frac_bits, value_bits)"
        }
        checkShiftBelow(target, valueBits, "upscale");
        float[] values = floats();
        float[] v = new float[values.length];
        for (int i = 0; i < v.length; i++) {
            int c = i % channels;
            v[i] = F32.saturate(F32.ftz(values[i] * F32.pow2(shift(target.get(c), fracBits.get(c)))), valueBits);
        }
        return new FixedPoint(shape, v, valueBits, target);
    }

    /**
     * quantizeml {@code FixedPoint.downscale(frac_bits)}: {@link #rescale} to fewer fractional bits,
     * rounding half up, with the same value bits.
     *
     * @param target at most the current fractional bits, on every channel
     * @return the downscaled tensor
     * @throws QuantizationException ({@code InvalidArgumentError}) if {@code target} exceeds the current
     *     fractional bits on some channel
     * @throws IllegalArgumentException if the lengths disagree
     */
    public FixedPoint downscale(FracBits target) {
        checkTarget(target, valueBits);
        for (int c = 0; c < shape.channels(); c++) {
            if (target.get(c) > fracBits.get(c)) {
                throw new QuantizationException(ReferenceError.INVALID_ARGUMENT,
                        "target fracBits must be <= the current ones to downscale, got " + target.get(c)
                                + " > " + fracBits.get(c) + " at channel " + c);
            }
        }
        return rescale(target, valueBits);
    }

    /**
     * quantizeml {@code FixedPoint.align(other, value_bits)}: {@link #upscale} to the channel-wise
     * maximum of both tensors' fractional bits.
     *
     * @param other the tensor to align with
     * @param valueBits the value bits of the result
     * @return this tensor, upscaled
     * @throws QuantizationException ({@code InvalidArgumentError}) if a shift is {@code >= valueBits}
     * @throws IllegalArgumentException if the channel counts disagree
     */
    public FixedPoint align(FixedPoint other, int valueBits) {
        Objects.requireNonNull(other, "other");
        boolean perAxis = fracBits.broadcastPerAxis(other.fracBits);
        int n = perAxis ? shape.channels() : 1;
        checkFracBits(shape, other.fracBits);
        int[] max = new int[n];
        for (int c = 0; c < n; c++) {
            max[c] = Math.max(fracBits.get(c), other.fracBits.get(c));
        }
        return upscale(perAxis ? FracBits.perAxis(max) : FracBits.of(max[0]), valueBits);
    }

    /**
     * quantizeml {@code FixedPoint.expand(value_bits)}: a per-tensor equivalent with more value bits,
     * every channel left-shifted to the largest fractional bits.
     *
     * @param valueBits at least the current value bits, at most 39
     * @return the expanded tensor, per-tensor
     * @throws QuantizationException ({@code ValueError}) if {@code valueBits} is below the current
     *     value bits; ({@code InvalidArgumentError}) if a channel's shift is {@code >= valueBits}
     */
    public FixedPoint expand(int valueBits) {
        return expand(valueBits, Reference.defaults());
    }

    /**
     * {@link #expand(int)} as the given profile's quantizeml computes it (0.17.1 upscales through
     * {@link #rescale}: see {@link #upscale(FracBits, int, Reference)}).
     *
     * @param valueBits at least the current value bits, at most 39
     * @param reference the profile
     * @return the expanded tensor, per-tensor
     * @throws QuantizationException as {@link #expand(int)}
     */
    public FixedPoint expand(int valueBits, Reference reference) {
        Objects.requireNonNull(reference, "reference");
        if (valueBits < this.valueBits) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, "valueBits must be >= the current "
                    + this.valueBits + " to expand (use a quantizer to reduce them), got " + valueBits);
        }
        return upscale(FracBits.of(fracBits.max()), valueBits, reference);
    }

    /**
     * quantizeml {@code FixedPoint.__add__}: {@code values + other.values}, saturated to this tensor's
     * value bits. The fractional bits must already be equal: quantizeml does not align.
     * {@code other} may have this shape, or be a per-channel vector or a scalar that broadcasts.
     *
     * @param other a tensor with the same fractional bits
     * @return the sum, with this tensor's value bits and fractional bits
     * @throws QuantizationException ({@code InvalidArgumentError}) if the fractional bits differ
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public FixedPoint add(FixedPoint other) {
        return addOrSubtract(other, false);
    }

    /**
     * quantizeml {@code FixedPoint.__sub__}: as {@link #add} with {@code values - other.values}.
     *
     * @param other a tensor with the same fractional bits
     * @return the difference
     * @throws QuantizationException ({@code InvalidArgumentError}) if the fractional bits differ
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public FixedPoint subtract(FixedPoint other) {
        return addOrSubtract(other, true);
    }

    private FixedPoint addOrSubtract(FixedPoint other, boolean subtract) {
        Objects.requireNonNull(other, "other");
        Shape out = broadcast(shape, other.shape);
        int channels = out.channels();
        checkFracBits(out, fracBits);
        checkFracBits(out, other.fracBits);
        for (int c = 0; c < channels; c++) {
            if (fracBits.get(c) != other.fracBits.get(c)) {
                throw new QuantizationException(ReferenceError.INVALID_ARGUMENT,
                        "operands must have equal fracBits (they are not aligned), got " + fracBits.get(c)
                                + " and " + other.fracBits.get(c) + " at channel " + c);
            }
        }
        float[] values = floats();
        float[] otherValues = other.floats();
        float[] v = new float[out.size()];
        for (int i = 0; i < v.length; i++) {
            float a = values[index(shape, i)];
            float b = otherValues[index(other.shape, i)];
            v[i] = F32.saturate(F32.ftz(subtract ? a - b : a + b), valueBits);
        }
        return new FixedPoint(out, v, valueBits, fracBits);
    }

    /**
     * quantizeml {@code tf.multiply(FixedPoint, FixedPoint)}: {@code float32(values * other.values)},
     * saturated to <b>this</b> tensor's value bits, with fractional bits {@code fracBits +
     * other.fracBits}. {@code other} may have this shape, or broadcast as a channel vector or scalar.
     *
     * @param other the second factor
     * @return the product
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public FixedPoint multiply(FixedPoint other) {
        Objects.requireNonNull(other, "other");
        Shape out = broadcast(shape, other.shape);
        checkFracBits(out, fracBits);
        checkFracBits(out, other.fracBits);
        boolean perAxis = fracBits.broadcastPerAxis(other.fracBits);
        int n = perAxis ? out.channels() : 1;
        int[] fb = new int[n];
        for (int c = 0; c < n; c++) {
            fb[c] = fracBits.get(c) + other.fracBits.get(c);
        }
        float[] values = floats();
        float[] otherValues = other.floats();
        float[] v = new float[out.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = F32.saturate(F32.ftz(values[index(shape, i)] * otherValues[index(other.shape, i)]),
                    valueBits);
        }
        return new FixedPoint(out, v, valueBits, perAxis ? FracBits.perAxis(fb) : FracBits.of(fb[0]));
    }

    /**
     * quantizeml {@code tf.multiply(FixedPoint, QFloat)}: {@code QFloat(this * y.fp, y.scales)}. This
     * tensor must be per-tensor.
     *
     * @param y the QFloat factor
     * @return the product
     * @throws QuantizationException ({@code InvalidArgumentError}) if this tensor is per-axis
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    public QFloat multiply(QFloat y) {
        Objects.requireNonNull(y, "y");
        requirePerTensor(this, "x");
        return QFloat.wrap(multiply(y.fixedPoint()), y.scales());
    }

    static void requirePerTensor(QTensor x, String name) {
        if (!x.isPerTensor()) {
            throw new QuantizationException(ReferenceError.INVALID_ARGUMENT,
                    name + " must be per-tensor, got per-axis fracBits " + x.fracBits()
                            + (x instanceof QFloat ? " and scales " + ((QFloat) x).scales() : ""));
        }
    }

    /**
     * {@code to - from} computed without overflow: fractional bits span the whole {@code int} range, so
     * their difference does not fit an {@code int} (dropping {@code 2^32 - 1} bits wrapped to a left
     * shift by one). Clamped to {@code int}, where {@link F32#pow2(int)} is already 0 or infinite.
     */
    static int shift(int to, int from) {
        long d = (long) to - from;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, d));
    }

    private void checkTarget(FracBits target, int valueBits) {
        Objects.requireNonNull(target, "target");
        Checks.inRange("valueBits", valueBits, 0, MAX_VALUE_BITS);
        checkFracBits(shape, target);
    }

    private void checkShiftBelow(FracBits target, int valueBits, String op) {
        for (int c = 0; c < shape.channels(); c++) {
            long shift = (long) target.get(c) - fracBits.get(c);
            if (shift >= valueBits) {
                throw new QuantizationException(ReferenceError.INVALID_ARGUMENT, "shift must be < "
                        + valueBits + " (the value bits) to " + op + " without always saturating, got "
                        + shift + " at channel " + c + " (fracBits " + fracBits.get(c) + " -> "
                        + target.get(c) + ")");
            }
        }
    }

    static Shape broadcast(Shape a, Shape b) {
        if (a.equals(b) || isChannelVector(b, a)) {
            return a;
        }
        if (isChannelVector(a, b)) {
            return b;
        }
        throw new IllegalArgumentException("shapes must be equal, or one a channel vector or scalar, got "
                + a + " and " + b);
    }

    private static boolean isChannelVector(Shape small, Shape big) {
        return small.rank() == 0 || (small.rank() == 1 && small.dim(0) == big.channels());
    }

    /** The element of a tensor of shape {@code s} that lines up with element {@code i} of the result. */
    static int index(Shape s, int i) {
        return s.rank() == 0 ? 0 : i % s.size();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FixedPoint)) {
            return false;
        }
        FixedPoint f = (FixedPoint) o;
        if (valueBits != f.valueBits || !shape.equals(f.shape) || !fracBits.equals(f.fracBits)) {
            return false;
        }
        if (bytes != null && f.bytes != null) {
            return Arrays.equals(bytes, f.bytes);
        }
        int n = length();
        for (int i = 0; i < n; i++) {
            if (rawValue(i) != f.rawValue(i)) { // as integers: the storage (int8, float32, -0.0) does not count
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        int n = length();
        for (int i = 0; i < n; i++) {
            h = 31 * h + Long.hashCode((long) rawValue(i));
        }
        return Objects.hash(shape, valueBits, fracBits, h);
    }

    /** Returns e.g. {@code FixedPoint[shape=[1, 4, 4, 8], valueBits=7, fracBits=4, values=[12, -3, …]]}. */
    @Override
    public String toString() {
        return "FixedPoint[shape=" + shape + ", valueBits=" + valueBits + ", fracBits=" + fracBits
                + ", values=" + head() + "]";
    }

    private String head() {
        int n = length();
        float[] first = new float[Math.min(n, 9)];
        for (int i = 0; i < first.length; i++) {
            first[i] = rawValue(i);
        }
        return Checks.head(first, 8);
    }
}
