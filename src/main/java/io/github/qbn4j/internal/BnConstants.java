package io.github.qbn4j.internal;

import java.util.Arrays;

/**
 * The per-channel constants of a compiled quantized batch normalization, in the forms the kernels
 * read, and the compile-time bound that decides whether the integer fast path is exact.
 *
 * <p>With {@code B} the buffer's value bits and {@code sat_B} the clip to {@code [-2^B,
 * float32(2^B - 1)]}, quantizeml 0.5.2 computes, for an input integer {@code x} of channel
 * {@code c}, one float32 operation at a time:
 * <pre>
 *   xs  = sat_B(x * 2^inShift[c])               FixedPoint.expand (inShift 0 for a promoted input)
 *   p   = sat_B(xs * a[c])                      tf.multiply(inputs, a)
 *   s   = sat_B(p + b[c])                       outputs + b (b already aligned on the buffer)
 *   -- with an output quantizer --
 *   v   = sat_B(s * q[c])                       QFloat.to_fixed_point(scale_bits)
 *   out = sat_o(floor((v * 2^outShift[c]) + 0.5)) FixedPoint.rescale, round half up
 * </pre>
 * The float32 forms of these constants are in the {@code f*} arrays.
 *
 * <p><b>quantizeml 0.17.1</b> changes two steps (and nothing else of the chain):
 * <pre>
 *   xs  = sat_B(floor((x * 2^inShift[c]) + 0.5))  FixedPoint.expand through rescale ({@link #roundsInput})
 *   v   = sat_P(s * q[c])                         the output quantizer promotes s to P value bits first
 * </pre>
 * The expand's rounding changes a value only when {@code x * 2^inShift} is odd and in
 * {@code [2^23, 2^24)} in magnitude, which needs {@code inShift = 0} and an input of at least 24 value
 * bits; {@code P} (the output quantizer's {@code buffer_bitwidth}, at least {@code B}) replaces
 * {@code B} in the clip of {@code v}. Under 0.5.2, {@code P = B} and the input is not rounded.
 *
 * <p><b>The integer fast path.</b> {@link #integerExact()} is true when a bound, computed here from
 * the constants and the input's value bits, proves that every float32 intermediate above is an
 * exact integer below {@code 2^24} in magnitude and that no {@code sat_B} clips. Then each float32
 * operation equals the same operation on integers, the chain collapses by distributivity, and
 * <pre>
 *   out = clip_o((x * A[c] + C[c]) >> K[c])
 * </pre>
 * with {@code A = a*q*2^(inShift + max(outShift, 0))}, {@code C = b*q*2^max(outShift, 0)} plus
 * {@code 2^(K-1)} when {@code K = -outShift > 0}, is bit-identical to the float32 chain. See
 * {@link #of} for the proof. Immutable after construction; arrays are never handed out.
 */
public final class BnConstants {

    /** {@code 2^24}: float32 holds every integer of at most this magnitude. */
    static final long EXACT = 1L << 24;

    final int channels;
    final boolean hasOutputQuantizer;
    final int bufferValueBits;
    /** Whether {@code xs} is rounded by {@code floor(float32(xs + 0.5))} (quantizeml 0.17.1's expand). */
    final boolean roundsInput;
    /** {@code P}: the value bits {@code v} saturates to. */
    final int promotedValueBits;
    final int outputValueBits;

    // float32 chain, literally
    final float[] fInMul;
    final float[] fA;
    final float[] fB;
    final float[] fQ;
    final float[] fOutMul;
    final float bufLo;
    final float bufHi;
    final float outLo;
    final float outHi;
    final float vLo;
    final float vHi;

    // which clips of the float32 chain can ever change a value, from the same bounds
    final boolean clipXs;
    final boolean clipP;
    final boolean clipS;
    final boolean clipV;

    // integer fast path (null when not proven exact)
    final int[] iA;
    final int[] iC;
    final int[] iK;
    final int iLo;
    final int iHi;
    private final String integerVerdict;
    // false only in copies made by withoutInt16Form (tests of the other int8 loops)
    private final boolean int16Allowed;
    /** Null when the vector kernels' float32 chain (0.5.2's) equals this one; else why not. */
    private final String vectorVerdict;

