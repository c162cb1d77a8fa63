package io.github.qbn4j.quantizer;

import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * quantizeml 0.5.2 {@code WeightQuantizer}: float weights to a QFloat whose scale maps the largest
 * magnitude onto the largest integer.
 *
 * <p>For weights {@code w} with {@code vb} value bits: {@code range = max|w|} (over all elements, or
 * per channel when the quantization axis is the last of a tensor of rank 2 or more), {@code scale =
 * max(float32(range / (2^vb - 1)), float32(1e-6))}, {@code values = saturate(roundHalfEven(float32(w /
 * scale)))} with 0 fractional bits. Batch normalization's {@code a} is a vector, so its scale is
 * always one scalar.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * WeightQuantizer q = WeightQuantizer.of(8, true);           // 7 value bits
 * QFloat a = q.quantize(new float[] {0.5f, 2.0f});
 * // scale = 2/127, values = [roundHalfEven(31.75), 127] = [32, 127]
 * }</pre>
 */
public final class WeightQuantizer {

    private static final Set<String> KEYS = Set.of("bitwidth", "signed", "axis");
    private static final Set<String> KEYS_0_17 = Set.of("bitwidth", "signed", "axis", "fp_quantizer");
    private static final Object ABSENT = new Object();
    private static final float MIN_SCALE = 1e-6f;

    private final int bitwidth;
    private final boolean signed;
    private final Integer axis;
    /** quantizeml 0.17.1's {@code fp_quantizer} as configured (any JSON value), or {@link #ABSENT}. */
    private final Object fpQuantizer;

    private WeightQuantizer(int bitwidth, boolean signed, Integer axis) {
        this(bitwidth, signed, axis, ABSENT);
    }

    private WeightQuantizer(int bitwidth, boolean signed, Integer axis, Object fpQuantizer) {
        this.bitwidth = bitwidth;
        this.signed = signed;
        this.axis = axis;
        this.fpQuantizer = fpQuantizer;
    }

    /**
     * A quantizer with the default axis ({@code -1}).
     *
     * @param bitwidth total bits including the sign when signed: {@code >= 2} signed, {@code >= 1}
     *     unsigned, at most 32 signed / 31 unsigned
     * @param signed whether one bit holds the sign
     * @return the quantizer
     * @throws QuantizationException ({@code ValueError}) if the bitwidth is too small
     * @throws IllegalArgumentException if it exceeds qbn4j's 31 value bits
     */
    public static WeightQuantizer of(int bitwidth, boolean signed) {
        return of(bitwidth, signed, -1);
    }

    /**
     * A quantizer.
     *
     * @param bitwidth as {@link #of(int, boolean)}
     * @param signed whether one bit holds the sign
     * @param axis the axis kept by the range reduction, or {@code null} for one range overall
     * @return the quantizer
     * @throws QuantizationException ({@code ValueError}) if the bitwidth is too small
     * @throws IllegalArgumentException if it exceeds qbn4j's 31 value bits
     */
    public static WeightQuantizer of(int bitwidth, boolean signed, Integer axis) {
        return new WeightQuantizer(Configs.bitwidth("WeightQuantizer", bitwidth, signed), signed, axis);
    }

    /**
     * Builds a quantizer from quantizeml's configuration dictionary, keys {@code bitwidth} (default
     * 4), {@code signed} (default true) and {@code axis} (default -1; null for per-tensor).
     *
     * @param config the dictionary; Keras base keys ({@code name}, {@code trainable}, {@code dtype})
     *     are ignored
     * @return the quantizer
     * @throws QuantizationException ({@code ValueError}) for a bad bitwidth, ({@code TypeError}) for an
     *     unknown key
     * @throws IllegalArgumentException for a value of the wrong type
     */
    public static WeightQuantizer fromConfig(Map<String, ?> config) {
        return fromConfig(config, Reference.Quantizeml.V0_5_2);
    }

