package io.github.qbn4j.io;

import io.github.qbn4j.Reference;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A float Keras {@code BatchNormalization} layer as {@link KerasModels} reads it from a file: its name,
 * its four parameter vectors, {@code epsilon} and {@code axis} (always the last axis: other axes are
 * refused when the file is read).
 *
 * <p>It computes {@code y = (x - movingMean) * gamma / sqrt(movingVariance + epsilon) + beta} on the
 * last axis. A layer saved with {@code center=False} has no beta, read as zeros; one saved with
 * {@code scale=False} has no gamma, read as ones; {@link #center()} and {@link #scale()} tell which.
 * {@link #toQuantized(QuantConfig)} gives the {@link QuantizedBatchNormalization} that quantizeml
 * 0.5.2's {@code quantize()} builds from it (same variables, name, epsilon and axis).
 *
 * <p>Instances are immutable and thread-safe; the accessors return copies.
 *
 * <pre>{@code
 * KerasBatchNormalization bn = KerasModels.load(Path.of("model.h5"), "bn_add");
 * QuantizedBatchNormalization plain = bn.toQuantized(QuantConfig.defaults());
 * QuantizedBatchNormalization calibrated = bn.toQuantized(QuantConfig.defaults()
 *         .withOutputQuantizer(OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_TENSOR, 8)),
 *         new float[] {7.96875f}, null);   // range_max from an OutputObserver
 * }</pre>
 */
public final class KerasBatchNormalization {

    private final String name;
    private final String path;
    private final double epsilon;
    private final List<Integer> axis;
    private final boolean axisIsList;
    private final boolean center;
    private final boolean scale;
    private final float[] gamma;
    private final float[] beta;
    private final float[] movingMean;
    private final float[] movingVariance;

    private KerasBatchNormalization(String name, String path, double epsilon, List<Integer> axis, boolean axisIsList,
            boolean center, boolean scale, float[] gamma, float[] beta, float[] movingMean, float[] movingVariance) {
        this.name = name;
        this.path = path;
        this.epsilon = epsilon;
        this.axis = List.copyOf(axis);
        this.axisIsList = axisIsList;
        this.center = center;
        this.scale = scale;
        this.gamma = gamma;
        this.beta = beta;
        this.movingMean = movingMean;
        this.movingVariance = movingVariance;
    }

    /**
     * Assembles a layer read from a file; the reader has checked lengths, finiteness and the axis.
     * A null gamma (beta) becomes ones (zeros).
     */
    static KerasBatchNormalization of(String name, String path, double epsilon, List<Integer> axis, boolean axisIsList,
            float[] gamma, float[] beta, float[] movingMean, float[] movingVariance) {
        int channels = movingMean.length;
        float[] g = gamma;
        if (g == null) {
            g = new float[channels];
            Arrays.fill(g, 1f);
        }
        float[] b = beta == null ? new float[channels] : beta;
        return new KerasBatchNormalization(name, path, epsilon, axis, axisIsList, beta != null, gamma != null,
                g.clone(), b.clone(), movingMean.clone(), movingVariance.clone());
    }

    /**
     * Returns the layer name.
     *
     * @return the name Keras gave the layer
     */
    public String name() {
        return name;
    }

    /**
     * Returns where the layer sits: its name, preceded by the names of the models that hold it.
     *
     * @return e.g. {@code bn_add}, or {@code seq/inner_bn} inside a nested model {@code seq}
     */
    public String path() {
        return path;
    }

    /**
     * Returns the channel count.
     *
     * @return the length of the parameter vectors
     */
    public int channels() {
        return movingMean.length;
    }

    /**
     * Returns epsilon, added to the variance.
     *
     * @return epsilon as saved (a Python float)
     */
    public double epsilon() {
        return epsilon;
    }

    /**
     * Returns the normalized axis as saved: {@code -1}, or {@code rank - 1} (Keras 2 saves the
     * resolved axis, e.g. {@code [3]} for a rank-4 input).
     *
     * @return the axis
     */
    public int axis() {
        return axis.get(0);
    }

    /**
     * Whether the layer was saved with an offset ({@code center=True}); without one, beta is zero.
     *
     * @return the Keras {@code center} flag
     */
    public boolean center() {
        return center;
    }

    /**
     * Whether the layer was saved with a scale ({@code scale=True}); without one, gamma is one.
     *
     * @return the Keras {@code scale} flag
     */
    public boolean scale() {
        return scale;
    }

    /**
     * Returns gamma.
     *
     * @return a new array (ones when {@link #scale()} is false)
     */
    public float[] gamma() {
        return gamma.clone();
    }

    /**
     * Returns beta.
     *
     * @return a new array (zeros when {@link #center()} is false)
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
     * The quantized layer quantizeml 0.5.2's {@code quantize()} builds from this one, before
     * calibration: same name, epsilon, axis and variables. If the configuration has an output
     * quantizer its {@code range_max} and {@code rescaling_rate} stay 1.0.
     *
     * @param quantConfig the quantization configuration
     * @return the layer
     * @throws IllegalArgumentException if the parameters do not make a valid layer (see
     *     {@link QuantizedBatchNormalization.Builder#build()})
     */
    public QuantizedBatchNormalization toQuantized(QuantConfig quantConfig) {
        return toQuantized(quantConfig, null, null);
    }

    /**
     * The quantized layer with calibrated output-quantizer variables (see
     * {@link io.github.qbn4j.quantizer.OutputObserver}).
     *
     * @param quantConfig the quantization configuration; it must have an output quantizer if either
     *     array is given
     * @param rangeMax the output quantizer's {@code range_max} (one value per-tensor, one per channel
     *     per-axis), or null for 1.0
     * @param rescalingRate the output quantizer's {@code rescaling_rate}, or null for 1.0
     * @return the layer
     * @throws IllegalArgumentException if the parameters do not make a valid layer, or the variables
     *     are given without an output quantizer or do not fit its axis
     */
    public QuantizedBatchNormalization toQuantized(QuantConfig quantConfig, float[] rangeMax, float[] rescalingRate) {
        return toQuantized(quantConfig, rangeMax, rescalingRate, Reference.defaults());
    }

    /**
     * {@link #toQuantized(QuantConfig, float[], float[])} with a default reference profile for the layer
     * (a configuration read under quantizeml 0.17.1's keys needs a 0.17.1 profile).
     *
     * @param quantConfig the quantization configuration
     * @param rangeMax the output quantizer's {@code range_max}, or null for 1.0
     * @param rescalingRate the output quantizer's {@code rescaling_rate}, or null for 1.0
     * @param reference the layer's default profile
     * @return the layer
     * @throws IllegalArgumentException as {@link #toQuantized(QuantConfig, float[], float[])}, or if the
     *     configuration uses keys the profile's release does not know
     */
    public QuantizedBatchNormalization toQuantized(QuantConfig quantConfig, float[] rangeMax, float[] rescalingRate,
            Reference reference) {
        Objects.requireNonNull(quantConfig, "quantConfig");
        QuantizedBatchNormalization.Builder b = QuantizedBatchNormalization.builder()
                .reference(reference)
                .name(name)
                .quantConfig(quantConfig)
                .epsilon(epsilon)
                .gamma(gamma)
                .beta(beta)
                .movingMean(movingMean)
                .movingVariance(movingVariance);
        if (axisIsList) {
            b.axes(axis.stream().mapToInt(Integer::intValue).toArray());
        } else {
            b.axis(axis.get(0));
        }
        if (rangeMax != null) {
            b.rangeMax(rangeMax);
        }
        if (rescalingRate != null) {
            b.rescalingRate(rescalingRate);
        }
        return b.build();
    }

    /**
     * Equal when name, path, epsilon, axis, flags and every parameter are equal (floats compared by
     * their bits).
     *
     * @param o the other object
     * @return whether they describe the same layer
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KerasBatchNormalization)) {
            return false;
        }
        KerasBatchNormalization k = (KerasBatchNormalization) o;
        return name.equals(k.name) && path.equals(k.path) && Double.compare(epsilon, k.epsilon) == 0
                && axis.equals(k.axis) && axisIsList == k.axisIsList && center == k.center && scale == k.scale
                && Arrays.equals(gamma, k.gamma) && Arrays.equals(beta, k.beta)
                && Arrays.equals(movingMean, k.movingMean) && Arrays.equals(movingVariance, k.movingVariance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, path, epsilon, axis, Arrays.hashCode(gamma), Arrays.hashCode(beta),
                Arrays.hashCode(movingMean), Arrays.hashCode(movingVariance));
    }

    @Override
    public String toString() {
        return "KerasBatchNormalization[path=" + path + ", channels=" + channels() + ", epsilon=" + epsilon
                + ", axis=" + (axisIsList ? axis : axis.get(0)) + ", center=" + center + ", scale=" + scale + "]";
    }

    /**
     * What a weights-only file does not say about a layer: its name, epsilon, axis and which of
     * gamma and beta it has. Defaults are Keras': epsilon 1e-3, axis -1, center and scale true.
     * Immutable and thread-safe.
     *
     * <pre>{@code
     * KerasBatchNormalization.Spec spec = KerasBatchNormalization.Spec.of("bn_relu")
     *         .withCenter(false).withEpsilon(1e-2);
     * KerasBatchNormalization bn = KerasModels.loadWeights(Path.of("weights.h5"), spec);
     * }</pre>
     */
    public static final class Spec {

        private final String name;
        private final double epsilon;
        private final int axis;
        private final boolean center;
        private final boolean scale;

        private Spec(String name, double epsilon, int axis, boolean center, boolean scale) {
            this.name = name;
            this.epsilon = epsilon;
            this.axis = axis;
            this.center = center;
            this.scale = scale;
        }

        /**
         * A layer with Keras' defaults.
         *
         * @param name the layer name, or a path such as {@code seq/inner_bn} for a layer of a nested
         *     model (the first part names the model's weights group)
         * @return the spec
         * @throws IllegalArgumentException if the name is empty
         */
        public static Spec of(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("name must not be empty, got \"\"");
            }
            return new Spec(name, 1e-3, -1, true, true);
        }

        /**
         * Returns a copy with another epsilon.
         *
         * @param epsilon finite
         * @return the new spec
         * @throws IllegalArgumentException if epsilon is not finite
         */
        public Spec withEpsilon(double epsilon) {
            if (!Double.isFinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be finite, got " + epsilon);
            }
            return new Spec(name, epsilon, axis, center, scale);
        }

        /**
         * Returns a copy with an axis, which must be the last one.
         *
         * @param axis {@code -1} or {@code rank - 1}
         * @param rank the rank of the layer's input, 1 to 4
         * @return the new spec
         * @throws IllegalArgumentException if the axis is not the last one
         */
        public Spec withAxis(int axis, int rank) {
            if (rank < 1 || rank > 4) {
                throw new IllegalArgumentException("rank must be in [1, 4], got " + rank);
            }
            if (axis != -1 && axis != rank - 1) {
                throw new IllegalArgumentException("axis must be the last axis (-1 or " + (rank - 1) + " for rank "
                        + rank + "), got " + axis + " (layer \"" + name + "\")");
            }
            return new Spec(name, epsilon, axis, center, scale);
        }

        /**
         * Returns a copy with another {@code center} flag.
         *
         * @param center whether the layer has beta
         * @return the new spec
         */
        public Spec withCenter(boolean center) {
            return new Spec(name, epsilon, axis, center, scale);
        }

        /**
         * Returns a copy with another {@code scale} flag.
         *
         * @param scale whether the layer has gamma
         * @return the new spec
         */
        public Spec withScale(boolean scale) {
            return new Spec(name, epsilon, axis, center, scale);
        }

        /**
         * Returns the layer name or path.
         *
         * @return the name
         */
        public String name() {
            return name;
        }

        /**
         * Returns epsilon.
         *
         * @return epsilon
         */
        public double epsilon() {
            return epsilon;
        }

        /**
         * Returns the axis.
         *
         * @return {@code -1} or {@code rank - 1}
         */
        public int axis() {
            return axis;
        }

        /**
         * Whether the layer has beta.
         *
         * @return the {@code center} flag
         */
        public boolean center() {
            return center;
        }

        /**
         * Whether the layer has gamma.
         *
         * @return the {@code scale} flag
         */
        public boolean scale() {
            return scale;
        }

        @Override
        public String toString() {
            return "Spec[name=" + name + ", epsilon=" + epsilon + ", axis=" + axis + ", center=" + center
                    + ", scale=" + scale + "]";
        }
    }
}