    private BnConstants(int channels, boolean oq, int bufferBits, int outBits, boolean roundsInput, int promotedBits,
            float[] inMul, float[] a, float[] b, float[] q, float[] outMul, boolean[] clips, int[] iA, int[] iC,
            int[] iK, String verdict, String vectorVerdict) {
        this.channels = channels;
        this.roundsInput = roundsInput;
        this.promotedValueBits = promotedBits;
        this.vLo = -F32.pow2(promotedBits);
        this.vHi = F32.upperBound(promotedBits);
        this.vectorVerdict = vectorVerdict;
        this.hasOutputQuantizer = oq;
        this.bufferValueBits = bufferBits;
        this.outputValueBits = outBits;
        this.fInMul = inMul;
        this.fA = a;
        this.fB = b;
        this.fQ = q;
        this.fOutMul = outMul;
        this.bufLo = -F32.pow2(bufferBits);
        this.bufHi = F32.upperBound(bufferBits);
        this.outLo = oq ? -F32.pow2(outBits) : bufLo;
        this.outHi = oq ? F32.upperBound(outBits) : bufHi;
        this.clipXs = clips[0];
        this.clipP = clips[1];
        this.clipS = clips[2];
        this.clipV = clips[3];
        this.iA = iA;
        this.iC = iC;
        this.iK = iK;
        this.iLo = (int) Math.max(outLo, Integer.MIN_VALUE);
        this.iHi = (int) Math.min(outHi, Integer.MAX_VALUE);
        this.integerVerdict = verdict;
        this.int16Allowed = true;
    }

    private BnConstants(BnConstants o) {
        this.channels = o.channels;
        this.hasOutputQuantizer = o.hasOutputQuantizer;
        this.bufferValueBits = o.bufferValueBits;
        this.outputValueBits = o.outputValueBits;
        this.fInMul = o.fInMul;
        this.fA = o.fA;
        this.fB = o.fB;
        this.fQ = o.fQ;
        this.fOutMul = o.fOutMul;
        this.bufLo = o.bufLo;
        this.bufHi = o.bufHi;
        this.outLo = o.outLo;
        this.outHi = o.outHi;
        this.clipXs = o.clipXs;
        this.clipP = o.clipP;
        this.clipS = o.clipS;
        this.clipV = o.clipV;
        this.iA = o.iA;
        this.iC = o.iC;
        this.iK = o.iK;
        this.iLo = o.iLo;
        this.iHi = o.iHi;
        this.integerVerdict = o.integerVerdict;
        this.roundsInput = o.roundsInput;
        this.promotedValueBits = o.promotedValueBits;
        this.vLo = o.vLo;
        this.vHi = o.vHi;
        this.vectorVerdict = o.vectorVerdict;
        this.int16Allowed = false;
    }

    /**
     * The same constants, for which {@link #int16Form()} returns null: the vector kernel then runs its
     * other int8 loops, which the tests compare on their own.
     *
     * @return a copy without the 16-bit form
     */
    BnConstants withoutInt16Form() {
        return new BnConstants(this);
    }

