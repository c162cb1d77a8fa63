package io.github.qbn4j.quantizer;

import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * quantizeml 0.5.2 {@code OutputQuantizer}: brings a layer's wide result down to {@code bitwidth} bits
 * with the fractional bits that its calibrated range allows.
 *
 * <p>For an input {@code x} and value bits {@code vb}:
 * <ol>
 *   <li>a QFloat first becomes a FixedPoint: its scales times {@code rescaling_rate} (float32) are
 *       quantized with {@code scale_bits} ({@link QFloat#quantizeScales}) and multiplied into the
 *       values, which keep their value bits;</li>
 *   <li>{@code fb = min(vb - ceil(log2(range_max)), vb)}, per tensor or per channel;</li>
 *   <li>{@code y = saturate_vb(floor(float32(x * 2^(fb - F)) + 0.5))}: round <b>half up</b>.</li>
 * </ol>
 * {@code range_max} and {@code rescaling_rate} start at 1.0, as the Keras variables do, and are set
 * by calibration ({@link #withRangeMax}, {@link #withRescalingRate}). Immutable and thread-safe.
 *
 * <pre>{@code
 * OutputQuantizer q = OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_TENSOR, 8)
 *         .withRangeMax(8f);
 * FixedPoint out = q.quantize(y);   // 7 value bits, 4 fractional bits
 * }</pre>
 */
public final class OutputQuantizer {

    /** Whether ranges, rates and output fractional bits are one per tensor or one per channel. */
    public enum Axis {
        /** One range for the tensor ({@code "per-tensor"}). */
        PER_TENSOR("per-tensor"),
        /** One range per channel ({@code "per-axis"}); needs inputs of rank 3 or more. */
        PER_AXIS("per-axis");

        private final String configName;

        Axis(String configName) {
            this.configName = configName;
        }

        /**
         * Returns the quantizeml spelling.
         *
         * @return {@code "per-tensor"} or {@code "per-axis"}
         */
        public String configName() {
            return configName;
        }

        /**
         * Parses the quantizeml spelling.
         *
         * @param name {@code "per-tensor"} or {@code "per-axis"}
         * @return the axis
         * @throws QuantizationException ({@code ValueError}) for any other value
         */
        public static Axis fromConfigName(Object name) {
            for (Axis a : values()) {
                if (a.configName.equals(name)) {
                    return a;
                }
            }
            throw new QuantizationException(ReferenceError.VALUE_ERROR,
                    "OutputQuantizer axis must be \"per-tensor\" or \"per-axis\", got " + name);
        }
    }

    private static final Set<String> KEYS = Set.of("bitwidth", "signed", "axis", "scale_bits");

    private final int bitwidth;
    private final boolean signed;
    private final Axis axis;
    private final Integer scaleBits;
    private final float[] rangeMax;
    private final float[] rescalingRate;

    private OutputQuantizer(int bitwidth, boolean signed, Axis axis, Integer scaleBits, float[] rangeMax,
            float[] rescalingRate) {
        this.bitwidth = bitwidth;
        this.signed = signed;
        this.axis = axis;
        this.scaleBits = scaleBits;
        this.rangeMax = rangeMax;
        this.rescalingRate = rescalingRate;
    }

    /**
     * A quantizer with {@code range_max} and {@code rescaling_rate} still at their initial 1.0.
     *
     * @param bitwidth total bits: {@code >= 2} signed, {@code >= 1} unsigned, at most 32 / 31
     * @param signed whether one bit holds the sign
     * @param axis per-tensor or per-axis ranges
     * @param scaleBits bits of the quantized scales, 0 to 31; null refuses QFloat inputs
     * @return the quantizer
     * @throws QuantizationException ({@code ValueError}) if the bitwidth is too small
     * @throws IllegalArgumentException if a bitwidth exceeds qbn4j's 31 value bits
     */
    public static OutputQuantizer of(int bitwidth, boolean signed, Axis axis, Integer scaleBits) {
        Objects.requireNonNull(axis, "axis");
        if (scaleBits != null) {
            Checks.inRange("scaleBits", scaleBits, 0, FixedPoint.MAX_VALUE_BITS);
        }
        return new OutputQuantizer(Configs.bitwidth("OutputQuantizer", bitwidth, signed), signed, axis,
                scaleBits, null, null);
    }

    /**
     * Builds a quantizer from quantizeml's configuration dictionary: {@code bitwidth} (default 8),
     * {@code signed} (true), {@code axis} ({@code "per-tensor"}), {@code scale_bits} (8, or null).
     *
     * @param config the dictionary; Keras base keys are ignored
     * @return the quantizer, variables at 1.0
     * @throws QuantizationException ({@code ValueError}) for a bad bitwidth or axis,
     *     ({@code TypeError}) for an unknown key
     * @throws IllegalArgumentException for a value of the wrong type
     */
    public static OutputQuantizer fromConfig(Map<String, ?> config) {
        Objects.requireNonNull(config, "config");
        Configs.checkKeys("OutputQuantizer", config, KEYS);
        boolean signed = Configs.bool("OutputQuantizer", "signed", Configs.get(config, "signed", true));
        int bitwidth = Configs.bitwidth("OutputQuantizer", Configs.get(config, "bitwidth", 8), signed);
        Axis axis = Axis.fromConfigName(Configs.get(config, "axis", "per-tensor"));
        Object scaleBits = Configs.get(config, "scale_bits", 8);
        if (scaleBits != null && !Checks.isJsonInteger(scaleBits)) {
            throw new IllegalArgumentException("OutputQuantizer scale_bits must be an int or null, got " + scaleBits);
        }
        // exact: 2^40 is refused, not narrowed to 0 (nor 2^32 + 8 to 8, nor 2^31 to -2^31)
        return of(bitwidth, signed, axis, scaleBits == null ? null
                : Checks.jsonInt("OutputQuantizer scale_bits", scaleBits, 0, FixedPoint.MAX_VALUE_BITS));
    }

    /**
     * Returns a copy with another calibrated range ({@code range_max}).
     *
     * @param rangeMax one value (per-tensor) or one per channel (per-axis), each finite and {@code >= 0}
     * @return the new quantizer
     * @throws IllegalArgumentException if a value is negative or not finite, or the count does not
     *     fit the axis
     */
    public OutputQuantizer withRangeMax(float... rangeMax) {
        return new OutputQuantizer(bitwidth, signed, axis, scaleBits, checkVariable("rangeMax", rangeMax, true),
                rescalingRate);
    }

    /**
     * Returns a copy with another cross-layer equalisation factor ({@code rescaling_rate}).
     *
     * @param rescalingRate one value (per-tensor) or one per channel (per-axis), each finite and
     *     {@code > 0}
     * @return the new quantizer
     * @throws IllegalArgumentException if a value is not finite and positive, or the count does not
     *     fit the axis
     */
    public OutputQuantizer withRescalingRate(float... rescalingRate) {
        return new OutputQuantizer(bitwidth, signed, axis, scaleBits, rangeMax,
                checkVariable("rescalingRate", rescalingRate, false));
    }

    private float[] checkVariable(String name, float[] values, boolean zeroAllowed) {
        Objects.requireNonNull(values, name);
        if (values.length == 0 || (axis == Axis.PER_TENSOR && values.length != 1)) {
            throw new IllegalArgumentException(name + " must have " + (axis == Axis.PER_TENSOR
                    ? "1 element (per-tensor)" : "one element per channel (per-axis)") + ", got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!Float.isFinite(v) || (zeroAllowed ? v < 0f : !(v >= Float.MIN_NORMAL))) {
                throw new IllegalArgumentException(name + " must be finite and " + (zeroAllowed ? ">= 0" : "> 0")
                        + ", got " + v + " at index " + i);
            }
        }
        return values.clone();
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
     * Returns the value bits of the output.
     *
     * @return {@code bitwidth - 1} when signed, else {@code bitwidth}
     */
    public int valueBits() {
        return signed ? bitwidth - 1 : bitwidth;
    }

    /**
     * Returns the range axis.
     *
     * @return per-tensor or per-axis
     */
    public Axis axis() {
        return axis;
    }

    /**
     * Returns the bits of the quantized scales.
     *
     * @return the scale bits, or null when QFloat inputs are refused
     */
    public Integer scaleBits() {
        return scaleBits;
    }

    /**
     * Returns {@code range_max} for a given channel count.
     *
     * @param channels the channel count of the input
     * @return a new array: 1 element per-tensor, {@code channels} per-axis (1.0 until calibrated)
     */
    public float[] rangeMax(int channels) {
        return variable(rangeMax, channels);
    }

    /**
     * Returns {@code rescaling_rate} for a given channel count.
     *
     * @param channels the channel count of the input
     * @return a new array: 1 element per-tensor, {@code channels} per-axis (1.0 until set)
     */
    public float[] rescalingRate(int channels) {
        return variable(rescalingRate, channels);
    }

    private float[] variable(float[] values, int channels) {
        int n = axis == Axis.PER_TENSOR ? 1 : channels;
        if (values == null) {
            float[] ones = new float[n];
            Arrays.fill(ones, 1f);
            return ones;
        }
        if (values.length != n) {
            throw new IllegalArgumentException("per-axis output quantizer variables must have one element per "
                    + "channel (" + channels + "), got " + values.length);
        }
        return values.clone();
    }

    /**
     * Whether {@code range_max} was never set: quantizeml's {@code calibration_required}.
     *
     * @return true while {@code range_max} is at its initial value
     */
    public boolean isCalibrationRequired() {
        if (rangeMax == null) {
            return true;
        }
        for (float r : rangeMax) {
            if (r != 1f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks that this quantizer can take an input of the given rank and channels (the checks of
     * quantizeml's {@code build}).
     *
     * @param rank the input rank
     * @param channels the input channel count
     * @throws QuantizationException ({@code ValueError}) for a per-axis quantizer on rank below 3
     * @throws IllegalArgumentException if per-axis variables do not match the channel count
     */
    public void checkInput(int rank, int channels) {
        if (axis == Axis.PER_AXIS && rank < 3) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR,
                    "input rank must be >= 3 for a per-axis OutputQuantizer, got " + rank);
        }
        variable(rangeMax, channels);
        variable(rescalingRate, channels);
    }

    /**
     * quantizeml {@code OutputQuantizer.call}: see the class description.
     *
     * @param x a FixedPoint, or a QFloat when scale bits are set
     * @return a FixedPoint of {@link #valueBits()} value bits
     * @throws QuantizationException ({@code ValueError}) if {@code x} has no more value bits than the
     *     output, or is a QFloat and scale bits are null, or a per-axis quantizer gets rank below 3;
     *     ({@code InvalidArgumentError}) if the output needs {@code vb} or more extra fractional bits
     * @throws IllegalArgumentException if {@code scales * rescaling_rate} leaves the normal float32
     *     range, or the channel counts disagree
     */
    public FixedPoint quantize(QTensor x) {
        return quantize(x, Reference.defaults());
    }

    /**
     * {@link #quantize(QTensor)} as the given reference profile computes it (in graph mode
     * {@code ceil_log2} divides by a constant: {@link Reference.Mode#GRAPH}).
     *
     * @param x a FixedPoint, or a QFloat when scale bits are set
     * @param reference the profile
     * @return a FixedPoint of {@link #valueBits()} value bits
     * @throws QuantizationException as {@link #quantize(QTensor)}
     * @throws IllegalArgumentException as {@link #quantize(QTensor)}
     */
    public FixedPoint quantize(QTensor x, Reference reference) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(reference, "reference");
        int channels = x.shape().channels();
        checkInput(x.shape().rank(), channels);
        FixedPoint fp;
        if (x instanceof QFloat) {
            QFloat q = (QFloat) x;
            if (scaleBits == null) {
                throw traceTimeError(x.valueBits(), true);
            }
            fp = QFloat.of(q.fixedPoint(), rescaledScales(q.scales(), channels)).toFixedPoint(scaleBits, reference);
        } else {
            fp = (FixedPoint) x;
        }
        QuantizationException pointless = traceTimeError(fp.valueBits(), false);
        if (pointless != null) {
            throw pointless;
        }
        return fp.rescale(outputFracBits(channels, reference), valueBits());
    }

    /**
     * The error quantizeml's {@code call} raises from static values alone (Python checks, not
     * TensorFlow assertions), in its order: a QFloat input without {@code scale_bits}, then an input
     * with no more value bits than the output. In graph mode these are raised while tracing, so they
     * come before any run-time assertion ({@code InvalidArgumentError}) of the layer, whatever their
     * place in the eager order.
     *
     * @param inputValueBits the value bits of the input
     * @param qfloat whether the input is a QFloat
     * @return the {@code ValueError}, or null when the static checks pass
     */
    public QuantizationException traceTimeError(int inputValueBits, boolean qfloat) {
        if (qfloat && scaleBits == null) {
            return new QuantizationException(ReferenceError.VALUE_ERROR,
                    "scale_bits must be set for an OutputQuantizer that receives a QFloat, got None");
        }
        if (inputValueBits <= valueBits()) {
            return new QuantizationException(ReferenceError.VALUE_ERROR, "input value bits must be > the "
                    + valueBits() + " output value bits (quantizing to as many bits or more is pointless), got "
                    + inputValueBits);
        }
        return null;
    }

    /**
     * The output fractional bits {@code min(vb - ceil(log2(range_max)), vb)}.
     *
     * @param channels the input channel count
     * @return per-tensor or per-axis fractional bits
     */
    public FracBits outputFracBits(int channels) {
        return outputFracBits(channels, Reference.defaults());
    }

    /**
     * {@link #outputFracBits(int)} as the given reference profile computes it.
     *
     * @param channels the input channel count
     * @param reference the profile
     * @return per-tensor or per-axis fractional bits
     */
    public FracBits outputFracBits(int channels, Reference reference) {
        float[] fb = TfMath.of(reference).maxFracBits(valueBits(), rangeMax(channels), true);
        int[] bits = new int[fb.length];
        for (int i = 0; i < fb.length; i++) {
            bits[i] = (int) fb[i];
        }
        return axis == Axis.PER_AXIS ? FracBits.perAxis(bits) : FracBits.of(bits[0]);
    }

    /**
     * The scales quantizeml quantizes for a QFloat input: {@code float32(scales * rescaling_rate)}.
     *
     * @param scales the input scales
     * @param channels the input channel count
     * @return the rescaled scales (per-axis if either factor is)
     * @throws IllegalArgumentException if a product leaves the normal float32 range
     */
    public Scales rescaledScales(Scales scales, int channels) {
        float[] rate = rescalingRate(channels);
        boolean perAxis = scales.isPerAxis() || axis == Axis.PER_AXIS;
        float[] s = new float[perAxis ? channels : 1];
        for (int c = 0; c < s.length; c++) {
            s[c] = F32.ftz(scales.get(c) * rate[rate.length == 1 ? 0 : c]);
            if (!(s[c] >= Float.MIN_NORMAL) || !Float.isFinite(s[c])) {
                throw new IllegalArgumentException("scales * rescaling_rate must stay a normal float32, got "
                        + scales.get(c) + " * " + rate[rate.length == 1 ? 0 : c] + " = " + s[c] + " at channel " + c);
            }
        }
        return perAxis ? Scales.perAxis(s) : Scales.of(s[0]);
    }

    /**
     * quantizeml {@code get_config()}: {@code bitwidth}, {@code signed}, {@code scale_bits},
     * {@code axis}.
     *
     * @return a new ordered map
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("bitwidth", bitwidth);
        config.put("signed", signed);
        config.put("scale_bits", scaleBits);
        config.put("axis", axis.configName());
        return config;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OutputQuantizer)) {
            return false;
        }
        OutputQuantizer q = (OutputQuantizer) o;
        return getConfig().equals(q.getConfig()) && sameVariable(rangeMax, q.rangeMax)
                && sameVariable(rescalingRate, q.rescalingRate);
    }

    /** A variable never set behaves as all ones, whatever its length turns out to be. */
    private static boolean sameVariable(float[] a, float[] b) {
        if (a == null || b == null) {
            return allOnes(a) && allOnes(b);
        }
        return Arrays.equals(a, b);
    }

    private static boolean allOnes(float[] values) {
        if (values != null) {
            for (float v : values) {
                if (v != 1f) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        // Consistent with equals: a variable of all ones hashes like one never set.
        return Objects.hash(getConfig(), allOnes(rangeMax) ? 0 : Arrays.hashCode(rangeMax),
                allOnes(rescalingRate) ? 0 : Arrays.hashCode(rescalingRate));
    }

    @Override
    public String toString() {
        return "OutputQuantizer" + getConfig() + "[rangeMax=" + (rangeMax == null ? "1.0" : Arrays.toString(rangeMax))
                + ", rescalingRate=" + (rescalingRate == null ? "1.0" : Arrays.toString(rescalingRate)) + "]";
    }
}
