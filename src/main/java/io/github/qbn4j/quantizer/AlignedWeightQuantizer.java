package io.github.qbn4j.quantizer;

import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * quantizeml 0.5.2 {@code AlignedWeightQuantizer}: float weights (a bias) quantized onto the scales
 * and fractional bits of another QFloat, so that the two can be added.
 *
 * <p>With {@code vb} value bits, the other tensor's scales {@code S}, fractional bits {@code F} and
 * value bits {@code vbO}:
 * <ol>
 *   <li>{@code range = max|w|} over all elements (0.5.x is per-tensor here; later releases are not);</li>
 *   <li>{@code fb = min(min(vb - ceil(log2(float32(range / S))), vb), F)};</li>
 *   <li>{@code q = saturate_vb(roundHalfEven(float32(float32(w / S) * 2^fb)))};</li>
 *   <li>{@code aligned = saturate_vbO(q * 2^(F - fb))} with fractional bits {@code F}, value bits
 *       {@code vbO} and scales {@code S}.</li>
 * </ol>
 * Step 3 is {@link #quantizeUnaligned}; {@link #quantize} adds step 4.
 *
 * <p><b>quantizeml 0.17.1</b> (the profile's release, {@link Reference#quantizeml()}) differs twice:
 * when the <b>bitwidth</b> is above 4, the range is per channel ({@code range[c] = |w[c]|}), so each
 * channel gets its own {@code fb[c]} (the {@code log} of the length-C vector on TensorFlow's packet
 * and tail lanes); and step 4 goes through {@code rescale}, {@code floor(float32(q * 2^shift) + 0.5)}
 * (an odd {@code q} in {@code [2^23, 2^24)} at shift 0 gains 1). Immutable and thread-safe.
 *
 * <pre>{@code
 * AlignedWeightQuantizer q = AlignedWeightQuantizer.of(8, true);
 * QFloat b = q.quantize(new float[] {0f, 3f}, outputs);   // same scales and frac bits as outputs
 * }</pre>
 */
public final class AlignedWeightQuantizer {

    private static final Set<String> KEYS = Set.of("bitwidth", "signed");

    private final int bitwidth;
    private final boolean signed;

    private AlignedWeightQuantizer(int bitwidth, boolean signed) {
        this.bitwidth = bitwidth;
        this.signed = signed;
    }

    /**
     * A quantizer.
     *
     * @param bitwidth total bits: {@code >= 2} signed, {@code >= 1} unsigned, at most 32 / 31
     * @param signed whether one bit holds the sign
     * @return the quantizer
     * @throws QuantizationException ({@code ValueError}) if the bitwidth is too small
     * @throws IllegalArgumentException if it exceeds qbn4j's 31 value bits
     */
    public static AlignedWeightQuantizer of(int bitwidth, boolean signed) {
        return new AlignedWeightQuantizer(Configs.bitwidth("AlignedWeightQuantizer", bitwidth, signed), signed);
    }

    /**
     * Builds a quantizer from quantizeml's configuration dictionary, keys {@code bitwidth} (default 8)
     * and {@code signed} (default true).
     *
     * @param config the dictionary; Keras base keys are ignored
     * @return the quantizer
     * @throws QuantizationException ({@code ValueError}) for a bad bitwidth, ({@code TypeError}) for an
     *     unknown key
     * @throws IllegalArgumentException for a value of the wrong type
     */
    public static AlignedWeightQuantizer fromConfig(Map<String, ?> config) {
        Objects.requireNonNull(config, "config");
        Configs.checkKeys("AlignedWeightQuantizer", config, KEYS);
        boolean signed = Configs.bool("AlignedWeightQuantizer", "signed", Configs.get(config, "signed", true));
        return new AlignedWeightQuantizer(
                Configs.bitwidth("AlignedWeightQuantizer", Configs.get(config, "bitwidth", 8), signed), signed);
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
     * Returns the value bits.
     *
     * @return {@code bitwidth - 1} when signed, else {@code bitwidth}
     */
    public int valueBits() {
        return signed ? bitwidth - 1 : bitwidth;
    }

    /**
     * Steps 1 to 3: the weights quantized with the other tensor's scales and their own fractional
     * bits, before alignment (Akida's {@code b} and, with {@code F - fb}, its shift).
     *
     * @param weights a vector of finite floats (not modified)
     * @param other the tensor to align on
     * @return a QFloat of shape {@code (n)} with {@link #valueBits()} value bits
     * @throws QuantizationException ({@code InvalidArgumentError}) if {@code range / S} overflows
     *     float32
     * @throws IllegalArgumentException if a weight is not finite
     */
    public QFloat quantizeUnaligned(float[] weights, QFloat other) {
        return quantizeUnaligned(weights, other, Reference.defaults());
    }

    /**
     * {@link #quantizeUnaligned(float[], QFloat)} as the given reference profile computes it (in graph
     * mode {@code ceil_log2} divides by a constant: {@link Reference.Mode#GRAPH}).
     *
     * @param weights a vector of finite floats (not modified)
     * @param other the tensor to align on
     * @param reference the profile
     * @return a QFloat of shape {@code (n)} with {@link #valueBits()} value bits
     * @throws QuantizationException as {@link #quantizeUnaligned(float[], QFloat)}
     * @throws IllegalArgumentException if a weight is not finite
     */
    public QFloat quantizeUnaligned(float[] weights, QFloat other, Reference reference) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(other, "other");
        Objects.requireNonNull(reference, "reference");
        Checks.finite("weights", weights);
        Scales scales = other.scales();
        FracBits otherFb = other.fracBits();
        boolean perAxisRange = isPerAxis(reference);
        float[] ranges;
        if (perAxisRange) {
            // quantizeml 0.17.1: reduce_max over no axis, the |w| vector itself
            ranges = new float[weights.length];
            for (int c = 0; c < ranges.length; c++) {
                ranges[c] = Math.abs(F32.ftz(weights[c]));
            }
        } else {
            float range = 0f;
            for (float w : weights) {
                range = Math.max(range, Math.abs(F32.ftz(w)));
            }
            ranges = new float[] {range};
        }
        float[] ratio = new float[Math.max(scales.length(), ranges.length)];
        for (int c = 0; c < ratio.length; c++) {
            float range = ranges[ranges.length == 1 ? 0 : c];
            float scale = scales.get(scales.length() == 1 ? 0 : c);
            ratio[c] = F32.ftz(range / scale);
            if (Float.isInfinite(ratio[c])) {
                // quantizeml goes on with fb = -inf and then fails its upscale assertion.
                throw new QuantizationException(QuantizationException.ReferenceError.INVALID_ARGUMENT,
                        "max|weights| / scale must be finite in float32 to align, got " + range + " / "
                                + scale + " (channel " + c + ")");
            }
        }
        float[] ideal = TfMath.of(reference).maxFracBits(valueBits(), ratio, true);
        boolean perAxis = perAxisRange || scales.isPerAxis() || otherFb.isPerAxis();
        int n = perAxis ? Math.max(ratio.length, otherFb.length()) : 1;
        int[] fb = new int[n];
        for (int c = 0; c < n; c++) {
            fb[c] = (int) Math.min(ideal[ideal.length == 1 ? 0 : c], (float) otherFb.get(c));
        }
        Shape shape = Shape.of(weights.length);
        return QFloat.quantize(shape, weights, valueBits(), scales, perAxis ? FracBits.perAxis(fb) : FracBits.of(fb[0]));
    }

    /**
     * All four steps: the weights on the other tensor's scales, fractional bits and value bits.
     *
     * @param weights a vector of finite floats (not modified)
     * @param other the tensor to align on
     * @return a QFloat that {@link QFloat#add} accepts with {@code other}
     * @throws QuantizationException ({@code InvalidArgumentError}) if the alignment shift
     *     {@code F - fb} is {@code >= vbO}
     * @throws IllegalArgumentException as {@link #quantizeUnaligned}
     */
    public QFloat quantize(float[] weights, QFloat other) {
        return quantize(weights, other, Reference.defaults());
    }

    /**
     * {@link #quantize(float[], QFloat)} as the given reference profile computes it.
     *
     * @param weights a vector of finite floats (not modified)
     * @param other the tensor to align on
     * @param reference the profile
     * @return a QFloat that {@link QFloat#add} accepts with {@code other}
     * @throws QuantizationException as {@link #quantize(float[], QFloat)}
     * @throws IllegalArgumentException as {@link #quantizeUnaligned}
     */
    public QFloat quantize(float[] weights, QFloat other, Reference reference) {
        return quantizeUnaligned(weights, other, reference).upscale(other.fracBits(), other.valueBits(), reference);
    }

    /**
     * Whether the profile's quantizeml quantizes the weights per channel: 0.17.1 (since 0.9.0) does
     * when the bitwidth is above 4; 0.5.2 never does.
     *
     * @param reference the profile
     * @return true for a per-channel range and frac bits
     */
    public boolean isPerAxis(Reference reference) {
        return reference.quantizeml().isAtLeast(Reference.Quantizeml.V0_17_1) && bitwidth > 4;
    }

    /**
     * quantizeml {@code get_config()}: {@code bitwidth} and {@code signed}.
     *
     * @return a new ordered map
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("bitwidth", bitwidth);
        config.put("signed", signed);
        return config;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AlignedWeightQuantizer && ((AlignedWeightQuantizer) o).getConfig().equals(getConfig());
    }

    @Override
    public int hashCode() {
        return getConfig().hashCode();
    }

    @Override
    public String toString() {
        return "AlignedWeightQuantizer" + getConfig();
    }
}