    /**
     * Builds the constants and decides the integer fast path.
     *
     * <p><b>Bound and proof.</b> Let {@code X = 2^inputValueBits}; every input integer has
     * {@code |x| <= X}. Per channel, in exact arithmetic, {@code |xs| <= XS = X * 2^inShift},
     * {@code |p| <= P = XS * |a|}, {@code |s| <= S = P + |b|} and, with an output quantizer,
     * {@code |v| <= V = S * |q|}. Let {@code L = min(2^24, 2^B - 1)}. If {@code XS, P, S, V <= L}:
     * <ol>
     *   <li>each exact result is an integer of magnitude at most {@code 2^24}, hence a float32, so the
     *       float32 operation returns it unrounded (its operands being exact by induction);</li>
     *   <li>each is within {@code [-(2^B - 1), 2^B - 1]}, so no {@code sat_B} clips;</li>
     *   <li>so {@code v = x*a*q*2^inShift + b*q} exactly.</li>
     * </ol>
     * The rescale is {@code floor(float32(t + 0.5))} with {@code t = v * 2^outShift}:
     * <ul>
     *   <li>{@code outShift >= 0}: {@code t} is an exact integer; if {@code |t| < 2^23}, then
     *       {@code t + 0.5} has at most 24 significant bits and is exact, and the floor is {@code t}.
     *       (At {@code 2^23} and beyond, {@code t + 0.5} is a tie that rounds to even, which the
     *       integer form would not reproduce: such plans stay on the float32 path.)</li>
     *   <li>{@code outShift = -K < 0}: {@code t + 0.5 = (v + 2^(K-1)) / 2^K}; if
     *       {@code V + 2^(K-1) <= 2^24} the numerator is a float32 integer and dividing it by a power
     *       of two is exact (no underflow: {@code K <= 25}), so the floor is
     *       {@code (v + 2^(K-1)) >> K} (an arithmetic shift floors).</li>
     * </ul>
     * The final {@code sat_o} is an integer clip in both forms. Every integer intermediate of the
     * fast path is below {@code 2^25} in magnitude, so Java {@code int} arithmetic cannot overflow.
     * Without an output quantizer the result is {@code s = x*a*2^inShift + b} ({@code K = 0}).
     *
     * <p>The same bounds, without the {@code 2^24} cap and each rounded up to a float32 (a float32
     * result can round past its exact bound, never past the next float32), tell which
     * {@code sat_B} clips can ever change a value: a clip whose stage bound stays within
     * {@code float32(2^B - 1)} is the identity.
     *
     * @param bufferValueBits {@code B}, 0 to 39
     * @param inputValueBits value bits of the input integers
     * @param inShift per-channel left shift of the input (0 to 30)
     * @param a per-channel quantized {@code a}
     * @param b per-channel aligned {@code b}
     * @param q per-channel quantized output scale, or null without an output quantizer
     * @param outShift per-channel output shift, or null without an output quantizer
     * @param outputValueBits value bits of the output quantizer (ignored without one)
     * @return the constants
     */
    public static BnConstants of(int bufferValueBits, int inputValueBits, int[] inShift, long[] a, long[] b,
            long[] q, int[] outShift, int outputValueBits) {
        return of(bufferValueBits, inputValueBits, inShift, a, b, q, outShift, outputValueBits, false,
                bufferValueBits);
    }

