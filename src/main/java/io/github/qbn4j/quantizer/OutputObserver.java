package io.github.qbn4j.quantizer;

import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.tensor.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * quantizeml 0.5.2 {@code OutputObserver} and the range step of {@code calibrate}: finds the
 * {@code range_max} of an {@link OutputQuantizer} from float outputs of the layer it will follow.
 *
 * <p>Each batch {@code x} (channel last) gives {@code r = max |x|} in float32, over the whole tensor
 * (per-tensor) or over all axes but the last (per-axis). While {@code range_max} is still 1.0
 * everywhere the batch range is taken as it is; afterwards it is a moving average,
 * {@code range_max = range_max - (range_max - r) * decay} with {@code decay = float32(1 - momentum)},
 * every operation rounded to float32 in quantizeml's order. A quirk is kept on purpose: the test
 * "still 1.0 everywhere" is a value test, so a range that really is 1.0 everywhere makes the next
 * batch count as the first again.
 *
 * <p>{@link #equalize(int, float...)} is the cross-layer equalisation that {@code calibrate} applies
 * when the next layer is a convolution or a dense layer, which then absorbs the rate.
 *
 * <p>Instances are immutable and thread-safe: {@link #observe} returns a new observer.
 *
 * <pre>{@code
 * OutputObserver obs = OutputObserver.perAxis(16);           // momentum 0.9
 * for (float[] batch : batches) {
 *     obs = obs.observe(Shape.of(32, 8, 8, 16), batch);
 * }
 * OutputQuantizer plain = obs.applyTo(quantizer);             // next layer not equalisable
 * OutputQuantizer equalized = OutputObserver.equalize(8, obs.rangeMax()).applyTo(quantizer);
 * }</pre>
 */
public final class OutputObserver {

    /** quantizeml's default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.9;

    private final OutputQuantizer.Axis axis;
    private final double momentum;
    private final float decay;
    private final float[] rangeMax;

    private OutputObserver(OutputQuantizer.Axis axis, double momentum, float[] rangeMax) {
        this.axis = axis;
        this.momentum = momentum;
        // quantizeml: tf.convert_to_tensor(1.0 - momentum), a Python float (double) rounded to float32
        this.decay = (float) (1.0 - momentum);
        this.rangeMax = rangeMax;
    }

    /**
     * An observer of one range for the whole tensor ({@code "per-tensor"}), momentum 0.9, range 1.0.
     *
     * @return the observer
     */
    public static OutputObserver perTensor() {
        return new OutputObserver(OutputQuantizer.Axis.PER_TENSOR, DEFAULT_MOMENTUM, new float[] {1f});
    }

    /**
     * An observer of one range per channel ({@code "per-axis"}), momentum 0.9, ranges 1.0.
     *
     * @param channels the channel count (last dimension) of the observed tensors, at least 1
     * @return the observer
     * @throws IllegalArgumentException if {@code channels < 1}
     */
    public static OutputObserver perAxis(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new OutputObserver(OutputQuantizer.Axis.PER_AXIS, DEFAULT_MOMENTUM, ones);
    }

    /**
     * An observer for an output quantizer's axis: {@link #perTensor()} or {@link #perAxis(int)}.
     *
     * @param axis per-tensor or per-axis
     * @param channels the channel count of the observed tensors (ignored per-tensor), at least 1
     * @return the observer
     * @throws IllegalArgumentException if {@code channels < 1}
     */
    public static OutputObserver of(OutputQuantizer.Axis axis, int channels) {
        Objects.requireNonNull(axis, "axis");
        return axis == OutputQuantizer.Axis.PER_TENSOR ? perTensor() : perAxis(channels);
    }

    /**
     * Returns a copy with another momentum (quantizeml's {@code OutputObserver(momentum=...)}); the
     * ranges are kept.
     *
     * @param momentum finite; {@code float32(1 - momentum)} is the weight of each new batch
     * @return the new observer
     * @throws IllegalArgumentException if {@code momentum} is not finite
     */
    public OutputObserver withMomentum(double momentum) {
        if (!Double.isFinite(momentum)) {
            throw new IllegalArgumentException("momentum must be finite, got " + momentum);
        }
        return new OutputObserver(axis, momentum, rangeMax);
    }

    /**
     * quantizeml {@code OutputObserver.call}: folds one batch of float outputs into the range (see
     * the class description). The first update, or any update while the range is exactly 1.0
     * everywhere, takes the batch range as it is. Subnormal samples count as zero, as TensorFlow
     * reads them.
     *
     * @param shape the batch shape, channel last; per-axis: rank 3 or 4 and the observer's channel
     *     count
     * @param samples {@code shape.size()} finite values, channel last (not modified)
     * @return a new observer holding the updated range
     * @throws QuantizationException ({@code ValueError}) for a per-axis observer and a shape of rank
     *     below 3
     * @throws IllegalArgumentException if the sizes or channel counts disagree, the batch is empty,
     *     or a sample is not finite
     */
    public OutputObserver observe(Shape shape, float[] samples) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(samples, "samples");
        if (samples.length != shape.size()) {
            throw new IllegalArgumentException("samples must have " + shape.size() + " elements (shape " + shape
                    + "), got " + samples.length);
        }
        if (samples.length == 0) {
            throw new IllegalArgumentException("samples must not be empty, got shape " + shape);
        }
        int channels = 1;
        if (axis == OutputQuantizer.Axis.PER_AXIS) {
            if (shape.rank() < 3) {
                throw new QuantizationException(ReferenceError.VALUE_ERROR,
                        "input rank must be >= 3 for a per-axis OutputObserver, got " + shape.rank());
            }
            channels = shape.channels();
            if (channels != rangeMax.length) {
                throw new IllegalArgumentException("samples have " + channels + " channels, expected "
                        + rangeMax.length + " (shape " + shape + ")");
            }
        }
        float[] r = new float[channels];
        for (int i = 0; i < samples.length; i++) {
            float v = samples[i];
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("samples must be finite, got " + v + " at "
                        + shape.coordinates(i));
            }
            float a = F32.ftz(Math.abs(v));
            int c = channels == 1 ? 0 : i % channels;
            if (a > r[c]) {
                r[c] = a;
            }
        }
        if (isAtInitialValue()) {
            return new OutputObserver(axis, momentum, r);
        }
        float[] next = new float[channels];
        for (int c = 0; c < channels; c++) {
            float old = rangeMax[c];
            // update_delta = (old_value - range_max) * decay; new_range_max = old_value - update_delta
            float delta = F32.ftz(F32.ftz(old - r[c]) * decay);
            next[c] = F32.ftz(old - delta);
        }
        return new OutputObserver(axis, momentum, next);
    }

    /**
     * Whether the range is 1.0 everywhere: quantizeml's test for "never updated", true before the
     * first batch and after any batch whose range was exactly 1.0 everywhere.
     *
     * @return true when the next batch will be taken as it is
     */
    public boolean isAtInitialValue() {
        for (float v : rangeMax) {
            if (v != 1f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns the axis of the ranges.
     *
     * @return per-tensor or per-axis
     */
    public OutputQuantizer.Axis axis() {
        return axis;
    }

    /**
     * Returns the momentum as given.
     *
     * @return the momentum
     */
    public double momentum() {
        return momentum;
    }

    /**
     * Returns the observed range, quantizeml's {@code range_max} variable.
     *
     * @return a new array: one value per-tensor, one per channel per-axis
     */
    public float[] rangeMax() {
        return rangeMax.clone();
    }

    /**
     * Gives an output quantizer this range, without equalisation: what {@code calibrate} does when
     * no convolution or dense layer follows.
     *
     * @param quantizer an output quantizer with the same axis (and channel count)
     * @return {@code quantizer.withRangeMax(rangeMax())}
     * @throws IllegalArgumentException if the axes differ
     */
    public OutputQuantizer applyTo(OutputQuantizer quantizer) {
        Objects.requireNonNull(quantizer, "quantizer");
        if (quantizer.axis() != axis) {
            throw new IllegalArgumentException("quantizer axis must be " + axis.configName() + ", got "
                    + quantizer.axis().configName());
        }
        return quantizer.withRangeMax(rangeMax);
    }

    /**
     * The cross-layer equalisation of quantizeml's {@code calibrate} ({@code _set_and_equalize}): the
     * range becomes the largest value an output of {@code bitwidth} bits reaches with the fractional
     * bits the range allows, and the rate records the ratio, which the next layer's weights absorb.
     *
     * <p>Per element: {@code ideal = float32(2^bitwidth - 1) / 2^(bitwidth - floor_log2(r))} (a
     * division by a power of two, 0 when it underflows, as TensorFlow flushes it) and
     * {@code rate = float32(ideal / r)}, or 1 where {@code r = 0}. {@code floor_log2} is TensorFlow's
     * float32 {@code floor(log(r) / ln 2)}, lane by lane over the tensor of ranges
     * ({@link TfMath#floorLog2(float[])}, eager: quantizeml sets it outside any graph), so a range just below or at a power of two is treated exactly
     * as quantizeml treats it. A range below about {@code 2^(bitwidth - 127)} yields
     * {@code ideal = 0} and {@code rate = 0}, as in quantizeml; {@link Equalization#applyTo} refuses
     * that rate.
     *
     * @param bitwidth the output quantizer's bitwidth (sign included), 1 to 31
     * @param rangeMax the calibrated ranges, each finite and {@code >= 0} (not modified); one
     *     (per-tensor) or one per channel (per-axis)
     * @return the ideal ranges and the rates
     * @throws IllegalArgumentException if the bitwidth is out of range, the array is empty, or a
     *     range is negative or not finite
     */
    public static Equalization equalize(int bitwidth, float... rangeMax) {
        Objects.requireNonNull(rangeMax, "rangeMax");
        if (bitwidth < 1 || bitwidth > 31) {
            throw new IllegalArgumentException("bitwidth must be in [1, 31], got " + bitwidth);
        }
        if (rangeMax.length == 0) {
            throw new IllegalArgumentException("rangeMax must have at least 1 element, got 0");
        }
        for (int i = 0; i < rangeMax.length; i++) {
            if (!Float.isFinite(rangeMax[i]) || rangeMax[i] < 0f) {
                throw new IllegalArgumentException("rangeMax must be finite and >= 0, got " + rangeMax[i]
                        + " at index " + i);
            }
        }
        float intMax = F32.upperBound(bitwidth); // FixedPoint.int_max(bitwidth), cast to float32
        float[] floorLog2 = TfMath.of(Reference.defaults()).floorLog2(rangeMax);
        float[] ideal = new float[rangeMax.length];
        float[] rate = new float[rangeMax.length];
        for (int i = 0; i < ideal.length; i++) {
            // frac_bits = bitwidth - floor_log2(range_max); FixedPoint(int_max, bitwidth, frac_bits).to_float()
            float fracBits = (float) bitwidth - floorLog2[i];
            ideal[i] = F32.ftz(intMax / F32.pow2(fracBits));
            // numpy: ideal_range_max / range_max, then np.where(range_max == 0, 1, rate); numpy does not
            // flush subnormals, so no ftz here
            rate[i] = rangeMax[i] == 0f ? 1f : ideal[i] / rangeMax[i];
        }
        return new Equalization(bitwidth, ideal, rate);
    }

    @Override
    public String toString() {
        return "OutputObserver[axis=" + axis.configName() + ", momentum=" + momentum + ", rangeMax="
                + Arrays.toString(rangeMax) + "]";
    }

    /**
     * The result of {@link OutputObserver#equalize}: the ideal ranges and the rescaling rates.
     * Immutable and thread-safe.
     */
    public static final class Equalization {

        private final int bitwidth;
        private final float[] rangeMax;
        private final float[] rescalingRate;

        private Equalization(int bitwidth, float[] rangeMax, float[] rescalingRate) {
            this.bitwidth = bitwidth;
            this.rangeMax = rangeMax;
            this.rescalingRate = rescalingRate;
        }

        /**
         * Returns the bitwidth the ranges were equalised for.
         *
         * @return the bitwidth, sign included
         */
        public int bitwidth() {
            return bitwidth;
        }

        /**
         * Returns the ideal ranges, the new {@code range_max}.
         *
         * @return a new array
         */
        public float[] rangeMax() {
            return rangeMax.clone();
        }

        /**
         * Returns the rates {@code ideal / r} (1 where {@code r = 0}), the new {@code rescaling_rate}.
         *
         * @return a new array
         */
        public float[] rescalingRate() {
            return rescalingRate.clone();
        }

        /**
         * Gives an output quantizer the ideal ranges and the rates.
         *
         * @param quantizer an output quantizer of the same bitwidth (and axis and channel count)
         * @return the quantizer with {@code range_max} and {@code rescaling_rate} set
         * @throws IllegalArgumentException if the bitwidths differ, the counts do not fit the
         *     quantizer's axis, or a rate is 0 (a range too small to equalise)
         */
        public OutputQuantizer applyTo(OutputQuantizer quantizer) {
            Objects.requireNonNull(quantizer, "quantizer");
            if (quantizer.bitwidth() != bitwidth) {
                throw new IllegalArgumentException("quantizer bitwidth must be " + bitwidth + ", got "
                        + quantizer.bitwidth());
            }
            return quantizer.withRangeMax(rangeMax).withRescalingRate(rescalingRate);
        }

        @Override
        public String toString() {
            return "Equalization[bitwidth=" + bitwidth + ", rangeMax=" + Arrays.toString(rangeMax)
                    + ", rescalingRate=" + Arrays.toString(rescalingRate) + "]";
        }
    }
}
