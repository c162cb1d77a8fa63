package io.github.qbn4j.internal;

/**
 * The readable kernel: quantizeml's chain written out literally, one float32 operation per line in
 * the reference's order (see {@link BnConstants}), with quantizeml 0.17.1's two changes where the
 * constants say so (the expand's rounding, the clip of the scaled buffer at {@code 2^P}). Exact for
 * every plan; the other kernels are tested against it.
 *
 * <p>Subnormals need no flushing here: every operand is an integer (zero or at least 1 in
 * magnitude) or a power of two of at least {@code 2^-126} ({@link F32#pow2} already returns 0 below
 * that), so no product or sum of the chain is subnormal. The sign of a zero can differ from the
 * reference's (which adds {@code +0f} when it saturates); it never changes an integer result.
 */
public final class Float32Kernel extends BnKernel {

    /**
     * Creates the kernel.
     *
     * @param k the constants
     */
    public Float32Kernel(BnConstants k) {
        super(k);
    }

    /**
     * One element of channel {@code c}, exactly as quantizeml 0.5.2 computes it.
     *
     * @param k the constants
     * @param x the input integer, in range for the input's value bits
     * @param c the channel
     * @return the result, a float32 integer
     */
    public static float evaluate(BnConstants k, float x, int c) {
        float lo = k.bufLo;
        float hi = k.bufHi;
        float xs0 = x * k.fInMul[c];                // FixedPoint.expand: values * 2^shift ...
        if (k.roundsInput) {
            xs0 = floor(xs0 + 0.5f);                // ... (0.17.1: through rescale, floor(x + 0.5)) ...
        }
        float xs = clip(xs0, lo, hi);               // ... saturated
        float p = clip(xs * k.fA[c], lo, hi);       // tf.multiply(inputs, a)
        float s = clip(p + k.fB[c], lo, hi);        // outputs + b
        if (!k.hasOutputQuantizer) {
            return s;
        }
        float v = clip(s * k.fQ[c], k.vLo, k.vHi);  // QFloat.to_fixed_point: values * quantized scale,
                                                    // saturated to B (0.5.2) or the promoted P (0.17.1)
        float t = v * k.fOutMul[c];                 // FixedPoint.rescale: values * 2^shift ...
        float r = floor(t + 0.5f);                  // ... floor(x + 0.5), the sum rounded in float32
        return clip(r, k.outLo, k.outHi);           // saturated to the output value bits
    }

    /**
     * {@code floor} of a finite float, exactly. JDK 17 compiles {@code Math.floor} to a call of
     * {@code StrictMath.floor} on some machines, at tens of nanoseconds; a float of magnitude
     * {@code 2^23} or more is already an integer, and below that the truncation to int is exact.
     */
    static float floor(float y) {
        if (!(Math.abs(y) < 8388608f)) {
            return y;
        }
        int i = (int) y;
        return i > y ? i - 1 : i;
    }

    /**
     * quantizeml {@code saturate}, with the bounds precomputed. Comparisons rather than
     * {@code Math.min/max}, whose NaN and signed-zero rules cost several instructions each: no
     * operand here is NaN, and the sign of a zero does not matter (see the class description).
     */
    private static float clip(float v, float lo, float hi) {
        float w = v < lo ? lo : v;
        return w > hi ? hi : w;
    }

    @Override
    public void bytes(byte[] in, int inOff, byte[] out, int outOff, int count) {
        int channels = k.channels;
        for (int pixel = 0; pixel < count; pixel += channels) {
            for (int c = 0; c < channels; c++) {
                out[outOff + pixel + c] = (byte) evaluate(k, in[inOff + pixel + c], c);
            }
        }
    }

    @Override
    public void ints(int[] in, int inOff, float[] out, int outOff, int count) {
        int channels = k.channels;
        for (int pixel = 0; pixel < count; pixel += channels) {
            for (int c = 0; c < channels; c++) {
                out[outOff + pixel + c] = evaluate(k, in[inOff + pixel + c], c);
            }
        }
    }

    /**
     * {@link #ints} that also counts, per channel, the elements where a buffer saturation
     * ({@code sat_B} at any stage) or the output saturation changed a value.
     *
     * @param k the constants
     * @param in input integers
     * @param inOff first input index
     * @param out where results go
     * @param outOff first output index
     * @param count element count, a multiple of the channel count
     * @param buffer per-channel counters of buffer saturations (incremented)
     * @param output per-channel counters of output saturations (incremented)
     */
    public static void countingInts(BnConstants k, int[] in, int inOff, float[] out, int outOff, int count,
            long[] buffer, long[] output) {
        int channels = k.channels;
        for (int pixel = 0; pixel < count; pixel += channels) {
            for (int c = 0; c < channels; c++) {
                out[outOff + pixel + c] = countingEvaluate(k, in[inOff + pixel + c], c, buffer, output);
            }
        }
    }

    /**
     * {@link #evaluate} that also counts the saturations of the element (see {@link #countingInts}).
     *
     * @param k the constants
     * @param x the input integer, in range for the input's value bits
     * @param c the channel
     * @param buffer per-channel counters of buffer saturations (incremented)
     * @param output per-channel counters of output saturations (incremented)
     * @return the result, a float32 integer
     */
    public static float countingEvaluate(BnConstants k, float x, int c, long[] buffer, long[] output) {
        float lo = k.bufLo;
        float hi = k.bufHi;
        float xs0 = x * k.fInMul[c];
        if (k.roundsInput) {
            xs0 = floor(xs0 + 0.5f);
        }
        float xs = clip(xs0, lo, hi);
        float p0 = xs * k.fA[c];
        float p = clip(p0, lo, hi);
        float s0 = p + k.fB[c];
        float s = clip(s0, lo, hi);
        boolean clipped = xs != xs0 || p != p0 || s != s0;
        float result = s;
        if (k.hasOutputQuantizer) {
            float v0 = s * k.fQ[c];
            float v = clip(v0, k.vLo, k.vHi);
            clipped |= v != v0;
            float r = floor(v * k.fOutMul[c] + 0.5f);
            result = clip(r, k.outLo, k.outHi);
            if (result != r) {
                output[c]++;
            }
        }
        if (clipped) {
            buffer[c]++;
        }
        return result;
    }
}
