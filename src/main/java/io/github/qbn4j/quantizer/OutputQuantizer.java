package io.github.qbn4j.quantizer;

import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.internal.TensorAccess;
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
 * by calibration ({@link #withRangeMax}, {@link #withRescalingRate}).
 *
 * <p><b>quantizeml 0.17.1</b> adds the key {@code buffer_bitwidth} ({@code P}, default 32, stored
 * unchecked): before step 1 a QFloat input is <i>promoted</i> to {@code P} value bits, so the product
 * of step 1 saturates to {@code [-2^P, float32(2^P - 1)]} instead of the input's own value bits (with
 * the default, {@code +-2^32}). A {@code P} that is not an int is a {@code TypeError} at call, a
 * negative one or one below the input's value bits a {@code ValueError}; these come before the
 * "pointless" check, which still uses the unpromoted value bits. Immutable and thread-safe.
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
    private static final Set<String> KEYS_0_17 = Set.of("bitwidth", "signed", "axis", "scale_bits", "buffer_bitwidth");

    /** quantizeml 0.17.1's default {@code buffer_bitwidth}. */
    public static final int DEFAULT_BUFFER_BITWIDTH = 32;
    /** A promotion past this many value bits clips nothing a float32 product can reach (2^127 < inf). */
    private static final int PROMOTION_CAP = 128;

    private final int bitwidth;
    private final boolean signed;
    private final Axis axis;
    private final Integer scaleBits;
    private final float[] rangeMax;
    private final float[] rescalingRate;
    /** {@code buffer_bitwidth} as configured (any JSON value), or {@link #ABSENT}. */
    private final Object bufferBitwidth;
    private static final Object ABSENT = new Object();

    private OutputQuantizer(int bitwidth, boolean signed, Axis axis, Integer scaleBits, float[] rangeMax,
            float[] rescalingRate) {
        this(bitwidth, signed, axis, scaleBits, rangeMax, rescalingRate, ABSENT);
    }

    private OutputQuantizer(int bitwidth, boolean signed, Axis axis, Integer scaleBits, float[] rangeMax,
            float[] rescalingRate, Object bufferBitwidth) {
        this.bufferBitwidth = bufferBitwidth;
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
            Checks.inRange("scaleBits", scaleBits, 0, QFloat.MAX_SCALE_BITS);
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
        return fromConfig(config, Reference.Quantizeml.V0_5_2);
    }

    /**
     * Builds a quantizer from the configuration dictionary of a given quantizeml release: 0.5.2's keys
     * ({@link #fromConfig(Map)}), plus {@code buffer_bitwidth} for 0.17.1, kept as given (quantizeml
     * checks it only at call: {@link #quantize(QTensor, Reference)}).
     *
     * @param config the dictionary; Keras base keys are ignored
     * @param release the quantizeml release whose keys are accepted
     * @return the quantizer, variables at 1.0
     * @throws QuantizationException ({@code ValueError}) for a bad bitwidth or axis,
     *     ({@code TypeError}) for a key the release does not know
     * @throws IllegalArgumentException for a value of the wrong type
     */
    public static OutputQuantizer fromConfig(Map<String, ?> config, Reference.Quantizeml release) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(release, "release");
        Configs.checkKeys("OutputQuantizer", config,
                release.isAtLeast(Reference.Quantizeml.V0_17_1) ? KEYS_0_17 : KEYS);
        boolean signed = Configs.bool("OutputQuantizer", "signed", Configs.get(config, "signed", true));
        int bitwidth = Configs.bitwidth("OutputQuantizer", Configs.get(config, "bitwidth", 8), signed);
        Axis axis = Axis.fromConfigName(Configs.get(config, "axis", "per-tensor"));
        Object scaleBits = Configs.get(config, "scale_bits", 8);
        if (scaleBits != null && !Checks.isJsonInteger(scaleBits)) {
            throw new IllegalArgumentException("OutputQuantizer scale_bits must be an int or null, got " + scaleBits);
        }
        // exact: 2^40 is refused, not narrowed to 0 (nor 2^32 + 8 to 8, nor 2^31 to -2^31)
        OutputQuantizer q = of(bitwidth, signed, axis, scaleBits == null ? null
                : Checks.jsonInt("OutputQuantizer scale_bits", scaleBits, 0, QFloat.MAX_SCALE_BITS));
        return config.containsKey("buffer_bitwidth") ? q.withBufferBitwidth(config.get("buffer_bitwidth")) : q;
    }

    /**
     * Returns a copy with quantizeml 0.17.1's {@code buffer_bitwidth}, the value bits its input is
     * promoted to. Like quantizeml, any value is kept here and checked at call (a non-int is a
     * {@code TypeError} there; a Python bool counts as the int 0 or 1).
     *
     * @param bufferBitwidth an {@link Integer}, {@link Long} or {@link java.math.BigInteger}, or any
     *     other JSON value (refused at call)
     * @return the new quantizer; quantizeml 0.5.2 ignores the key's value and refuses it in configs
     */
    public OutputQuantizer withBufferBitwidth(Object bufferBitwidth) {
        return new OutputQuantizer(bitwidth, signed, axis, scaleBits, rangeMax, rescalingRate, bufferBitwidth);
    }

    /**
     * Whether {@code buffer_bitwidth} was configured (quantizeml 0.17.1 only).
     *
     * @return true if {@link #withBufferBitwidth} or the config set it
     */
    public boolean hasBufferBitwidth() {
        return bufferBitwidth != ABSENT;
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
                rescalingRate, bufferBitwidth);
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
                checkVariable("rescalingRate", rescalingRate, false), bufferBitwidth);
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
        FixedPoint fp = x instanceof QFloat ? scaled((QFloat) x, reference) : (FixedPoint) x;
        // quantizeml compares the unpromoted value bits
        QuantizationException pointless = traceTimeError(x.valueBits(), false);
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
     * Step 1 for a QFloat input: quantizeml's {@code to_fixed_point(scale_bits)} of the input with its
     * scales times {@code rescaling_rate}, {@code v = saturate(float32(values * q))} with fractional bits
     * {@code F + fb_q}. The product saturates to the input's value bits under quantizeml 0.5.2 and to
     * the promoted {@code buffer_bitwidth} {@code P} under 0.17.1 (its value bits are then {@code P}).
     *
     * @param y the QFloat input
     * @param reference the profile
     * @return the scaled input, before the rescale of step 3
     * @throws QuantizationException ({@code ValueError}) if scale bits are null; under 0.17.1
     *     ({@code TypeError}) if {@code buffer_bitwidth} is not an int, ({@code ValueError}) if it is
     *     negative or below the input's value bits
     * @throws IllegalArgumentException as {@link #rescaledScales}
     */
    public FixedPoint scaled(QFloat y, Reference reference) {
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(reference, "reference");
        int channels = y.shape().channels();
        if (scaleBits == null) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR,
                    "scale_bits must be set for an OutputQuantizer that receives a QFloat, got None");
        }
        Scales rescaled = rescaledScales(y.scales(), channels);
        if (!reference.quantizeml().isAtLeast(Reference.Quantizeml.V0_17_1)) {
            return QFloat.of(y.fixedPoint(), rescaled).toFixedPoint(scaleBits, reference);
        }
        int promoted = promotedValueBits(y.valueBits());
        FixedPoint q = QFloat.quantizeScales(rescaled, scaleBits, reference);
        float[] values = TensorAccess.get().floats(y.fixedPoint());
        float[] v = new float[values.length];
        int qn = q.shape().size();
        float[] qs = TensorAccess.get().floats(q);
        for (int i = 0; i < v.length; i++) {
            v[i] = F32.saturate(F32.ftz(values[i] * qs[qn == 1 ? 0 : i % channels]), promoted);
        }
        FracBits fb = y.fracBits();
        boolean perAxis = fb.isPerAxis() || q.fracBits().isPerAxis();
        int[] bits = new int[perAxis ? channels : 1];
        for (int c = 0; c < bits.length; c++) {
            bits[c] = fb.get(c) + q.fracBits().get(c);
        }
        // P may exceed FixedPoint.MAX_VALUE_BITS (quantizeml sets no bound): the tensor is only rescaled
        return TensorAccess.get().wrap(y.shape(), v, promoted,
                perAxis ? FracBits.perAxis(bits) : FracBits.of(bits[0]));
    }

    /**
     * quantizeml 0.17.1's {@code QFloat.promote(buffer_bitwidth)} checks, in its order, for an input of
     * {@code inputValueBits}: not an int ({@code bool} is one) is a {@code TypeError}, negative or below
     * {@code inputValueBits} a {@code ValueError}.
     *
     * @param inputValueBits the value bits of the QFloat input
     * @return the promoted value bits {@code P} (values above 128 clip nothing and are returned as 128)
     * @throws QuantizationException as described
     */
    public int promotedValueBits(int inputValueBits) {
        Object p = bufferBitwidth == ABSENT ? (Object) DEFAULT_BUFFER_BITWIDTH : bufferBitwidth;
        java.math.BigInteger bits;
        if (p instanceof Boolean) {
            bits = ((Boolean) p) ? java.math.BigInteger.ONE : java.math.BigInteger.ZERO;
        } else if (Checks.isJsonInteger(p)) {
            bits = new java.math.BigInteger(p.toString());
        } else {
            throw new QuantizationException(ReferenceError.TYPE_ERROR,
                    "output_quantizer buffer_bitwidth must be an int, got " + p);
        }
        if (bits.signum() < 0) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR,
                    "output_quantizer buffer_bitwidth must be >= 0, got " + p);
        }
        if (bits.compareTo(java.math.BigInteger.valueOf(inputValueBits)) < 0) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, "output_quantizer buffer_bitwidth must be >= "
                    + "the " + inputValueBits + " value bits of its input (quantizeml cannot promote to fewer), got "
                    + p);
        }
        return bits.min(java.math.BigInteger.valueOf(PROMOTION_CAP)).intValue();
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
     * {@code axis}, and {@code buffer_bitwidth} (quantizeml 0.17.1) only when it was configured.
     *
     * @return a new ordered map
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("bitwidth", bitwidth);
        config.put("signed", signed);
        config.put("scale_bits", scaleBits);
        config.put("axis", axis.configName());
        if (bufferBitwidth != ABSENT) {
            config.put("buffer_bitwidth", bufferBitwidth);
        }
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