    /**
     * Builds a quantizer from the configuration dictionary of a given quantizeml release: 0.5.2's keys
     * ({@link #fromConfig(Map)}), plus {@code fp_quantizer} for 0.17.1, kept as given (any JSON value;
     * quantizeml does not check it, and a truthy one makes the batch-normalization call fail:
     * {@link #isFpQuantizer()}).
     *
     * @param config the dictionary; Keras base keys are ignored
     * @param release the quantizeml release whose keys are accepted
     * @return the quantizer
     * @throws QuantizationException ({@code ValueError}) for a bad bitwidth, ({@code TypeError}) for a
     *     key the release does not know
     * @throws IllegalArgumentException for a value of the wrong type
     */
    public static WeightQuantizer fromConfig(Map<String, ?> config, Reference.Quantizeml release) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(release, "release");
        Configs.checkKeys("WeightQuantizer", config, release.isAtLeast(Reference.Quantizeml.V0_17_1) ? KEYS_0_17 : KEYS);
        boolean signed = Configs.bool("WeightQuantizer", "signed", Configs.get(config, "signed", true));
        int bitwidth = Configs.bitwidth("WeightQuantizer", Configs.get(config, "bitwidth", 4), signed);
        Object axis = Configs.get(config, "axis", -1);
        if (axis != null && !Checks.isJsonInteger(axis)) {
            throw new IllegalArgumentException("WeightQuantizer axis must be an int or null, got " + axis);
        }
        // exact: 4294967295 is refused, not narrowed to -1
        return new WeightQuantizer(bitwidth, signed, axis == null ? null
                : Checks.jsonInt("WeightQuantizer axis", axis, Integer.MIN_VALUE, Integer.MAX_VALUE),
                config.containsKey("fp_quantizer") ? config.get("fp_quantizer") : ABSENT);
    }

    /**
     * Whether quantizeml 0.17.1's {@code fp_quantizer} is set to a value Python takes as true (not
     * {@code False}, {@code 0}, {@code None}, an empty string, list or dict). quantizeml's
     * {@code QuantizedBatchNormalization} then always fails at call with a {@code ValueError}: the
     * quantized {@code a} is a FixedPoint, which the b quantizer (FixedPoint input) or the QFloat
     * product (QFloat input) refuses.
     *
     * @return true if the configured {@code fp_quantizer} is truthy
     */
    public boolean isFpQuantizer() {
        Object v = fpQuantizer;
        if (v == ABSENT || v == null) {
            return false;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Number) {
            return v instanceof java.math.BigInteger ? ((java.math.BigInteger) v).signum() != 0
                    : ((Number) v).doubleValue() != 0;
        }
        if (v instanceof CharSequence) {
            return ((CharSequence) v).length() > 0;
        }
        if (v instanceof java.util.Collection) {
            return !((java.util.Collection<?>) v).isEmpty();
        }
        if (v instanceof Map) {
            return !((Map<?, ?>) v).isEmpty();
        }
        return true;
    }

    /**
     * Returns the bitwidth.
     *
     * @return total bits, sign included when signed
     */
    public int bitwidth() {
        return bitwidth;
    }

    /**
     * Whether the quantizer is signed.
     *
     * @return true when one bit holds the sign
     */
    public boolean signed() {
        return signed;
    }

    /**
     * Returns the value bits: {@code bitwidth - 1} when signed, else {@code bitwidth}.
     *
     * @return the value bits
     */
    public int valueBits() {
        return signed ? bitwidth - 1 : bitwidth;
    }

    /**
     * Returns the axis kept by the range reduction.
     *
     * @return the axis, or null for one range overall
     */
    public Integer axis() {
        return axis;
    }

    /**
     * Quantizes a vector of weights (one range and one scale overall, whatever the axis).
     *
     * @param weights finite floats (not modified)
     * @return a QFloat of shape {@code (n)}, 0 fractional bits, per-tensor scale
     * @throws IllegalArgumentException if a weight is not finite or the vector is empty
     */
    public QFloat quantize(float[] weights) {
        Objects.requireNonNull(weights, "weights");
        return quantize(Shape.of(weights.length), weights);
    }

    /**
     * {@link #quantize(float[])} as the given reference profile computes it (in graph mode the scale's
     * division by {@code 2^vb - 1} becomes a multiplication by its reciprocal:
     * {@link Reference.Mode#GRAPH}).
     *
     * @param weights finite floats (not modified)
     * @param reference the profile
     * @return a QFloat of shape {@code (n)}, 0 fractional bits, per-tensor scale
     * @throws IllegalArgumentException if a weight is not finite or the vector is empty
     */
    public QFloat quantize(float[] weights, Reference reference) {
        Objects.requireNonNull(weights, "weights");
        return quantize(Shape.of(weights.length), weights, reference);
    }

    /**
     * Quantizes weights of any rank from 1 to 4. With rank 1 or a null axis the range is taken over
     * all elements; otherwise the axis must be the last one and the range is taken per channel.
     *
     * @param shape the shape of {@code weights}
     * @param weights C-order finite floats (not modified)
     * @return the quantized weights, 0 fractional bits
     * @throws QuantizationException ({@code ValueError}) if the axis is out of range for the rank
     * @throws IllegalArgumentException if a weight is not finite, the tensor is empty, or the axis is
     *     valid but not the last one (qbn4j keeps scales per last axis only)
     */
    public QFloat quantize(Shape shape, float[] weights) {
        return quantize(shape, weights, Reference.defaults());
    }

    /**
     * {@link #quantize(Shape, float[])} as the given reference profile computes it.
     *
     * @param shape the shape of {@code weights}
     * @param weights C-order finite floats (not modified)
     * @param reference the profile
     * @return the quantized weights, 0 fractional bits
     * @throws QuantizationException as {@link #quantize(Shape, float[])}
     * @throws IllegalArgumentException as {@link #quantize(Shape, float[])}
     */
    public QFloat quantize(Shape shape, float[] weights, Reference reference) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(weights, "weights");
        Checks.finite("weights", weights);
        if (weights.length != shape.size() || weights.length == 0) {
            throw new IllegalArgumentException("weights must have " + shape.size()
                    + " elements (shape " + shape + ") and at least one, got " + weights.length);
        }
        boolean perAxis = axis != null && shape.rank() > 1;
        if (perAxis) {
            int positive = axis >= 0 ? axis : shape.rank() + axis;
            if (positive < 0 || positive >= shape.rank()) {
                throw new QuantizationException(ReferenceError.VALUE_ERROR,
                        "axis must be in [" + -shape.rank() + ", " + (shape.rank() - 1) + "] for rank "
                                + shape.rank() + " weights, got " + axis);
            }
            if (positive != shape.rank() - 1) {
                throw new IllegalArgumentException("axis must be the last axis (qbn4j keeps per-axis scales "
                        + "on the last axis only), got " + axis + " for shape " + shape);
            }
        }
        int channels = perAxis ? shape.channels() : 1;
        float[] ranges = new float[channels];
        for (int i = 0; i < weights.length; i++) {
            int c = perAxis ? i % channels : 0;
            ranges[c] = Math.max(ranges[c], Math.abs(io.github.qbn4j.internal.F32.ftz(weights[i])));
        }
        float[] scales = new float[channels];
        TfMath math = TfMath.of(reference);
        for (int c = 0; c < channels; c++) {
            scales[c] = Math.max(math.optimalScale(ranges[c], valueBits()), MIN_SCALE);
        }
        Scales s = perAxis ? Scales.perAxis(scales) : Scales.of(scales[0]);
        return QFloat.quantize(shape, weights, valueBits(), s, FracBits.of(0));
    }

    /**
     * quantizeml {@code get_config()}: {@code bitwidth}, {@code signed}, {@code axis}, and
     * {@code fp_quantizer} (quantizeml 0.17.1) only when it was configured.
     *
     * @return a new ordered map
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("bitwidth", bitwidth);
        config.put("signed", signed);
        config.put("axis", axis);
        if (fpQuantizer != ABSENT) {
            config.put("fp_quantizer", fpQuantizer);
        }
        return config;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightQuantizer && ((WeightQuantizer) o).getConfig().equals(getConfig());
    }

    @Override
    public int hashCode() {
        return getConfig().hashCode();
    }

    @Override
    public String toString() {
        return "WeightQuantizer" + getConfig();
    }
}
