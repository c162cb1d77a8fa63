package io.github.qbn4j.internal;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The chain of {@link BnConstants} in SIMD lanes ({@code jdk.incubator.vector}), in one of two modes:
 * <ul>
 *   <li><b>integer</b>: {@code clip_o((x * A + C) >> K)} in int lanes, when
 *       {@link BnConstants#integerExact()} proves it exact;</li>
 *   <li><b>float32</b>: the float32 chain in float lanes, exact for every plan. Where the bounds of
 *       {@link BnConstants} show that no buffer clip can act, two power-of-two factors are folded
 *       into their neighbours: {@code (x * 2^inShift) * a} becomes {@code x * (a * 2^inShift)} and
 *       {@code (s * q) * 2^outShift} becomes {@code s * (q * 2^outShift)}. Scaling by a power of two
 *       is exact and commutes with float32 rounding (no result here is subnormal or infinite), so
 *       both round the same real number the same way.</li>
 * </ul>
 *
 * <p><b>Lane constants without gathers.</b> The input is a flat run of whole pixels, so the lanes
 * of the vector that starts at element {@code i} belong to channels {@code (i + j) mod C}. Each
 * per-channel constant is laid out once in a table of period {@code P} ({@code C} when
 * {@code C >= L}, else {@code lcm(C, L)}), followed by its first {@code L - 1} entries again, so that
 * the lanes read {@code L} consecutive entries from position {@code i mod P}. Elements past the last
 * whole vector go through {@link Float32Kernel#evaluate}.
 *
 * <p>Java's {@code float} to {@code int} vector conversion is not compiled to SIMD code by JDK 17,
 * so small integers move between the int and float lanes with the {@code 1.5 * 2^23} trick: for
 * {@code |v| < 2^22}, the bits of {@code v + 1.5 * 2^23} are those of {@code 1.5 * 2^23} plus
 * {@code rint(v)}.
 *
 * <p>This class is loaded only when the {@code jdk.incubator.vector} module is present
 * ({@link Kernels}).
 */
public final class VectorKernel extends BnKernel {

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    private static final VectorSpecies<Byte> BS = L >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;

    private static final float MAGIC = 12582912f; // 1.5 * 2^23
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final float TWO23 = 8388608f;

    private final boolean integer;
    private final boolean folded;
    private final int period;
    private final int[] tA;
    private final int[] tC;
    private final int[] tK;
    private final float[] tInMul;
    private final float[] tFa;
    private final float[] tFb;
    private final float[] tFq;
    private final float[] tOutMul;

    private VectorKernel(BnConstants k, boolean integer) {
        super(k);
        this.integer = integer;
        int c = k.channels;
        this.period = c >= L ? c : lcm(c, L);
        if (integer) {
            if (!k.integerExact()) {
                throw new IllegalArgumentException("the integer fast path must be proven exact, got: "
                        + k.integerVerdict());
            }
            tA = table(k.iA);
            tC = table(k.iC);
            tK = table(k.iK);
            tInMul = tFa = tFb = tFq = tOutMul = null;
            folded = false;
        } else {
            tA = tC = tK = null;
            folded = !k.clipXs && !k.clipV;
            float[] a = new float[c];
            float[] q = new float[c];
            for (int i = 0; i < c; i++) {
                a[i] = folded ? k.fA[i] * k.fInMul[i] : k.fA[i];
                q[i] = folded ? k.fQ[i] * k.fOutMul[i] : k.fQ[i];
            }
            tInMul = table(k.fInMul);
            tFa = table(a);
            tFb = table(k.fB);
            tFq = table(q);
            tOutMul = table(k.fOutMul);
        }
    }

    /**
     * Creates a vector kernel.
     *
     * @param k the constants
     * @param integer the integer mode (requires {@link BnConstants#integerExact()}), else float32
     * @return the kernel
     * @throws IllegalArgumentException if the integer mode is asked for but not proven exact
     * @throws IllegalStateException if the preferred vector shape has fewer than 8 float lanes
     */
    public static BnKernel create(BnConstants k, boolean integer) {
        if (BS == null) {
            throw new IllegalStateException("vector kernels need at least 8 float lanes, got " + L);
        }
        return new VectorKernel(k, integer);
    }

    /**
     * Returns the float lane count of the preferred species.
     *
     * @return the lanes per vector
     */
    public static int lanes() {
        return L;
    }

    private static int lcm(int u, int w) {
        int g = u;
        int h = w;
        while (h != 0) {
            int t = g % h;
            g = h;
            h = t;
        }
        return u / g * w;
    }

    private int[] table(int[] perChannel) {
        int[] t = new int[period + L - 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = perChannel[i % perChannel.length];
        }
        return t;
    }

    private float[] table(float[] perChannel) {
        float[] t = new float[period + L - 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = perChannel[i % perChannel.length];
        }
        return t;
    }

    @Override
    public void bytes(byte[] in, int inOff, byte[] out, int outOff, int count) {
        // The loops sit in this one method on purpose: at more than 325 bytes of bytecode it is never
        // inlined into its callers, so C2 compiles it as a root and inlines all the Vector API calls
        // below it. Inlined deep into a caller (e.g. a benchmark loop), they can hit the inlining depth
        // limit, and a vector operation that is not inlined allocates its result.
        int n = count - count % L;
        if (integer) {
            int[] a = tA;
            int[] c = tC;
            int[] sh = tK;
            int p = period;
            IntVector lo = IntVector.broadcast(IS, k.iLo);
            IntVector hi = IntVector.broadcast(IS, k.iHi);
            int t = 0;
            for (int i = 0; i < n; i += L) {
                IntVector x = (IntVector) ByteVector.fromArray(BS, in, inOff + i)
                        .convertShape(VectorOperators.B2I, IS, 0);
                IntVector y = x.mul(IntVector.fromArray(IS, a, t)).add(IntVector.fromArray(IS, c, t))
                        .lanewise(VectorOperators.ASHR, IntVector.fromArray(IS, sh, t));
                y = y.max(lo).min(hi);
                y.convertShape(VectorOperators.I2B, BS, 0).reinterpretAsBytes().intoArray(out, outOff + i);
                t += L;
                if (t >= p) {
                    t -= p;
                }
            }
        } else if (folded) {
            float[] a = tFa;
            float[] b = tFb;
            float[] q = tFq;
            int p = period;
            boolean oq = k.hasOutputQuantizer;
            boolean clipP = k.clipP;
            boolean clipS = k.clipS;
            FloatVector bufLo = FloatVector.broadcast(FS, k.bufLo);
            FloatVector bufHi = FloatVector.broadcast(FS, k.bufHi);
            FloatVector outLo = FloatVector.broadcast(FS, k.outLo);
            FloatVector outHi = FloatVector.broadcast(FS, k.outHi);
            int t = 0;
            for (int i = 0; i < n; i += L) {
                FloatVector x = loadBytesAsFloats(in, inOff + i);
                FloatVector v = x.mul(FloatVector.fromArray(FS, a, t));
                if (clipP) {
                    v = clip(v, bufLo, bufHi);
                }
                v = v.add(FloatVector.fromArray(FS, b, t));
                if (clipS) {
                    v = clip(v, bufLo, bufHi);
                }
                if (oq) {
                    v = v.mul(FloatVector.fromArray(FS, q, t)).add(0.5f);
                }
                storeFloorAsBytes(clip(v, outLo, outHi), out, outOff + i);
                t += L;
                if (t >= p) {
                    t -= p;
                }
            }
        } else {
            int p = period;
            FloatVector outLo = FloatVector.broadcast(FS, k.outLo);
            FloatVector outHi = FloatVector.broadcast(FS, k.outHi);
            int t = 0;
            for (int i = 0; i < n; i += L) {
                FloatVector y = general(loadBytesAsFloats(in, inOff + i), t);
                storeFloorAsBytes(clip(y, outLo, outHi), out, outOff + i);
                t += L;
                if (t >= p) {
                    t -= p;
                }
            }
        }
        int channels = k.channels;
        for (int i = n; i < count; i++) {
            out[outOff + i] = (byte) Float32Kernel.evaluate(k, in[inOff + i], i % channels);
        }
    }

    @Override
    public void ints(int[] in, int inOff, float[] out, int outOff, int count) {
        // one method on purpose, as bytes()
        int n = count - count % L;
        if (integer) {
            int[] a = tA;
            int[] c = tC;
            int[] sh = tK;
            int p = period;
            IntVector lo = IntVector.broadcast(IS, k.iLo);
            IntVector hi = IntVector.broadcast(IS, k.iHi);
            int t = 0;
            for (int i = 0; i < n; i += L) {
                IntVector x = IntVector.fromArray(IS, in, inOff + i);
                IntVector y = x.mul(IntVector.fromArray(IS, a, t)).add(IntVector.fromArray(IS, c, t))
                        .lanewise(VectorOperators.ASHR, IntVector.fromArray(IS, sh, t));
                y = y.max(lo).min(hi);
                // |y| < 2^25 by the bound, so y is a float32 and the conversion is exact
                ((FloatVector) y.convert(VectorOperators.I2F, 0)).intoArray(out, outOff + i);
                t += L;
                if (t >= p) {
                    t -= p;
                }
            }
        } else {
            int p = period;
            boolean oq = k.hasOutputQuantizer;
            FloatVector bufLo = FloatVector.broadcast(FS, k.bufLo);
            FloatVector bufHi = FloatVector.broadcast(FS, k.bufHi);
            FloatVector outLo = FloatVector.broadcast(FS, k.outLo);
            FloatVector outHi = FloatVector.broadcast(FS, k.outHi);
            int t = 0;
            for (int i = 0; i < n; i += L) {
                // inputs were checked to be float32 integers, so the conversion is exact
                FloatVector x = (FloatVector) IntVector.fromArray(IS, in, inOff + i).convert(VectorOperators.I2F, 0);
                FloatVector y;
                if (folded) {
                    y = x.mul(FloatVector.fromArray(FS, tFa, t));
                    if (k.clipP) {
                        y = clip(y, bufLo, bufHi);
                    }
                    y = y.add(FloatVector.fromArray(FS, tFb, t));
                    if (k.clipS) {
                        y = clip(y, bufLo, bufHi);
                    }
                    if (oq) {
                        y = y.mul(FloatVector.fromArray(FS, tFq, t)).add(0.5f);
                    }
                } else {
                    y = general(x, t);
                }
                y = clip(y, outLo, outHi);
                if (oq) {
                    y = floor(y);
                }
                y.intoArray(out, outOff + i);
                t += L;
                if (t >= p) {
                    t -= p;
                }
            }
        }
        int channels = k.channels;
        for (int i = n; i < count; i++) {
            out[outOff + i] = Float32Kernel.evaluate(k, in[inOff + i], i % channels);
        }
    }

    /** int8 lanes to exact float lanes (|x| <= 128 < 2^22). */
    private static FloatVector loadBytesAsFloats(byte[] in, int index) {
        IntVector x = (IntVector) ByteVector.fromArray(BS, in, index).convertShape(VectorOperators.B2I, IS, 0);
        return x.add(MAGIC_BITS).reinterpretAsFloats().sub(MAGIC);
    }

    /** floor of lanes already clipped to at most 7 value bits, stored as int8. */
    private static void storeFloorAsBytes(FloatVector y, byte[] out, int index) {
        FloatVector r = y.add(MAGIC).sub(MAGIC);
        r = r.sub(1f, r.compare(VectorOperators.GT, y));
        IntVector v = r.add(MAGIC).reinterpretAsInts().sub(MAGIC_BITS);
        v.convertShape(VectorOperators.I2B, BS, 0).reinterpretAsBytes().intoArray(out, index);
    }

    /**
     * The literal chain up to {@code t + 0.5} (with an output quantizer) or {@code s} (without),
     * every clip kept: the floor and the output clip are left to the caller.
     */
    private FloatVector general(FloatVector x, int t) {
        FloatVector lo = FloatVector.broadcast(FS, k.bufLo);
        FloatVector hi = FloatVector.broadcast(FS, k.bufHi);
        FloatVector v = clip(x.mul(FloatVector.fromArray(FS, tInMul, t)), lo, hi);
        v = clip(v.mul(FloatVector.fromArray(FS, tFa, t)), lo, hi);
        v = clip(v.add(FloatVector.fromArray(FS, tFb, t)), lo, hi);
        if (k.hasOutputQuantizer) {
            v = clip(v.mul(FloatVector.fromArray(FS, tFq, t)), lo, hi);
            v = v.mul(FloatVector.fromArray(FS, tOutMul, t)).add(0.5f);
        }
        return v;
    }

    /**
     * quantizeml {@code saturate} in lanes, by compare and blend: {@code max}/{@code min} would also
     * order NaNs and signed zeros, which never occur here or do not matter (see {@link Float32Kernel}).
     */
    private static FloatVector clip(FloatVector v, FloatVector lo, FloatVector hi) {
        FloatVector w = v.blend(lo, v.compare(VectorOperators.LT, lo));
        return w.blend(hi, w.compare(VectorOperators.GT, hi));
    }

    /** Exact floor of any finite lanes: below 2^23 in magnitude by rounding, above it they are integers. */
    private static FloatVector floor(FloatVector y) {
        FloatVector m = y.abs();
        FloatVector r = m.add(TWO23).sub(TWO23);
        r = r.blend(m, m.compare(VectorOperators.GE, TWO23));
        r = r.blend(r.neg(), y.compare(VectorOperators.LT, 0f));
        return r.sub(1f, r.compare(VectorOperators.GT, y));
    }
}
