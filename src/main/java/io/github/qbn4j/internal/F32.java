package io.github.qbn4j.internal;

/**
 * Float32 arithmetic as TensorFlow 2.12 performs it on an x86-64 CPU, one operation at a time.
 *
 * <p>quantizeml keeps every integer in a float32 tensor, so its results are those of TensorFlow's
 * float32 kernels. Three properties of those kernels matter for bit-exactness and are reproduced
 * here:
 * <ol>
 *   <li><b>Subnormals are flushed to zero.</b> TensorFlow runs its CPU kernels with the FTZ and DAZ
 *       flags set, so a subnormal operand reads as zero and a subnormal result is written as zero.
 *       (Observed: {@code tf.pow(2.0, -127.0)} is 0.) {@link #ftz} applies that to a result.</li>
 *   <li><b>{@code rsqrt} and {@code log} are not correctly rounded</b> and depend on the lane. Eigen
 *       evaluates element-wise kernels in AVX packets of 8 from the start of the tensor and the last
 *       {@code n mod 8} elements one at a time. Packet lanes use the CPU's {@code VRSQRTPS} estimate
 *       with one Newton step and Eigen's rational {@code log} approximation; scalar lanes use
 *       {@code 1 / sqrt(x)} and the C library's {@code logf}. {@link #log(float[])} and
 *       {@link TfMath#rsqrt(float[])} (which depends on the CPU) take a whole tensor for that reason.</li>
 *   <li><b>No fused multiply-add</b>: the official wheels are built for AVX without FMA, so each
 *       product and sum is rounded on its own. Java's {@code float} operators do exactly that.</li>
 * </ol>
 *
 * <p>These behaviours were measured against TensorFlow 2.12.1 and checked exhaustively where the
 * input space allows; {@code tools/fp-probe/README.md} lists the checks and the commands.
 */
public final class F32 {

    /** Eigen's AVX packet width for float. */
    public static final int PACKET = 8;

    /** {@code float32(ln 2)}, the divisor of {@code tnp.log2} and Eigen's {@code EIGEN_LN2}. */
    public static final float LN2 = 0.6931471805599453f;

    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float P1 = 1.0000000190281136f;
    private static final float P2 = 1.0000000190281063f;
    private static final float P3 = 0.18256296349849254f;
    private static final float Q1 = 1.4999999999999927f;
    private static final float Q2 = 0.59923249590823520f;
    private static final float Q3 = 0.049616247954120038f;

    private F32() {
    }

    /**
     * Flushes a subnormal to a zero of the same sign, as TensorFlow's FTZ/DAZ mode does.
     *
     * @param x any float
     * @return {@code x}, or a signed zero when {@code x} is subnormal
     */
    public static float ftz(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? x * 0f : x;
    }

    /**
     * {@code tf.pow(2.0, n)} for an integer exponent: exact, {@code 0} below {@code 2^-126} (flushed)
     * and {@code +inf} above {@code 2^127}.
     *
     * @param n the exponent
     * @return {@code 2^n} in float32
     */
    public static float pow2(int n) {
        if (n < Float.MIN_EXPONENT) {
            return 0f;
        }
        return n > Float.MAX_EXPONENT ? Float.POSITIVE_INFINITY : Math.scalb(1f, n);
    }

    /**
     * {@code tf.pow(2.0, n)} for an exponent held in a float: {@link #pow2(int)} for finite integral
     * {@code n}, {@code +inf} for {@code +inf}, {@code 0} for {@code -inf}.
     *
     * @param n an integral or infinite exponent
     * @return {@code 2^n} in float32
     * @throws IllegalArgumentException if {@code n} is NaN or not integral
     */
    public static float pow2(float n) {
        if (n == Float.POSITIVE_INFINITY) {
            return Float.POSITIVE_INFINITY;
        }
        if (n == Float.NEGATIVE_INFINITY) {
            return 0f;
        }
        if (n != Math.rint(n)) {
            throw new IllegalArgumentException("exponent must be integral, got " + n);
        }
        return n >= 1024 ? Float.POSITIVE_INFINITY : n <= -1024 ? 0f : pow2((int) n);
    }