    /**
     * {@link #of(int, int, int[], long[], long[], long[], int[], int)} for quantizeml 0.17.1's chain
     * (see the class description): the input rounded by the expand, and {@code v} saturated to
     * {@code P} value bits.
     *
     * <p><b>Bound and proof under 0.17.1.</b> The proof of the 0.5.2 form carries over with two
     * changes. (1) The expand computes {@code floor(float32(xs + 0.5))}: for an integer
     * {@code |xs| < 2^23}, {@code xs + 0.5} is a float32 and the floor gives {@code xs}; for an even
     * {@code xs} in {@code [2^23, 2^24]}, {@code xs + 0.5} is a tie that rounds to the even {@code xs};
     * only an odd {@code xs} in that range changes. {@code xs = x * 2^inShift} is even when
     * {@code inShift >= 1}; at {@code inShift = 0} it is odd and that large only if
     * {@code |x| > 2^23}, i.e. with at least 24 input value bits: such channels leave the integer path.
     * (2) {@code v} is clipped at {@code 2^P} instead of {@code 2^B}; the bound on {@code v} is checked
     * against {@code min(2^24, 2^P - 1)} instead of {@code min(2^24, 2^B - 1)}, the same argument
     * (no clip acts, the product is exact) with {@code P} for {@code B}. The integer form is then the
     * same {@code clip_o((x * A + C) >> K)}.
     *
     * <p>The vector kernels' float32 mode clips {@code v} at {@code [vLo, vHi]} ({@code 2^P}) but does not
     * round the input: it is exact under these constants ({@link #vectorExact()}) when the expand's
     * rounding cannot act.
     *
     * @param bufferValueBits {@code B}, 0 to 39
     * @param inputValueBits value bits of the input integers
     * @param inShift per-channel left shift of the input
     * @param a per-channel quantized {@code a}
     * @param b per-channel aligned {@code b}
     * @param q per-channel quantized output scale, or null without an output quantizer
     * @param outShift per-channel output shift, or null without an output quantizer
     * @param outputValueBits value bits of the output quantizer (ignored without one)
     * @param roundsInput whether the input goes through quantizeml 0.17.1's rounding expand
     * @param promotedValueBits {@code P}, at least {@code B} (ignored without an output quantizer)
     * @return the constants
     */
    public static BnConstants of(int bufferValueBits, int inputValueBits, int[] inShift, long[] a, long[] b,
            long[] q, int[] outShift, int outputValueBits, boolean roundsInput, int promotedValueBits) {
        int channels = a.length;
        int promoted = q != null ? promotedValueBits : bufferValueBits;
        long vLimit = Math.min(EXACT, (1L << Math.min(promoted, 62)) - 1);
        long vHi = promoted >= 62 ? Long.MAX_VALUE : (long) F32.upperBound(promoted);
        boolean roundingActs = false;
        boolean oq = q != null;
        float[] fInMul = new float[channels];
        float[] fA = new float[channels];
        float[] fB = new float[channels];
        float[] fQ = new float[channels];
        float[] fOutMul = new float[channels];
        long limit = Math.min(EXACT, (1L << bufferValueBits) - 1);
        long bufHi = (long) F32.upperBound(bufferValueBits);
        long bufCap = 1L << bufferValueBits;
        long x = 1L << inputValueBits;
        boolean[] clips = new boolean[4];
        int[] iA = new int[channels];
        int[] iC = new int[channels];
        int[] iK = new int[channels];
        String verdict = null;
        for (int c = 0; c < channels; c++) {
            fInMul[c] = F32.pow2(inShift[c]);
            fA[c] = a[c];
            fB[c] = b[c];
            fQ[c] = oq ? q[c] : 1f;
            fOutMul[c] = oq ? F32.pow2(outShift[c]) : 1f;
            // Stage bounds, saturating at 2^62 so that nothing overflows a long. ceilFloat keeps them
            // valid for the float32 results, which may round up past the exact bound.
            long xs = ceilFloat(mulCapped(x, 1L << inShift[c]));
            long p = ceilFloat(mulCapped(Math.min(xs, bufCap), Math.abs(a[c])));
            long s = ceilFloat(addCapped(Math.min(p, bufCap), Math.abs(b[c])));
            long v = oq ? ceilFloat(mulCapped(Math.min(s, bufCap), Math.abs(q[c]))) : 0;
            clips[0] |= xs > bufHi;
            clips[1] |= p > bufHi;
            clips[2] |= s > bufHi;
            clips[3] |= v > vHi;
            boolean rounds = roundsInput && inShift[c] == 0 && x > (1L << 23);
            roundingActs |= rounds;
            if (verdict != null) {
                continue;
            }
            if (xs > limit || p > limit || s > limit || (oq && v > vLimit)) {
                verdict = "an intermediate may pass " + (oq && v > vLimit && xs <= limit && p <= limit && s <= limit
                        ? vLimit : limit) + " at channel " + c;
                continue;
            }
            if (rounds) {
                verdict = "quantizeml 0.17.1's expand rounds odd inputs of magnitude in [2^23, 2^24) at channel " + c;
                continue;
            }
            long bigA = a[c] << inShift[c];
            long bigC = b[c];
            int k = 0;
            if (oq) {
                bigA *= q[c];
                bigC *= q[c];
                int shift = outShift[c];
                if (shift >= 0) {
                    if (shift >= 23 || (v << shift) >= (1L << 23)) {
                        verdict = "v * 2^" + shift + " may reach 2^23 at channel " + c;
                        continue;
                    }
                    bigA <<= shift;
                    bigC <<= shift;
                } else {
                    k = -shift;
                    if (k > 25 || v + (1L << (k - 1)) > EXACT) {
                        verdict = "v + 2^" + (k - 1) + " may pass 2^24 at channel " + c;
                        continue;
                    }
                    bigC += 1L << (k - 1);
                }
            }
            iA[c] = (int) bigA;
            iC[c] = (int) bigC;
            iK[c] = k;
        }
        String vectorVerdict = roundingActs
                ? "quantizeml 0.17.1's expand rounds odd inputs of magnitude in [2^23, 2^24), which the vector "
                        + "kernels' float32 chain does not" : null;
        return new BnConstants(channels, oq, bufferValueBits, oq ? outputValueBits : bufferValueBits, roundsInput,
                promoted, fInMul, fA, fB, fQ, fOutMul, clips, verdict == null ? iA : null, verdict == null ? iC : null,
                verdict == null ? iK : null, verdict == null ? "proven exact" : verdict, vectorVerdict);
    }

