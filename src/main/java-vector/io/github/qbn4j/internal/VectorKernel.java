package io.github.qbn4j.internal;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
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
 * <p><b>int8 to int8 in the integer mode: two FMAs.</b> When {@link BnConstants#int8FmaForm} proves
 * it exact, the {@link #bytes} loop computes {@code (x * A + C) >> K} without a 32-bit integer multiply (two
 * micro-ops per vector on x86) or a variable shift, as {@code r = fma(fma(x, M, D), S, 1.5 * 2^23)}
 * in float lanes, whose bits are {@code bits(1.5 * 2^23) + result}; the output clip is an integer
 * {@code min}/{@code max} on those bits and the narrowing keeps their low byte, which is the result.
 * When one period of lane constants is at most four vectors, they are held in registers.
 *
 * <p><b>int8 to int8 in 16-bit lanes.</b> When {@link BnConstants#int16Form} proves it exact, the
 * {@link #bytes} loop takes precedence over the FMA form: twice as many elements per vector, each
 * clamped (per channel, on the int8 input), widened to 16 bits, then two 16-bit multiplies, three
 * adds, two shifts by a constant, the output clip and the narrowing to the low byte. Its lane
 * constants are held in registers when one period is one vector, else read from tables.
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

    // 16-bit lanes: twice the float lane count, from half as many bytes as a float vector has bits
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, FS.vectorShape());
    private static final int LS = SS.length();
    private static final VectorSpecies<Byte> BS2 = L >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LS * 8)) : null;

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
    // the int8 -> int8 FMA form of the integer mode (null when int8FmaForm does not prove it)
    private final float[] tM;
    private final float[] tD;
    private final float[] tS;
    // the int8 -> int8 16-bit form of the integer mode (null when int16Form does not prove it)
    private final int period16;
    private final short[] tA0;
    private final short[] tC0;
    private final short[] tA1;
    private final short[] tC1;
    private final byte[] tXLo;
    private final byte[] tXHi;
    private final int shift16;

    private VectorKernel(BnConstants k, boolean integer) {
        super(k);
        this.integer = integer;
        int c = k.channels;
        this.period = c >= L ? c : lcm(c, L);
        this.period16 = c >= LS ? c : lcm(c, LS);
        short[][] form16 = integer ? k.int16Form() : null;
        if (form16 == null) {
            tA0 = tC0 = tA1 = tC1 = null;
            tXLo = tXHi = null;
            shift16 = 0;
        } else {
            tA0 = table16(form16[0]);
            tC0 = table16(form16[1]);
            tA1 = table16(form16[2]);
            tC1 = table16(form16[3]);
            tXLo = bytes16(table16(form16[4]));
            tXHi = bytes16(table16(form16[5]));
            shift16 = form16[6][0];
        }
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
            float[][] form = k.int8FmaForm();
            tM = form == null ? null : table(form[0]);
            tD = form == null ? null : table(form[1]);
            tS = form == null ? null : table(form[2]);
        } else {
            tA = tC = tK = null;
            tM = tD = tS = null;
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

    /** A table of period {@code period16} for {@link #LS} lanes, as {@link #table(int[])}. */
    private short[] table16(short[] perChannel) {
        short[] t = new short[period16 + LS - 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = perChannel[i % perChannel.length];
        }
        return t;
    }

    private static byte[] bytes16(short[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i]; // int8 values: exact
        }
        return b;
    }

    private float[] table(float[] perChannel) {
        float[] t = new float[period + L - 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = perChannel[i % perChannel.length];
        }
        return t;
    }

    /**
     * The 16-bit form (see {@link BnConstants#int16Form}), {@link #LS} elements per step. When one
     * period of lane constants is one vector, they are held in registers; else they are read from
     * the tables. Up to the last whole vector; the rest goes to the caller's scalar loop.
     *
     * @return how many elements were done
     */
    private int shortBytes(byte[] in, int inOff, byte[] out, int outOff, int count) {
        int n = count - count % LS;
        if (period16 == LS) {
            shortHeld1(in, inOff, out, outOff, n);
        } else {
            shortTable(in, inOff, out, outOff, n);
        }
        return n;
    }

    /** One vector of constants in registers, up to element {@code to} (a multiple of LS). */
    private void shortHeld1(byte[] in, int inOff, byte[] out, int outOff, int to) {
        ByteVector xLo = ByteVector.fromArray(BS2, tXLo, 0);
        ByteVector xHi = ByteVector.fromArray(BS2, tXHi, 0);
        ShortVector a0 = ShortVector.fromArray(SS, tA0, 0);
        ShortVector c0 = ShortVector.fromArray(SS, tC0, 0);
        ShortVector a1 = ShortVector.fromArray(SS, tA1, 0);
        ShortVector c1 = ShortVector.fromArray(SS, tC1, 0);
        ShortVector lo = ShortVector.broadcast(SS, (short) k.iLo);
        ShortVector hi = ShortVector.broadcast(SS, (short) k.iHi);
        int f = shift16;
        for (int i = 0; i < to; i += LS) {
            shortStep(in, inOff + i, out, outOff + i, xLo, xHi, a0, c0, a1, c1, f, lo, hi);
        }
    }

    /** Constants read from the tables, for any period, up to element {@code to} (a multiple of LS). */
    private void shortTable(byte[] in, int inOff, byte[] out, int outOff, int to) {
        int p = period16;
        ShortVector lo = ShortVector.broadcast(SS, (short) k.iLo);
        ShortVector hi = ShortVector.broadcast(SS, (short) k.iHi);
        int f = shift16;
        int t = 0;
        for (int i = 0; i < to; i += LS) {
            shortStep(in, inOff + i, out, outOff + i, ByteVector.fromArray(BS2, tXLo, t),
                    ByteVector.fromArray(BS2, tXHi, t), ShortVector.fromArray(SS, tA0, t),
                    ShortVector.fromArray(SS, tC0, t), ShortVector.fromArray(SS, tA1, t),
                    ShortVector.fromArray(SS, tC1, t), f, lo, hi);
            t += LS;
            if (t >= p) {
                t -= p;
            }
        }
    }

    private static void shortStep(byte[] in, int inIndex, byte[] out, int outIndex, ByteVector xLo, ByteVector xHi,
            ShortVector a0, ShortVector c0, ShortVector a1, ShortVector c1, int f, ShortVector lo, ShortVector hi) {
        ShortVector x = (ShortVector) ByteVector.fromArray(BS2, in, inIndex).max(xLo).min(xHi)
                .convertShape(VectorOperators.B2S, SS, 0);
        ShortVector t = x.mul(a0).add(c0).lanewise(VectorOperators.ASHR, 8);
        ShortVector r = x.mul(a1).add(c1).add(t).lanewise(VectorOperators.ASHR, f).max(lo).min(hi);
        r.convertShape(VectorOperators.S2B, BS2, 0).reinterpretAsBytes().intoArray(out, outIndex);
    }

    /**
     * The FMA form (see {@link BnConstants#int8FmaForm}). When one period of lane constants is 1, 2,
     * 3 or 4 vectors, they are held in registers, and the loop stops at the last whole group of 4
     * (or 3) vectors; else the constants are read from the tables, up to the last whole vector.
     * What is left (less than 4 vectors) goes to the caller's scalar loop.
     *
     * <p>Each loop is a method of its own, compiled on its own: inlined together, their Vector API
     * calls pass C2's inlining budget, and a vector operation that is not inlined allocates. For the
     * same reason no vector loop runs for a short remainder: called once per apply with a few
     * iterations, it would stay in code compiled without escape analysis (C1) for thousands of
     * calls, allocating its vectors at each.
     *
     * @return how many elements were done
     */
    private int fmaBytes(byte[] in, int inOff, byte[] out, int outOff, int count) {
        int vectors = period % L == 0 ? period / L : 0;
        if (vectors == 1 || vectors == 2 || vectors == 4) {
            return fmaHeld4(in, inOff, out, outOff, count);
        } else if (vectors == 3) {
            return fmaHeld3(in, inOff, out, outOff, count);
        }
        int n = count - count % L;
        fmaTable(in, inOff, out, outOff, n);
        return n;
    }

    /** Four vectors of constants in registers; slot j holds those at {@code (j * L) mod period}. */
    private int fmaHeld4(byte[] in, int inOff, byte[] out, int outOff, int count) {
        int p = period;
        FloatVector m0 = FloatVector.fromArray(FS, tM, 0);
        FloatVector d0 = FloatVector.fromArray(FS, tD, 0);
        FloatVector s0 = FloatVector.fromArray(FS, tS, 0);
        FloatVector m1 = FloatVector.fromArray(FS, tM, L % p);
        FloatVector d1 = FloatVector.fromArray(FS, tD, L % p);
        FloatVector s1 = FloatVector.fromArray(FS, tS, L % p);
        FloatVector m2 = FloatVector.fromArray(FS, tM, 2 * L % p);
        FloatVector d2 = FloatVector.fromArray(FS, tD, 2 * L % p);
        FloatVector s2 = FloatVector.fromArray(FS, tS, 2 * L % p);
        FloatVector m3 = FloatVector.fromArray(FS, tM, 3 * L % p);
        FloatVector d3 = FloatVector.fromArray(FS, tD, 3 * L % p);
        FloatVector s3 = FloatVector.fromArray(FS, tS, 3 * L % p);
        FloatVector magic = FloatVector.broadcast(FS, MAGIC);
        IntVector lo = IntVector.broadcast(IS, MAGIC_BITS + k.iLo);
        IntVector hi = IntVector.broadcast(IS, MAGIC_BITS + k.iHi);
        int step = 4 * L;
        int end = count - count % step;
        for (int i = 0; i < end; i += step) {
            fmaStep(in, inOff + i, out, outOff + i, m0, d0, s0, magic, lo, hi);
            fmaStep(in, inOff + i + L, out, outOff + i + L, m1, d1, s1, magic, lo, hi);
            fmaStep(in, inOff + i + 2 * L, out, outOff + i + 2 * L, m2, d2, s2, magic, lo, hi);
            fmaStep(in, inOff + i + 3 * L, out, outOff + i + 3 * L, m3, d3, s3, magic, lo, hi);
        }
        return end;
    }

    /** Three vectors of constants in registers (a period of {@code 3L}). */
    private int fmaHeld3(byte[] in, int inOff, byte[] out, int outOff, int count) {
        FloatVector m0 = FloatVector.fromArray(FS, tM, 0);
        FloatVector d0 = FloatVector.fromArray(FS, tD, 0);
        FloatVector s0 = FloatVector.fromArray(FS, tS, 0);
        FloatVector m1 = FloatVector.fromArray(FS, tM, L);
        FloatVector d1 = FloatVector.fromArray(FS, tD, L);
        FloatVector s1 = FloatVector.fromArray(FS, tS, L);
        FloatVector m2 = FloatVector.fromArray(FS, tM, 2 * L);
        FloatVector d2 = FloatVector.fromArray(FS, tD, 2 * L);
        FloatVector s2 = FloatVector.fromArray(FS, tS, 2 * L);
        FloatVector magic = FloatVector.broadcast(FS, MAGIC);
        IntVector lo = IntVector.broadcast(IS, MAGIC_BITS + k.iLo);
        IntVector hi = IntVector.broadcast(IS, MAGIC_BITS + k.iHi);
        int step = 3 * L;
        int end = count - count % step;
        for (int i = 0; i < end; i += step) {
            fmaStep(in, inOff + i, out, outOff + i, m0, d0, s0, magic, lo, hi);
            fmaStep(in, inOff + i + L, out, outOff + i + L, m1, d1, s1, magic, lo, hi);
            fmaStep(in, inOff + i + 2 * L, out, outOff + i + 2 * L, m2, d2, s2, magic, lo, hi);
        }
        return end;
    }

    /** Constants read from the tables, for any period, up to element {@code to} (a multiple of L). */
    private void fmaTable(byte[] in, int inOff, byte[] out, int outOff, int to) {
        int p = period;
        FloatVector magic = FloatVector.broadcast(FS, MAGIC);
        IntVector lo = IntVector.broadcast(IS, MAGIC_BITS + k.iLo);
        IntVector hi = IntVector.broadcast(IS, MAGIC_BITS + k.iHi);
        int t = 0;
        for (int i = 0; i < to; i += L) {
            fmaStep(in, inOff + i, out, outOff + i, FloatVector.fromArray(FS, tM, t),
                    FloatVector.fromArray(FS, tD, t), FloatVector.fromArray(FS, tS, t), magic, lo, hi);
            t += L;
            if (t >= p) {
                t -= p;
            }
        }
    }

    private static void fmaStep(byte[] in, int inIndex, byte[] out, int outIndex, FloatVector m,
            FloatVector d, FloatVector s, FloatVector magic, IntVector lo, IntVector hi) {
        IntVector x = (IntVector) ByteVector.fromArray(BS, in, inIndex).convertShape(VectorOperators.B2I, IS, 0);
        FloatVector r = ((FloatVector) x.convert(VectorOperators.I2F, 0)).fma(m, d).fma(s, magic);
        IntVector y = r.reinterpretAsInts().max(lo).min(hi);
        y.convertShape(VectorOperators.I2B, BS, 0).reinterpretAsBytes().intoArray(out, outIndex);
    }

    @Override
    public void bytes(byte[] in, int inOff, byte[] out, int outOff, int count) {
        // The loops sit in this method on purpose: at more than 325 bytes of bytecode it is never
        // inlined into its callers, so C2 compiles it as a root and inlines all the Vector API calls
        // below it (the FMA loops are methods of their own, see fmaBytes). Inlined deep into a caller
        // (e.g. a benchmark loop), they can hit the inlining depth limit, and a vector operation that
        // is not inlined allocates its result.
        int n = count - count % L;
        if (tA0 != null) {
            n = shortBytes(in, inOff, out, outOff, count);
        } else if (tM != null) {
            n = fmaBytes(in, inOff, out, outOff, count);
        } else if (integer) {
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
            // saturated to the promoted P value bits under quantizeml 0.17.1 (P = B under 0.5.2)
            v = clip(v.mul(FloatVector.fromArray(FS, tFq, t)), FloatVector.broadcast(FS, k.vLo),
                    FloatVector.broadcast(FS, k.vHi));
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
