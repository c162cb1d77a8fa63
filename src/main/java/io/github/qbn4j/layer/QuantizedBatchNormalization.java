package io.github.qbn4j.layer;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.Format;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * quantizeml 0.5.2 {@code QuantizedBatchNormalization}: batch normalization on quantized tensors,
 * {@code y = a * x + b} with {@code a = gamma / sqrt(var + eps)} and {@code b = beta - mean * a},
 * both quantized, computed in a saturating integer buffer, then optionally requantized.
 *
 * <p>For an input {@code x} (rank 3 or 4, channel last) the layer reproduces, bit for bit:
 * <ol>
 *   <li>conditioning: a per-axis FixedPoint is expanded to the buffer's value bits
 *       ({@link FixedPoint#expand}); anything else is promoted ({@link FixedPoint#promote});</li>
 *   <li>{@code a}: {@code sigmaRec = rsqrt(float32(var + float32(eps)))}, {@code a = gamma * sigmaRec},
 *       quantized by the {@code a_quantizer} (one scale);</li>
 *   <li>{@code outputs = x * a} ({@link FixedPoint#multiply(QFloat)} or {@link QFloat#multiply}),
 *       saturated to the buffer;</li>
 *   <li>{@code b = ((-mean) * gamma) * sigmaRec + beta}, quantized by the {@code b_quantizer} onto the
 *       scales and fractional bits of {@code outputs};</li>
 *   <li>{@code y = outputs + b}, saturated to the buffer; then the output quantizer, if any.</li>
 * </ol>
 * Every step uses float32 in quantizeml's order, with TensorFlow's own rounding of {@code rsqrt} and
 * {@code log}; integers past {@code 2^24} round as float32 does, and a 31-bit buffer clips at
 * {@code +2^31}. Without an output quantizer the result is the buffer as a QFloat; with one, a
 * FixedPoint.
 *
 * <p><b>Reference profile.</b> quantizeml's own bits depend on the CPU it ran on and on eager vs graph
 * execution ({@link Reference}). A layer has a default profile ({@link Builder#reference}, else
 * {@link Reference#defaults()}: quantizeml 0.5.2, Intel, eager) used by {@link #call(QTensor)},
 * {@link #fold(QTensor)} and {@link #compile(QTensor)}; the overloads taking a {@link Reference} apply
 * the same layer under another profile. Under quantizeml 0.17.1 ({@link Reference.Quantizeml#V0_17_1})
 * the per-axis input is expanded through {@code rescale} (odd values in {@code [2^23, 2^24)} at shift 0
 * gain 1), {@code b} is quantized per channel above 4 bits, the output quantizer promotes the buffer
 * to its own {@code buffer_bitwidth} before scaling it, and buffers may have up to 40 bits
 * ({@code docs/quantizeml-0.17.1.md}). What the layer derives from its parameters (the float and
 * quantized {@code a} and {@code b}) is computed once per profile, and profiles that derive the same
 * values share them.
 *
 * <p>Instances are immutable and thread-safe; {@link #call} may run concurrently.
 *
 * <pre>{@code
 * QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder()
 *         .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f)
 *         .build();
 * FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));
 * QTensor y = bn.call(x);   // QFloat, values [320, -1780], 31 value bits, 2 frac bits
 * }</pre>
 */
public final class QuantizedBatchNormalization {

    private static final Logger LOG = LoggerFactory.getLogger(QuantizedBatchNormalization.class);

    /** quantizeml's default {@code epsilon}. */
    public static final double DEFAULT_EPSILON = 1e-3;

    /** Profiles whose derived values a layer keeps; more are derived on every use. */
    private static final int MAX_CACHED_PROFILES = 16;

    private final String name;
    private final QuantConfig quantConfig;
    private final OutputQuantizer outputQuantizer;
    private final double epsilon;
    private final List<Integer> axis;
    private final boolean axisIsList;
    private final float[] gamma;
    private final float[] beta;
    private final float[] movingMean;
    private final float[] movingVariance;
    private final float[] varianceEpsilon;
    private final Reference reference;
    /** What each profile derives; bounded by {@link #MAX_CACHED_PROFILES}. */
    private final Map<Reference, Derived> derivedByProfile = new ConcurrentHashMap<>();
    private final PlanCache plans = new PlanCache(PlanCache.CAPACITY);

    private QuantizedBatchNormalization(Builder b) {
        this.name = b.name;
        this.quantConfig = b.quantConfig;
        this.epsilon = b.epsilon;
        this.axis = List.copyOf(b.axis);
        this.axisIsList = b.axisIsList;
        int channels = requireParams(b);
        this.gamma = daz(b.gamma);
        this.beta = daz(b.beta);
        this.movingMean = daz(b.movingMean);
        this.movingVariance = daz(b.movingVariance);
        OutputQuantizer oq = quantConfig.outputQuantizer();
        if (oq != null) {
            if (b.rangeMax != null) {
                oq = oq.withRangeMax(b.rangeMax);
            }
            if (b.rescalingRate != null) {
                oq = oq.withRescalingRate(b.rescalingRate);
            }
            oq.rangeMax(channels);
            oq.rescalingRate(channels);
        } else if (b.rangeMax != null || b.rescalingRate != null) {
            throw new IllegalArgumentException("rangeMax and rescalingRate must not be set without an "
                    + "output_quantizer in quant_config, got " + Arrays.toString(b.rangeMax) + " and "
                    + Arrays.toString(b.rescalingRate) + " (layer \"" + name + "\")");
        }
        this.outputQuantizer = oq;

        float eps = F32.ftz((float) epsilon);
        this.varianceEpsilon = new float[channels];
        for (int c = 0; c < channels; c++) {
            varianceEpsilon[c] = F32.ftz(movingVariance[c] + eps);
            if (!(varianceEpsilon[c] > 0f)) {
                throw new IllegalArgumentException("moving_variance + epsilon must be > 0 in float32, got "
                        + movingVariance[c] + " + " + eps + " = " + varianceEpsilon[c] + " at channel " + c
                        + " (layer \"" + name + "\")");
            }
        }
        this.reference = b.reference;
        quantConfig.checkRelease(reference.quantizeml());
        derived(reference); // refuses parameters whose a or b overflow, at build time
    }

    /** The values a profile derives from the parameters, before any input is seen. */
    private static final class Derived {
        final float[] sigmaRec;
        final float[] aFloat;
        final float[] bFloat;
        final QFloat a;

        Derived(float[] sigmaRec, float[] aFloat, float[] bFloat, QFloat a) {
            this.sigmaRec = sigmaRec;
            this.aFloat = aFloat;
            this.bFloat = bFloat;
            this.a = a;
        }

        boolean sameAs(Derived o) {
            return Arrays.equals(sigmaRec, o.sigmaRec) && Arrays.equals(aFloat, o.aFloat)
                    && Arrays.equals(bFloat, o.bFloat) && a.equals(o.a);
        }
    }

    /** What {@code ref} derives; shared with any cached profile that derives the same values. */
    private Derived derived(Reference ref) {
        Derived d = derivedByProfile.get(ref);
        if (d != null) {
            return d;
        }
        Derived fresh = derive(ref);
        for (Derived other : derivedByProfile.values()) {
            if (other.sameAs(fresh)) {
                fresh = other;
                break;
            }
        }
        if (derivedByProfile.size() >= MAX_CACHED_PROFILES) {
            return fresh;
        }
        Derived previous = derivedByProfile.putIfAbsent(ref, fresh);
        return previous != null ? previous : fresh;
    }

    /** The shared derivation of a profile, for tests of the sharing rule. */
    Object derivationOf(Reference ref) {
        return derived(ref);
    }

    private Derived derive(Reference ref) {
        int channels = gamma.length;
        float[] sigmaRec = TfMath.of(ref).rsqrt(varianceEpsilon);
        float[] aFloat = new float[channels];
        float[] bFloat = new float[channels];
        for (int c = 0; c < channels; c++) {
            aFloat[c] = F32.ftz(gamma[c] * sigmaRec[c]);
            float negMeanGamma = F32.ftz(-movingMean[c] * gamma[c]);
            bFloat[c] = F32.ftz(F32.ftz(negMeanGamma * sigmaRec[c]) + beta[c]);
        }
        Checks.finite("a = gamma * rsqrt(moving_variance + epsilon)", aFloat);
        Checks.finite("b = beta - moving_mean * gamma * rsqrt(moving_variance + epsilon)", bFloat);
        QFloat a = quantConfig.aQuantizer().quantize(aFloat, ref);
        if (LOG.isDebugEnabled()) {
            LOG.debug("layer \"{}\" ({}): a float {} -> {}; b float {}", name, ref, Arrays.toString(aFloat), a,
                    Arrays.toString(bFloat));
        }
        return new Derived(sigmaRec, aFloat, bFloat, a);
    }

    private static int requireParams(Builder b) {
        Objects.requireNonNull(b.gamma, "gamma");
        Objects.requireNonNull(b.beta, "beta");
        Objects.requireNonNull(b.movingMean, "movingMean");
        Objects.requireNonNull(b.movingVariance, "movingVariance");
        int channels = b.gamma.length;
        if (channels == 0) {
            throw new IllegalArgumentException("gamma must have at least 1 element, got 0 (layer \"" + b.name + "\")");
        }
        String context = "the channel count given by gamma";
        Checks.length("beta", b.beta.length, channels, context);
        Checks.length("movingMean", b.movingMean.length, channels, context);
        Checks.length("movingVariance", b.movingVariance.length, channels, context);
        Checks.finite("gamma", b.gamma);
        Checks.finite("beta", b.beta);
        Checks.finite("movingMean", b.movingMean);
        Checks.finite("movingVariance", b.movingVariance);
        if (!Double.isFinite(b.epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite, got " + b.epsilon);
        }
        return channels;
    }

    private static float[] daz(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = F32.ftz(values[i]);
        }
        return out;
    }

    /**
     * Starts a layer description with quantizeml's defaults: epsilon 1e-3, axis -1,
     * {@link QuantConfig#defaults()}, beta and moving mean zero, gamma and moving variance one once
     * the channel count is known.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the layer name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the layer's default reference profile, used by the methods that take none.
     *
     * @return the profile given to {@link Builder#reference}, or {@link Reference#defaults()}
     */
    public Reference reference() {
        return reference;
    }

    /**
     * Returns the channel count.
     *
     * @return the length of the parameter vectors
     */
    public int channels() {
        return gamma.length;
    }

    /**
     * Returns the quantization configuration, with quantizeml's defaults written back.
     *
     * @return the configuration
     */
    public QuantConfig quantConfig() {
        return quantConfig;
    }

    /**
     * Returns the output quantizer with the layer's calibrated variables.
     *
     * @return the output quantizer, or null when the layer has none
     */
    public OutputQuantizer outputQuantizer() {
        return outputQuantizer;
    }

    /**
     * Returns epsilon as configured (a Python float; quantizeml adds it as float32).
     *
     * @return epsilon
     */
    public double epsilon() {
        return epsilon;
    }

    /**
     * Returns gamma.
     *
     * @return a new array (subnormals flushed to zero, as TensorFlow reads them)
     */
    public float[] gamma() {
        return gamma.clone();
    }

    /**
     * Returns beta.
     *
     * @return a new array
     */
    public float[] beta() {
        return beta.clone();
    }

    /**
     * Returns the moving mean.
     *
     * @return a new array
     */
    public float[] movingMean() {
        return movingMean.clone();
    }

    /**
     * Returns the moving variance.
     *
     * @return a new array
     */
    public float[] movingVariance() {
        return movingVariance.clone();
    }

    /**
     * Applies the layer, exactly as quantizeml 0.5.2 does (see the class description).
     *
     * @param x a FixedPoint or per-tensor QFloat of rank 3 or 4 with {@link #channels()} channels
     * @return a QFloat (the buffer) without output quantizer, a FixedPoint with one
     * @throws QuantizationException ({@code ValueError}) for a rank other than 3 or 4, a bad axis, input
     *     value bits above the buffer's, or an output quantizer with no fewer bits than the buffer;
     *     ({@code InvalidArgumentError}) for a per-axis QFloat input or a frac-bit spread or shift
     *     that would always saturate
     * @throws IllegalArgumentException if the channel count differs
     * @throws NullPointerException if {@code x} is null
     */
    public QTensor call(QTensor x) {
        return call(x, reference);
    }

    /**
     * Applies the layer as quantizeml computed it under another profile (see {@link #call(QTensor)}).
     *
     * @param x a FixedPoint or per-tensor QFloat of rank 3 or 4 with {@link #channels()} channels
     * @param reference the profile to reproduce
     * @return a QFloat (the buffer) without output quantizer, a FixedPoint with one
     * @throws QuantizationException as {@link #call(QTensor)}
     * @throws IllegalArgumentException if the channel count differs, or the folded a or b overflow
     *     float32 under that profile
     * @throws NullPointerException if an argument is null
     */
    public QTensor call(QTensor x, Reference reference) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(reference, "reference");
        Plan plan;
        try {
            plan = plans.get(new PlanCache.Key(Format.of(x), reference), key -> compile(key.format, key.reference));
        } catch (IllegalArgumentException e) { // QuantizationException included
            // quantizeml refuses this format: let the step-by-step path raise exactly its error for x
            return callUncompiled(x, reference);
        }
        if (plan.refusesRank(x.shape().rank())) {
            return callUncompiled(x, reference);
        }
        return plan.apply(x);
    }

    /** How many compiled plans {@link #call} holds (for tests). */
    int cachedPlans() {
        return plans.size();
    }

    /** {@link #callUncompiled(QTensor, Reference)} under the layer's own profile. */
    QTensor callUncompiled(QTensor x) {
        return callUncompiled(x, reference);
    }

    /**
     * {@link #call} step by step, as quantizeml computes it, without a plan: the readable reference
     * the plans are tested against, and the path that raises quantizeml's errors.
     */
    QTensor callUncompiled(QTensor x, Reference reference) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(reference, "reference");
        quantConfig.checkRelease(reference.quantizeml());
        try {
            return callSteps(x, reference);
        } catch (QuantizationException e) {
            throw inTraceOrder(e, reference);
        }
    }

    /**
     * In graph mode TensorFlow traces the whole call before running it, so an error quantizeml raises
     * in Python from static values (the output quantizer's {@code ValueError}s) comes before any
     * run-time assertion ({@code InvalidArgumentError}) that precedes it in eager order. Measured on
     * the graph-mode golden suite: an input whose b alignment fails its assertion and whose output
     * quantizer is "pointless" raises the {@code ValueError} in graph mode.
     */
    private QuantizationException inTraceOrder(QuantizationException e, Reference reference) {
        if (reference.mode() == Reference.Mode.GRAPH && outputQuantizer != null
                && e.referenceError() == ReferenceError.INVALID_ARGUMENT) {
            QuantizationException traced = outputQuantizer.traceTimeError(quantConfig.bufferValueBits(), true);
            if (traced != null) {
                return traced;
            }
        }
        return e;
    }

    private QTensor callSteps(QTensor x, Reference reference) {
        checkInput(x.shape());
        Derived d = derived(reference);
        QTensor conditioned = condition(x, reference);
        refuseFpQuantizer(conditioned);
        QFloat outputs = conditioned instanceof FixedPoint
                ? ((FixedPoint) conditioned).multiply(d.a)
                : ((QFloat) conditioned).multiply(d.a);
        QFloat b = quantConfig.bQuantizer().quantize(d.bFloat, outputs, reference);
        QFloat y = outputs.add(b);
        return outputQuantizer == null ? y : outputQuantizer.quantize(y, reference);
    }

    /**
     * Computes everything the layer derives for an input format, without any input values: see
     * {@link Folding}. quantizeml recomputes these on every call.
     *
     * @param inputValueBits value bits of the input
     * @param inputFracBits fractional bits of the input (per-axis: one per channel)
     * @param inputScales scales of a QFloat input, or null for a FixedPoint input
     * @return the folding
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if the lengths disagree with the channel count
     */
    public Folding fold(int inputValueBits, FracBits inputFracBits, Scales inputScales) {
        return fold(inputValueBits, inputFracBits, inputScales, reference);
    }

    /**
     * {@link #fold(int, FracBits, Scales)} under another profile.
     *
     * @param inputValueBits value bits of the input
     * @param inputFracBits fractional bits of the input (per-axis: one per channel)
     * @param inputScales scales of a QFloat input, or null for a FixedPoint input
     * @param reference the profile to reproduce
     * @return the folding
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if the lengths disagree with the channel count
     */
    public Folding fold(int inputValueBits, FracBits inputFracBits, Scales inputScales, Reference reference) {
        Objects.requireNonNull(reference, "reference");
        quantConfig.checkRelease(reference.quantizeml());
        try {
            return foldSteps(inputValueBits, inputFracBits, inputScales, reference);
        } catch (QuantizationException e) {
            throw inTraceOrder(e, reference);
        }
    }

    private Folding foldSteps(int inputValueBits, FracBits inputFracBits, Scales inputScales, Reference reference) {
        Derived d = derived(reference);
        QFloat a = d.a;
        Shape shape = Shape.of(1, 1, channels());
        FixedPoint zeros = FixedPoint.of(shape, new long[shape.size()], inputValueBits, inputFracBits);
        QTensor format = inputScales == null ? zeros : QFloat.of(zeros, inputScales);
        QTensor conditioned = condition(format, reference);
        refuseFpQuantizer(conditioned);
        int[] inputShift = new int[channels()];
        for (int c = 0; c < inputShift.length; c++) {
            inputShift[c] = conditioned.fracBits().get(c) - inputFracBits.get(c);
        }
        QFloat outputs = conditioned instanceof FixedPoint
                ? ((FixedPoint) conditioned).multiply(a)
                : ((QFloat) conditioned).multiply(a);
        QFloat bUnaligned = quantConfig.bQuantizer().quantizeUnaligned(d.bFloat, outputs, reference);
        QFloat bAligned = bUnaligned.upscale(outputs.fracBits(), outputs.valueBits(), reference);
        Scales outputScales = null;
        FixedPoint quantizedScales = null;
        FracBits outputFracBits = null;
        if (outputQuantizer != null) {
            outputQuantizer.quantize(outputs.add(bAligned), reference); // raises what quantizeml raises
            outputScales = outputQuantizer.rescaledScales(outputs.scales(), channels());
            quantizedScales = QFloat.quantizeScales(outputScales, outputQuantizer.scaleBits(), reference);
            outputFracBits = outputQuantizer.outputFracBits(channels(), reference);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("layer \"{}\" folded for vb={} fb={} scales={}: a={}, b={} (fb {}), F={}, S={}, out fb={}",
                    name, inputValueBits, inputFracBits, inputScales, a, bUnaligned,
                    bUnaligned.fracBits(), outputs.fracBits(), outputs.scales(), outputFracBits);
        }
        return new Folding(reference, d.sigmaRec.clone(), d.aFloat.clone(), d.bFloat.clone(), a, conditioned.fixedPoint(),
                inputShift, bUnaligned, bAligned, outputs.scales(), outputScales, quantizedScales, outputFracBits);
    }

    /**
     * {@link #fold(int, FracBits, Scales)} for the format of a given tensor (its values are ignored).
     *
     * @param formatOf a FixedPoint or QFloat whose value bits, fractional bits and scales are used
     * @return the folding
     * @throws QuantizationException as {@link #call} would for that format
     * @throws IllegalArgumentException if the channel count differs
     */
    public Folding fold(QTensor formatOf) {
        return fold(formatOf, reference);
    }

    /**
     * {@link #fold(QTensor)} under another profile.
     *
     * @param formatOf a FixedPoint or QFloat whose value bits, fractional bits and scales are used
     * @param reference the profile to reproduce
     * @return the folding
     * @throws QuantizationException as {@link #call} would for that format
     * @throws IllegalArgumentException if the channel count differs
     */
    public Folding fold(QTensor formatOf, Reference reference) {
        Objects.requireNonNull(formatOf, "formatOf");
        checkInput(formatOf.shape());
        return fold(formatOf.valueBits(), formatOf.fracBits(),
                formatOf instanceof QFloat ? ((QFloat) formatOf).scales() : null, reference);
    }

    /**
     * Compiles this layer for one input format: every per-channel constant that {@link #call}
     * recomputes, folded once, with an allocation-free kernel over the caller's buffers
     * ({@link Plan}). The plan's results equal {@link #call}'s bit for bit.
     *
     * @param inputValueBits value bits of the input integers
     * @param inputFracBits fractional bits of the input (per-axis: one per channel)
     * @param inputScales scales of a QFloat input, or null for a FixedPoint input
     * @return the plan
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if the lengths disagree with the channel count
     */
    public Plan compile(int inputValueBits, FracBits inputFracBits, Scales inputScales) {
        return compile(inputValueBits, inputFracBits, inputScales, reference);
    }

    /**
     * {@link #compile(int, FracBits, Scales)} under another profile.
     *
     * @param inputValueBits value bits of the input integers
     * @param inputFracBits fractional bits of the input (per-axis: one per channel)
     * @param inputScales scales of a QFloat input, or null for a FixedPoint input
     * @param reference the profile to reproduce
     * @return the plan
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if the lengths disagree with the channel count
     */
    public Plan compile(int inputValueBits, FracBits inputFracBits, Scales inputScales, Reference reference) {
        Folding folding = fold(inputValueBits, inputFracBits, inputScales, reference);
        return Plan.compile(this, folding, inputValueBits, inputFracBits, inputScales);
    }

    /**
     * {@link #compile(int, FracBits, Scales)} for the format of a given tensor (its values are
     * ignored).
     *
     * @param formatOf a FixedPoint or QFloat whose value bits, fractional bits and scales are used
     * @return the plan
     * @throws QuantizationException as {@link #call} would for that tensor
     * @throws IllegalArgumentException if the channel count differs
     */
    public Plan compile(QTensor formatOf) {
        return compile(formatOf, reference);
    }

    /**
     * {@link #compile(QTensor)} under another profile.
     *
     * @param formatOf a FixedPoint or QFloat whose value bits, fractional bits and scales are used
     * @param reference the profile to reproduce
     * @return the plan
     * @throws QuantizationException as {@link #call} would for that tensor
     * @throws IllegalArgumentException if the channel count differs
     */
    public Plan compile(QTensor formatOf, Reference reference) {
        Objects.requireNonNull(formatOf, "formatOf");
        Folding folding = fold(formatOf, reference);
        return Plan.compile(this, folding, formatOf.valueBits(), formatOf.fracBits(),
                formatOf instanceof QFloat ? ((QFloat) formatOf).scales() : null);
    }

    /**
     * {@link #compile(int, FracBits, Scales)} for an input format, e.g. {@code Format.int8(4)} or
     * {@code Format.parse("7:4@0.05")}.
     *
     * @param format the input format
     * @return the plan
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if per-axis lengths disagree with the channel count
     */
    public Plan compile(Format format) {
        return compile(format, reference);
    }

    /**
     * {@link #compile(Format)} under another profile.
     *
     * @param format the input format
     * @param reference the profile to reproduce
     * @return the plan
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if per-axis lengths disagree with the channel count
     */
    public Plan compile(Format format, Reference reference) {
        Objects.requireNonNull(format, "format");
        return compile(format.valueBits(), format.fracBits(), format.scales(), reference);
    }

    /**
     * {@link #fold(int, FracBits, Scales)} for an input format.
     *
     * @param format the input format
     * @return the folding
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if per-axis lengths disagree with the channel count
     */
    public Folding fold(Format format) {
        return fold(format, reference);
    }

    /**
     * {@link #fold(Format)} under another profile.
     *
     * @param format the input format
     * @param reference the profile to reproduce
     * @return the folding
     * @throws QuantizationException as {@link #call} would for an input of that format
     * @throws IllegalArgumentException if per-axis lengths disagree with the channel count
     */
    public Folding fold(Format format, Reference reference) {
        Objects.requireNonNull(format, "format");
        return fold(format.valueBits(), format.fracBits(), format.scales(), reference);
    }

    /**
     * quantizeml 0.17.1 with a truthy {@code a_quantizer.fp_quantizer}: {@code a} is quantized to a
     * FixedPoint, which the next step refuses with a {@code ValueError} (the b quantizer for a
     * FixedPoint input, the QFloat product for a QFloat input).
     */
    private void refuseFpQuantizer(QTensor conditioned) {
        if (!quantConfig.aQuantizer().isFpQuantizer()) {
            return;
        }
        String why = conditioned instanceof FixedPoint
                ? "b_quantizer (AlignedWeightQuantizer) accepts only a QFloat to align on, and x * a is a FixedPoint"
                : "a QFloat input cannot be multiplied by a FixedPoint a (TypeError: object of type 'QFloat' has no len())";
        throw new QuantizationException(ReferenceError.VALUE_ERROR, "a_quantizer fp_quantizer must be false "
                + "for QuantizedBatchNormalization (quantizeml 0.17.1 then quantizes a to a FixedPoint: " + why
                + "), got " + quantConfig.aQuantizer().getConfig().get("fp_quantizer") + " (layer \"" + name + "\")");
    }

    /** quantizeml's {@code tensor_inputs}: expand a per-axis FixedPoint, promote anything else. */
    private QTensor condition(QTensor x, Reference reference) {
        int bufferBits = quantConfig.bufferValueBits();
        if (x instanceof FixedPoint && !x.isPerTensor()) {
            return ((FixedPoint) x).expand(bufferBits, reference);
        }
        if (x.valueBits() > bufferBits) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, "input value bits must be <= the "
                    + bufferBits + " value bits of the buffer (buffer_bitwidth " + quantConfig.bufferBitwidth()
                    + "), got " + x.valueBits() + " (layer \"" + name + "\")");
        }
        return x instanceof FixedPoint ? ((FixedPoint) x).promote(bufferBits) : ((QFloat) x).promote(bufferBits);
    }

    /** quantizeml's {@code build}: rank 3 or 4, and the axis rule of 0.5.x. */
    private void checkInput(Shape shape) {
        int rank = shape.rank();
        if (rank != 3 && rank != 4) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, "input rank must be 3 or 4, got "
                    + rank + " (shape " + shape + ", layer \"" + name + "\")");
        }
        List<Integer> normalized = new ArrayList<>();
        for (int ax : axis) {
            int positive = ax < 0 ? rank + ax : ax;
            if (positive < 0 || positive >= rank) {
                throw new QuantizationException(ReferenceError.VALUE_ERROR, "axis must be in [" + -rank + ", "
                        + (rank - 1) + "] for rank " + rank + " inputs, got " + axis + " (layer \"" + name + "\")");
            }
            if (normalized.contains(positive)) {
                throw new QuantizationException(ReferenceError.VALUE_ERROR,
                        "axis must not repeat, got " + axis + " (layer \"" + name + "\")");
            }
            normalized.add(positive);
        }
        // quantizeml 0.5.2: "if len(axis) != 1 and axis[0] != rank - 1: raise". A single axis is
        // accepted whichever it is, and the layer normalizes the last axis all the same.
        if (normalized.size() != 1 && normalized.get(0) != rank - 1) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, "axis must be the last dimension ("
                    + (rank - 1) + "), got " + axis + " (layer \"" + name + "\")");
        }
        if (shape.channels() != channels()) {
            throw new IllegalArgumentException("input has " + shape.channels() + " channels, expected "
                    + channels() + " (layer \"" + name + "\")");
        }
        if (outputQuantizer != null) {
            outputQuantizer.checkInput(rank, channels());
        }
    }

    /**
     * quantizeml {@code get_config()} of the layer's release ({@link #reference()}): the Keras base keys
     * ({@code name}, {@code trainable}, {@code dtype}; quantizeml 0.17.1 leaves out {@code trainable}),
     * {@code quant_config} with its defaults written back, {@code epsilon} and {@code axis} as
     * configured.
     *
     * @return a new ordered map
     */
    public Map<String, Object> getConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", name);
        if (!reference.quantizeml().isAtLeast(Reference.Quantizeml.V0_17_1)) {
            config.put("trainable", true); // quantizeml 0.17.1 drops it with the other ignored arguments
        }
        config.put("dtype", "float32");
        config.put("quant_config", quantConfig.toMap());
        config.put("epsilon", epsilon);
        config.put("axis", axisIsList ? new ArrayList<>(axis) : axis.get(0));
        return config;
    }

    @Override
    public String toString() {
        return "QuantizedBatchNormalization[name=" + name + ", channels=" + channels() + ", quant_config="
                + quantConfig.toMap() + ", epsilon=" + epsilon + ", axis=" + (axisIsList ? axis : axis.get(0)) + "]";
    }

    /**
     * Describes a {@link QuantizedBatchNormalization}. Parameters given as arrays are copied. A builder
     * is mutable and not thread-safe; the layers it builds are immutable.
     */
    public static final class Builder {

        private String name = "quantized_batch_normalization";
        private QuantConfig quantConfig = QuantConfig.defaults();
        private double epsilon = DEFAULT_EPSILON;
        private List<Integer> axis = List.of(-1);
        private boolean axisIsList;
        private float[] gamma;
        private float[] beta;
        private float[] movingMean;
        private float[] movingVariance;
        private float[] rangeMax;
        private float[] rescalingRate;
        private Reference reference = Reference.defaults();

        private Builder() {
        }

        /**
         * Sets the layer name (used in messages and configs).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets the quantization configuration.
         *
         * @param quantConfig the configuration
         * @return this builder
         */
        public Builder quantConfig(QuantConfig quantConfig) {
            this.quantConfig = Objects.requireNonNull(quantConfig, "quantConfig");
            return this;
        }

        /**
         * Sets epsilon, added to the variance in float32.
         *
         * @param epsilon finite
         * @return this builder
         */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Sets a single normalization axis (quantizeml accepts any valid one and normalizes the last).
         *
         * @param axis the axis, negative counting from the end
         * @return this builder
         */
        public Builder axis(int axis) {
            this.axis = List.of(axis);
            this.axisIsList = false;
            return this;
        }

        /**
         * Sets the axis as a list, as a built Keras layer's config gives it (e.g. {@code [3]}).
         *
         * @param axes the axes; quantizeml refuses several unless the first is the last dimension
         * @return this builder
         */
        public Builder axes(int... axes) {
            if (axes.length == 0) {
                throw new IllegalArgumentException("axes must have at least 1 element, got 0");
            }
            this.axis = Arrays.stream(axes).boxed().toList();
            this.axisIsList = true;
            return this;
        }

        /**
         * Sets gamma (the scale); its length sets the channel count.
         *
         * @param gamma one finite value per channel
         * @return this builder
         */
        public Builder gamma(float... gamma) {
            this.gamma = Objects.requireNonNull(gamma, "gamma").clone();
            return this;
        }

        /**
         * Sets beta (the offset).
         *
         * @param beta one finite value per channel
         * @return this builder
         */
        public Builder beta(float... beta) {
            this.beta = Objects.requireNonNull(beta, "beta").clone();
            return this;
        }

        /**
         * Sets the moving mean.
         *
         * @param movingMean one finite value per channel
         * @return this builder
         */
        public Builder movingMean(float... movingMean) {
            this.movingMean = Objects.requireNonNull(movingMean, "movingMean").clone();
            return this;
        }

        /**
         * Sets the moving variance.
         *
         * @param movingVariance one finite value per channel; {@code variance + epsilon > 0}
         * @return this builder
         */
        public Builder movingVariance(float... movingVariance) {
            this.movingVariance = Objects.requireNonNull(movingVariance, "movingVariance").clone();
            return this;
        }

        /**
         * Sets the output quantizer's calibrated {@code range_max}.
         *
         * @param rangeMax one value (per-tensor) or one per channel (per-axis)
         * @return this builder
         */
        public Builder rangeMax(float... rangeMax) {
            this.rangeMax = Objects.requireNonNull(rangeMax, "rangeMax").clone();
            return this;
        }

        /**
         * Sets the output quantizer's {@code rescaling_rate}.
         *
         * @param rescalingRate one value (per-tensor) or one per channel (per-axis)
         * @return this builder
         */
        public Builder rescalingRate(float... rescalingRate) {
            this.rescalingRate = Objects.requireNonNull(rescalingRate, "rescalingRate").clone();
            return this;
        }

        /**
         * Sets the layer's default reference profile: which quantizeml release, CPU and execution mode
         * {@link QuantizedBatchNormalization#call(QTensor)} reproduces.
         *
         * @param reference the profile (default {@link Reference#defaults()})
         * @return this builder
         */
        public Builder reference(Reference reference) {
            this.reference = Objects.requireNonNull(reference, "reference");
            return this;
        }

        /**
         * Builds the layer. Parameters left unset take Keras' initial values: gamma and moving
         * variance one, beta and moving mean zero (gamma or one other vector must be set, to give the
         * channel count).
         *
         * @return the layer
         * @throws IllegalArgumentException if a parameter is not finite, the lengths disagree,
         *     {@code variance + epsilon <= 0} in float32, or the folded a or b overflow float32
         * @throws NullPointerException if no parameter gives the channel count
         */
        public QuantizedBatchNormalization build() {
            float[] any = gamma != null ? gamma : beta != null ? beta : movingMean != null ? movingMean : movingVariance;
            Objects.requireNonNull(any, "gamma (or another parameter vector, to give the channel count)");
            int channels = any.length;
            gamma = gamma != null ? gamma : filled(channels, 1f);
            beta = beta != null ? beta : new float[channels];
            movingMean = movingMean != null ? movingMean : new float[channels];
            movingVariance = movingVariance != null ? movingVariance : filled(channels, 1f);
            return new QuantizedBatchNormalization(this);
        }

        private static float[] filled(int n, float v) {
            float[] a = new float[n];
            Arrays.fill(a, v);
            return a;
        }
    }
}