    /**
     * Whether the vector kernels' float32 mode computes this chain exactly: always under quantizeml
     * 0.5.2; under 0.17.1 unless the expand's rounding can change a value (inputs of 24 or more value
     * bits, per-axis, on a channel with shift 0).
     *
     * @return true if the float32 vector kernel may be used
     */
    public boolean vectorExact() {
        return vectorVerdict == null;
    }

    /**
     * Says why the vector kernels' float32 mode is or is not exact for these constants.
     *
     * @return {@code "exact"} or the reason
     */
    public String vectorVerdict() {
        return vectorVerdict == null ? "exact" : vectorVerdict;
    }

    /**
     * The constants {@code M, D, S} of a form of the integer fast path for int8 inputs and results
     * that needs no integer multiply or variable shift: {@code r = fma(fma(x, M, D), S, 1.5 * 2^23)}
     * in float32 (the SIMD kernel's int8 loop), or null when it is not proven exact.
     *
     * <p><b>Proof.</b> Let {@code v = x*A + C - 2^(K-1)} for {@code K >= 1}, so that the integer
     * mode's result is {@code (v + 2^(K-1)) >> K = floor(v / 2^K + 1/2)}. Take {@code M = 2A},
     * {@code D = 2(C - 2^(K-1)) + 1}, {@code S = 2^-(K+1)}; then {@code z = x*M + D = 2v + 1}. (For
     * {@code K = 0}: {@code M = A}, {@code D = C}, {@code S = 1}, {@code z = v}, the result.) With
     * {@code Z = 128 |M| + |D|} bounding {@code |z|} for every int8 {@code x}, require
     * {@code Z <= 2^24} and {@code Z * S < 2^22}:
     * <ol>
     *   <li>{@code M}, {@code D} and {@code z} are integers of magnitude at most {@code 2^24}, so
     *       float32 holds them and {@code fma(x, M, D)} (one rounding) returns {@code z} exactly;</li>
     *   <li>{@code z * S} is exact (a power of two, no underflow) and {@code |z * S| < 2^22}, so
     *       {@code z * S + 1.5 * 2^23} lies in {@code (2^23, 2^24)}, where the float32s are the
     *       integers: {@code fma(z, S, 1.5 * 2^23) = 1.5 * 2^23 + rint(z * S)}, rounding half to
     *       even;</li>
     *   <li>for {@code K >= 1}, {@code z * S = v / 2^K + 2^-(K+1)} is never a tie, since its
     *       fraction is an odd multiple of {@code 2^-(K+1)} and {@code 1/2} an even one, so rounding
     *       to nearest gives {@code floor(v / 2^K + 2^-(K+1) + 1/2)}, and this is
     *       {@code floor(v / 2^K + 1/2)}: adding less than the spacing {@code 2^-K} of the values
     *       {@code v / 2^K + 1/2} cannot reach the next integer. For {@code K = 0} it is {@code v}.</li>
     * </ol>
     * The bits of {@code 1.5 * 2^23 + n} are {@code bits(1.5 * 2^23) + n} for {@code |n| < 2^22},
     * so the output clip is an integer clip of the bits, and as {@code bits(1.5 * 2^23)} ends in a
     * zero byte, the low byte of the clipped bits is the int8 result.
     *
     * @return {@code {M, D, S}} per channel, or null (also when the integer path is not proven)
     */
    float[][] int8FmaForm() {
        if (!integerExact() || iLo < Byte.MIN_VALUE || iHi > Byte.MAX_VALUE) {
            return null;
        }
        float[] m = new float[channels];
        float[] d = new float[channels];
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            int shift = iK[c];
            long bigM = shift == 0 ? iA[c] : 2L * iA[c];
            long bigD = shift == 0 ? iC[c] : 2 * (iC[c] - (1L << (shift - 1))) + 1;
            long z = 128 * Math.abs(bigM) + Math.abs(bigD);
            long zLimit = shift == 0 ? 1L << 22 : 1L << Math.min(22 + shift + 1, 40);
            if (z > EXACT || z >= zLimit) {
                return null;
            }
            m[c] = bigM;
            d[c] = bigD;
            s[c] = shift == 0 ? 1f : F32.pow2(-(shift + 1));
        }
        return new float[][] {m, d, s};
    }

    /**
     * The constants of a form of the integer fast path for int8 inputs and results that runs in
     * 16-bit integer lanes, twice as many per vector as the int or float lanes of the other forms:
     * <pre>
     *   x' = min(max(x, xLo), xHi)                 per-channel clamp of the int8 input
     *   t  = (x' * A0 + C0) >> 8                   16-bit multiply, add, shift by 8
     *   r  = (x' * A1 + C1 + t) >> F               16-bit multiply, two adds, shift by F (all lanes)
     * </pre>
     * then the output clip and the narrowing to the low byte; or null when it is not proven exact.
     *
     * <p><b>Construction.</b> Write {@code f(x) = floor((x*A + C) / 2^K)}, the integer mode's value
     * before its output clip {@code clip_o} (an arithmetic shift floors), and {@code lo, hi} the
     * clip's bounds. Per channel:
     * <ul>
     *   <li>The input clamp: for {@code A >= 0} ({@code f} nondecreasing), {@code xHi} is the least
     *       int8 {@code x} with {@code f(x) >= hi} (127 if none) and {@code xLo} the greatest with
     *       {@code f(x) <= lo} (-128 if none); for {@code A < 0} the same with {@code f(x) <= lo}
     *       for {@code xHi} and {@code f(x) >= hi} for {@code xLo}. Found by evaluating {@code f} on
     *       the 256 inputs.</li>
     *   <li>The shifts: {@code F = max(0, Kmax - 8)}, {@code Kmax} the largest {@code K} of the
     *       plan. A channel with {@code K < F} is first rewritten as {@code (A*2^e, C*2^e, F)},
     *       {@code e = F - K}, which leaves {@code f} unchanged: {@code floor(2^e y / 2^(K+e)) =
     *       floor(y / 2^K)}. Then {@code s = K - F} is in {@code [0, 8]}.</li>
     *   <li>The split: {@code A = A1*2^s + a0} and {@code C = C1*2^s + c0}, {@code 0 <= a0, c0 <
     *       2^s} (floor division), {@code A0 = a0*2^(8-s)} and {@code C0 = c0*2^(8-s)}, both in
     *       {@code [0, 255]}.</li>
     * </ul>
     *
     * <p><b>Proof.</b> For every int8 {@code x}:
     * <ol>
     *   <li>{@code clip_o(f(x')) = clip_o(f(x))}: for {@code A >= 0} and {@code x > xHi},
     *       {@code f(x) >= f(xHi) >= hi}, so both clip to {@code hi}; for {@code x < xLo},
     *       {@code f(x) <= f(xLo) <= lo}, both clip to {@code lo}; otherwise {@code x' = x}.
     *       Likewise for {@code A < 0}. ({@code xLo <= xHi}: else some {@code x <= y} would have
     *       {@code f(x) >= hi > lo >= f(y)}, against monotony.)</li>
     *   <li>{@code x'*A + C = 2^s (x'*A1 + C1) + (x'*a0 + c0)}, and for integers {@code u, w},
     *       {@code floor((2^s u + w) / 2^s) = u + floor(w / 2^s)}, so {@code floor((x'*A + C) / 2^s)
     *       = x'*A1 + C1 + floor((x'*a0 + c0) / 2^s)};</li>
     *   <li>{@code floor((x'*a0 + c0) / 2^s) = floor((x'*A0 + C0) / 2^8) = t}, multiplying
     *       numerator and denominator by {@code 2^(8-s)};</li>
     *   <li>nested floors of divisions by positive integers compose, {@code floor(floor(y / 2^s) /
     *       2^F) = floor(y / 2^(s+F))}, so {@code r = f(x')}.</li>
     * </ol>
     * In 16-bit lanes (Java {@code short} arithmetic wraps modulo {@code 2^16}) each step is exact
     * when no intermediate leaves {@code [-2^15, 2^15 - 1]}. {@code x'*A0} lies in
     * {@code [-128*255, 127*255]} and {@code x'*A0 + C0} in {@code [-32640, 32640]}, always, so
     * {@code t} is in {@code [-128, 127]}; with {@code X = max(|xLo|, |xHi|)} and the bound
     * {@code X*|A1| + |C1| + 128 <= 2^15 - 1}, required of every channel, every partial sum of
     * {@code x'*A1 + C1 + t} fits. The arithmetic shifts floor; {@code F <= 15} is required. The
     * output clip of results of at most 7 value bits leaves a value whose low byte is the int8
     * result.
     *
     * @return per channel {@code {A0, C0, A1, C1, xLo, xHi}}, then {@code {F}}; or null (also when the
     *     integer path is not proven or the results have more than 7 value bits)
     */
    short[][] int16Form() {
        if (!int16Allowed || !integerExact() || iLo < Byte.MIN_VALUE || iHi > Byte.MAX_VALUE) {
            return null;
        }
        int kMax = 0;
        for (int c = 0; c < channels; c++) {
            kMax = Math.max(kMax, iK[c]);
        }
        int f = Math.max(0, kMax - 8);
        if (f > 15) {
            return null;
        }
        short[][] form = new short[7][];
        for (int row = 0; row < 6; row++) {
            form[row] = new short[channels];
        }
        form[6] = new short[] {(short) f};
        for (int c = 0; c < channels; c++) {
            long bigA = iA[c];
            long bigC = iC[c];
            int shift = iK[c];
            // the input clamp, from f on every int8 input (f is monotone in x)
            boolean rising = bigA >= 0;
            int xLo = Byte.MIN_VALUE;
            int xHi = Byte.MAX_VALUE;
            boolean hiFound = false;
            for (int x = Byte.MIN_VALUE; x <= Byte.MAX_VALUE; x++) {
                long y = (x * bigA + bigC) >> shift;
                if (rising ? y <= iLo : y >= iHi) {
                    xLo = x;
                }
                if (!hiFound && (rising ? y >= iHi : y <= iLo)) {
                    xHi = x;
                    hiFound = true;
                }
            }
            if (shift < f) {
                // |A|, |C| < 2^25 and f - shift <= 15: no long overflow
                bigA <<= f - shift;
                bigC <<= f - shift;
                shift = f;
            }
            int s = shift - f;
            long hiA = bigA >> s;
            long hiC = bigC >> s;
            long loA = (bigA - (hiA << s)) << (8 - s);
            long loC = (bigC - (hiC << s)) << (8 - s);
            long reach = Math.max(Math.abs(xLo), Math.abs(xHi));
            if (reach * Math.abs(hiA) + Math.abs(hiC) + 128 > Short.MAX_VALUE) {
                return null;
            }
            form[0][c] = (short) loA;
            form[1][c] = (short) loC;
            form[2][c] = (short) hiA;
            form[3][c] = (short) hiC;
            form[4][c] = (short) xLo;
            form[5][c] = (short) xHi;
        }
        return form;
    }

    private static long mulCapped(long u, long w) {
        long cap = 1L << 62;
        if (u == 0 || w == 0) {
            return 0;
        }
        return u > cap / w ? cap : Math.min(u * w, cap);
    }

    /** The smallest float32 at or above {@code v} (a non-negative bound), as a long. */
    private static long ceilFloat(long v) {
        float f = v;
        return (long) f < v ? (long) Math.nextUp(f) : (long) f;
    }

    private static long addCapped(long u, long w) {
        return Math.min(u + w, 1L << 62);
    }

    /**
     * Returns the channel count.
     *
     * @return {@code C}
     */
    public int channels() {
        return channels;
    }

    /**
     * Whether the bound proves the integer fast path exact.
     *
     * @return true if {@link IntegerKernel} may be used
     */
    public boolean integerExact() {
        return iA != null;
    }

    /**
     * Says why the integer fast path is or is not available.
     *
     * @return {@code "proven exact"} or the first failing bound
     */
    public String integerVerdict() {
        return integerVerdict;
    }

    /**
     * Whether the result of each element has an output quantizer.
     *
     * @return true with an output quantizer
     */
    public boolean hasOutputQuantizer() {
        return hasOutputQuantizer;
    }

    /**
     * Returns the value bits of what the kernels write: the output quantizer's, or the buffer's.
     *
     * @return the value bits of the result
     */
    public int resultValueBits() {
        return outputValueBits;
    }

    @Override
    public String toString() {
        return "BnConstants[channels=" + channels + ", B=" + bufferValueBits + ", outputQuantizer="
                + hasOutputQuantizer + ", integer=" + integerVerdict + ", a=" + Checks.head(fA, 8) + ", b="
                + Checks.head(fB, 8) + ", inShift×=" + Arrays.toString(Arrays.copyOf(fInMul, Math.min(8, channels)))
                + "]";
    }
}
