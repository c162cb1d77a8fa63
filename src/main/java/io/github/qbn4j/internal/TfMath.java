package io.github.qbn4j.internal;

import io.github.qbn4j.Reference;
import java.util.Objects;

/**
 * The float32 operations of quantizeml whose results depend on the {@link Reference} profile: what
 * TensorFlow computes for them on the profile's CPU, in its execution mode. Everything else is plain
 * float32 arithmetic ({@link F32}), the same under every profile.
 *
 * <p><b>Graph mode.</b> Under {@code tf.function} (and {@code model.predict}) TensorFlow's graph
 * optimizer (Grappler's constant folding) rewrites a division by a constant, {@code x / d}, into a
 * multiplication by the constant's reciprocal, {@code x * float32(1 / d)}. In quantizeml 0.5.2's layer
 * two divisions have constant divisors: {@code optimal_scales}' {@code range / (2^vb - 1)} and
 * {@code log2}'s {@code log(x) / log(2)} (in {@code ceil_log2} and {@code floor_log2}). Every other
 * division divides by a tensor computed at run time and is left alone. Found and checked by
 * {@code tools/graph-mode/README.md}.
 *
 * <p>{@code rsqrt} on packet lanes is the CPU's {@code VRSQRTPS} estimate {@code r} refined by one
 * Newton step, each operation rounded on its own (the TensorFlow wheels are built without FMA). The
 * step's form depends on the TensorFlow release: 2.12 (quantizeml 0.5.2) computes
 * {@code r * (1.5 + (-0.5 * r) * (x * r))}; 2.15 (quantizeml 0.17.1) computes
 * {@code h = (x * r) * r - 1; y = (r * -0.5) * h + r}, which differs from the former by one ulp on
 * about 13% of floats ({@code tools/tf215-probe/README.md}). The last {@code n mod 8} lanes of a tensor are
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
     * {@code x / d} for a divisor {@code d} that is a constant of the traced graph: the division in
     * eager mode, {@code x * float32(1 / d)} in graph mode (Grappler's constant folding; TensorFlow's
     * float32 reciprocal of a normal float is the correctly rounded one).
     *
     * @param x the dividend
     * @param d the constant divisor
     * @return the quotient as the profile's TensorFlow computes it
     */
    public float divideByConstant(float x, float d) {
        if (reference.mode() == Reference.Mode.GRAPH) {
            return F32.ftz(x * F32.ftz(1f / d));
        }
        return F32.ftz(x / d);
    }

    /**
     * quantizeml {@code QFloat.optimal_scales(ranges, value_bits)}: {@code range / (2^valueBits - 1)},
     * a division by a constant.
     *
     * @param range a finite range
     * @param valueBits value bits
     * @return the scale
     */
    public float optimalScale(float range, int valueBits) {
        return divideByConstant(F32.ftz(range), F32.upperBound(valueBits));
    }

    /**
     * quantizeml {@code ceil_log2}: {@code ceil(log(x) / float32(ln 2))} lane by lane, the division by
     * a constant.
     *
     * @param x the tensor (not modified)
     * @return a new array of integral floats; {@code -inf} for 0, NaN for negative inputs
     */
    public float[] ceilLog2(float[] x) {
        float[] out = F32.log(x);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.ceil(divideByConstant(out[i], F32.LN2));
        }
        return out;
    }

    /**
     * quantizeml {@code floor_log2}: {@code floor(log(x) / float32(ln 2))} lane by lane.
     *
     * @param x the tensor (not modified)
     * @return a new array of integral floats; {@code -inf} for 0, NaN for negative inputs
     */
    public float[] floorLog2(float[] x) {
        float[] out = F32.log(x);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.floor(divideByConstant(out[i], F32.LN2));
        }
        return out;
    }

    /**
     * quantizeml {@code FixedPoint.max_frac_bits}: {@code float32(valueBits) - ceil_log2(range)}, then
     * {@code min(., valueBits)} when {@code clamp}; lane by lane. A zero range gives {@code +inf}
     * before the clamp, hence {@code valueBits} after it.
     *
     * @param valueBits the value bits of the target
     * @param ranges the ranges (not modified)
     * @param clamp whether to clamp to {@code valueBits}
     * @return a new array of integral (or infinite) floats
     */
    public float[] maxFracBits(int valueBits, float[] ranges, boolean clamp) {
        float[] fb = ceilLog2(ranges);
        float vb = valueBits;
        for (int i = 0; i < fb.length; i++) {
            fb[i] = vb - fb[i];
            if (clamp) {
                fb[i] = Math.min(fb[i], vb);
            }
        }
        return fb;
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
        if (reference.quantizeml().isAtLeast(Reference.Quantizeml.V0_17_1)) {
            // Eigen's newer form (TensorFlow 2.15): h = (x*r)*r - 1; y = (r*-0.5)*h + r, each rounded
            float h = F32.ftz(F32.ftz(F32.ftz(x * r) * r) - 1f);
            return F32.ftz(F32.ftz(F32.ftz(r * -0.5f) * h) + r);
        }
        float halfR = F32.ftz(-0.5f * r);
        float xr = F32.ftz(x * r);
        float correction = F32.ftz(F32.ftz(halfR * xr) + 1.5f);
        return F32.ftz(r * correction);
    }
}
