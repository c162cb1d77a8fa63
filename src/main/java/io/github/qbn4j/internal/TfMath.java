package io.github.qbn4j.internal;

import io.github.qbn4j.Reference;
import java.util.Objects;

/**
 * The float32 operations of quantizeml whose results depend on the {@link Reference} profile: what
 * TensorFlow computes for them on the profile's CPU, in its execution mode. Everything else is plain
 * float32 arithmetic ({@link F32}), the same under every profile.
 *
 * <p>{@code rsqrt} on packet lanes is the CPU's {@code VRSQRTPS} estimate {@code r} refined by one
 * Newton step, each operation rounded on its own (the TensorFlow 2.12 wheels are built without FMA):
 * {@code r * (1.5 + (-0.5 * r) * (x * r))}. The last {@code n mod 8} lanes of a tensor are
 * {@code 1 / sqrt(x)}, the same on every CPU. Measured: {@code tools/fp-probe/README.md} (Intel) and
 * {@code docs/cpus.md} (AMD).
 *
 * <p>Immutable and thread-safe.
 */
public final class TfMath {

    private final Reference reference;

    private TfMath(Reference reference) {
        this.reference = reference;
    }

    /**
     * Returns the arithmetic of a profile.
     *
     * @param reference the profile
     * @return its arithmetic
     */
    public static TfMath of(Reference reference) {
        return new TfMath(Objects.requireNonNull(reference, "reference"));
    }

    /**
     * Returns the profile.
     *
     * @return the profile this arithmetic reproduces
     */
    public Reference reference() {
        return reference;
    }

    /**
     * {@code tf.math.rsqrt} over a whole tensor, lane by lane as TensorFlow computes it on the profile's
     * CPU.
     *
     * @param x the tensor (not modified)
     * @return a new array of {@code 1/sqrt(x)} as TensorFlow rounds it
     */
    public float[] rsqrt(float[] x) {
        float[] out = new float[x.length];
        int packed = x.length / F32.PACKET * F32.PACKET;
        for (int i = 0; i < x.length; i++) {
            float xi = F32.ftz(x[i]);
            out[i] = i < packed ? rsqrtPacketLane(xi) : F32.ftz(1f / (float) Math.sqrt(xi));
        }
        return out;
    }

    /**
     * One packet lane of Eigen's AVX {@code prsqrt}: the estimate refined by one Newton step. An
     * estimate of 0 or infinity is returned unrefined.
     */
    float rsqrtPacketLane(float x) {
        float r = reference.cpu().rsqrtEstimate(x);
        if (r == 0f || Float.isInfinite(r) || Float.isNaN(r)) {
            return r;
        }
        float halfR = F32.ftz(-0.5f * r);
        float xr = F32.ftz(x * r);
        float correction = F32.ftz(F32.ftz(halfR * xr) + 1.5f);
        return F32.ftz(r * correction);
    }
}