    /**
     * The saturation bound {@code float32(2^valueBits - 1)}: it equals {@code 2^valueBits} once
     * {@code valueBits >= 25}, because float32 cannot hold {@code 2^valueBits - 1} there.
     *
     * @param valueBits the value bits, 0 to 127
     * @return the largest value a tensor of those value bits keeps
     */
    public static float upperBound(int valueBits) {
        return pow2(valueBits) - 1f;
    }

    /**
     * quantizeml {@code saturate}: clips {@code x} to {@code [-2^valueBits, float32(2^valueBits - 1)]}.
     *
     * @param x an integral float
     * @param valueBits the value bits
     * @return the clipped value
     */
    public static float saturate(float x, int valueBits) {
        float bound = pow2(valueBits);
        // "+ 0f" turns -0.0 into +0.0, so that equal integers have equal bits.
        return Math.min(Math.max(x, -bound), bound - 1f) + 0f;
    }

    /**
     * {@code tf.math.round}: round half to even.
     *
     * @param x a float
     * @return the nearest integer, ties to the even one
     */
    public static float roundHalfEven(float x) {
        return (float) Math.rint(x);
    }

    /**
     * quantizeml's rescale rounding {@code floor(x + 0.5)}, with the addition rounded in float32:
     * ties go toward +infinity (-2.5 to -2).
     *
     * @param x a float
     * @return {@code floor(float32(x + 0.5))}
     */
    public static float roundHalfUp(float x) {
        return (float) Math.floor(ftz(x + 0.5f));
    }

    /**
     * {@code tf.math.log} over a whole tensor, lane by lane as TensorFlow computes it.
     *
     * @param x the tensor (not modified)
     * @return a new array of {@code ln(x)} as TensorFlow rounds it
     */
    public static float[] log(float[] x) {
        float[] out = new float[x.length];
        int packed = x.length / PACKET * PACKET;
        for (int i = 0; i < x.length; i++) {
            float xi = ftz(x[i]);
            out[i] = i < packed ? logPacketLane(xi) : logScalarLane(xi);
        }
        return out;
    }

    /**
     * {@code ceil_log2} of a single-element tensor (a scalar lane).
     *
     * @param x the value
     * @return the integral float result
     */
    public static float ceilLog2(float x) {
        return (float) Math.ceil(logScalarLane(ftz(x)) / LN2);
    }

    /**
     * The packet lane of Eigen's {@code plog_float} as compiled into TensorFlow 2.12 (AVX, no FMA):
     * split {@code x = m * 2^e} with {@code m} in [0.5, 1), move {@code m} to [sqrt(1/2), sqrt(2)),
     * evaluate the rational (3,3) approximation of {@code log(1 + t)}, then add {@code e * ln 2}.
     */
    static float logPacketLane(float x) {
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        if (Float.isNaN(x) || x < 0f) {
            return Float.NaN;
        }
        if (x == Float.POSITIVE_INFINITY) {
            return Float.POSITIVE_INFINITY;
        }
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 126);
        float m = Float.intBitsToFloat((bits & 0x807fffff) | 0x3f000000);
        float t = m - 1f;
        if (m < SQRT_HALF) {
            e = e - 1f;
            t = t + m;
        }
        float p = t * P3 + P2;
        p = t * p + P1;
        p = t * p;
        float q = t * Q3 + Q2;
        q = t * q + Q1;
        q = t * q + 1f;
        float r = p / q;
        return e * LN2 + r;
    }

    /**
     * The scalar lane: the C library's {@code logf}. glibc's {@code logf} is not correctly rounded
     * in every case, but its result and the correctly rounded one give the same {@code ceil} and
     * {@code floor} of {@code log(x) / ln 2} for every positive float, which is all quantizeml uses
     * a logarithm for (checked exhaustively: {@code tools/fp-probe}).
     */
    static float logScalarLane(float x) {
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        return (float) StrictMath.log(x);
    }
}
