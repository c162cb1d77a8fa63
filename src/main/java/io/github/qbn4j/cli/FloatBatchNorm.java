package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.internal.TfMath;
import io.github.qbn4j.tensor.Shape;
import java.util.Objects;

/**
 * A float Keras 2.12 {@code BatchNormalization} in inference, computed as TensorFlow 2.12 computes it
 * in float32 on x86-64 Linux (its default build, with oneDNN): the values quantizeml 0.5.2's
 * {@code calibrate} feeds to its {@code OutputObserver}, bit for bit. With {@code eps =
 * float32(epsilon)}, per channel {@code c}, every operation rounded to float32, subnormals flushed
 * to zero:
 * <ul>
 *   <li>rank 4 (Keras fuses it; oneDNN computes it):
 *       {@code s = gamma / sqrt(var + eps)}, {@code y = (x - mean) * s + beta}, with a correctly
 *       rounded square root and division;</li>
 *   <li>rank 2 and 3 (not fused: {@code tf.nn.batch_normalization}):
 *       {@code inv = rsqrt(var + eps) * gamma}, {@code y = x * inv + (beta - mean * inv)}, with
 *       TensorFlow's own {@code rsqrt} (not correctly rounded, and dependent on the channel's lane,
 *       {@link TfMath#rsqrt(float[])}, which depends on the CPU).</li>
 * </ul>
 * Both were checked against Keras on the fixtures of {@code src/test/resources/cli}. TensorFlow
 * without oneDNN ({@code TF_ENABLE_ONEDNN_OPTS=0}) computes rank 4 as {@code (x - mean) *
 * (rsqrt(var + eps) * gamma) + beta} instead, which can differ in the last bit. Immutable.
 */
final class FloatBatchNorm {

    private final float[] gamma;
    private final float[] beta;
    private final float[] mean;
    private final float[] fusedScale;
    private final float[] inv;
    private final float[] offset;

    FloatBatchNorm(float[] gamma, float[] beta, float[] movingMean, float[] movingVariance, double epsilon,
            Reference reference) {
        int channels = gamma.length;
        this.gamma = ftz(gamma);
        this.beta = ftz(beta);
        this.mean = ftz(movingMean);
        float eps = F32.ftz((float) epsilon);
        float[] shifted = new float[channels];
        for (int c = 0; c < channels; c++) {
            shifted[c] = F32.ftz(F32.ftz(movingVariance[c]) + eps);
        }
        this.fusedScale = new float[channels];
        for (int c = 0; c < channels; c++) {
            float sqrt = F32.ftz((float) Math.sqrt(shifted[c]));
            fusedScale[c] = F32.ftz(this.gamma[c] / sqrt);
        }
        float[] rsqrt = TfMath.of(reference).rsqrt(shifted);
        this.inv = new float[channels];
        this.offset = new float[channels];
        for (int c = 0; c < channels; c++) {
            inv[c] = F32.ftz(rsqrt[c] * this.gamma[c]);
            offset[c] = F32.ftz(this.beta[c] - F32.ftz(mean[c] * inv[c]));
        }
    }

    private static float[] ftz(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = F32.ftz(v[i]);
        }
        return out;
    }

    int channels() {
        return gamma.length;
    }

    /**
     * Normalizes a channel-last tensor.
     *
     * @param shape rank 2 to 4, with {@link #channels()} channels
     * @param x {@code shape.size()} values (not modified)
     * @return a new array
     * @throws IllegalArgumentException if the rank or channel count does not fit
     */
    float[] apply(Shape shape, float[] x) {
        Objects.requireNonNull(shape, "shape");
        int rank = shape.rank();
        if (rank < 2 || rank > 4) {
            throw new IllegalArgumentException("samples must have rank 2 to 4 (N, ..., C), got shape " + shape);
        }
        int channels = gamma.length;
        if (shape.channels() != channels) {
            throw new IllegalArgumentException("samples have " + shape.channels() + " channels, expected " + channels
                    + " (shape " + shape + ")");
        }
        if (x.length != shape.size()) {
            throw new IllegalArgumentException("samples must have " + shape.size() + " values, got " + x.length);
        }
        float[] y = new float[x.length];
        boolean fused = rank == 4;
        for (int i = 0; i < x.length; i++) {
            int c = i % channels;
            float xi = F32.ftz(x[i]);
            if (fused) {
                y[i] = F32.ftz(F32.ftz(F32.ftz(xi - mean[c]) * fusedScale[c]) + beta[c]);
            } else {
                y[i] = F32.ftz(F32.ftz(xi * inv[c]) + offset[c]);
            }
        }
        return y;
    }
}
