package io.github.qbn4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.qbn4j.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link BnConstants#int8FmaForm()}, the two-FMA form of the integer fast path for int8 inputs and
 * results, and the vector kernel's int8 loops that use it: they must give {@link IntegerKernel}'s
 * bytes for every channel count 1 to 70 (lane-table periods of 1 to 4 vectors held in registers,
 * longer periods read from tables) and every whole-pixel count 1 to 256 (every scalar tail).
 *
 * <p>Randomness comes from {@link Seeds}: each configuration derives its own seed from the base seed
 * and its name; a failure names the seed.
 */
@ExtendWith(Seeds.class)
class Int8FmaFormTest {

    private static final int MAX_CHANNELS = 70;
    private static final int CONFIGS_PER_CHANNEL_COUNT = 6;
    private static final int PIXELS = 256;

    // ---------------------------------------------------------------------------------------------
    // random configurations

    /** One seeded random configuration: the arguments of {@link BnConstants#of}. */
    private record Config(String name, long seed, int[] inShift, long[] a, long[] b, long[] q, int[] outShift) {

        BnConstants constants() {
            return BnConstants.of(31, 7, inShift, a, b, q, outShift, 7);
        }

        String channel(int c) {
            return "channel " + c + " (inShift " + inShift[c] + ", a " + a[c] + ", b " + b[c] + ", q " + q[c]
                    + ", outShift " + outShift[c] + ")";
        }

        @Override
        public String toString() {
            return name + " (" + Seeds.describe("int8-fma/" + name) + ")";
        }
    }

    /**
     * A 32-bit buffer, int8 inputs and results. Each configuration draws its own maxima (so that
     * some are small enough for every channel to pass both bounds, and some have a channel between
     * the FMA bound and the integer bound), then per channel: inShift 0..2, a within +-127, b within
     * a few thousand, q 1..255, outShift mostly -1..-20 (near the shift that maps the input range
     * onto the output range) and sometimes 0..3.
     */
    private static Config randomConfig(int channels, int index) {
        String name = "C=" + channels + " config " + index;
        long seed = Seeds.of("int8-fma/" + name);
        SplittableRandom r = new SplittableRandom(seed);
        int inShiftMax = r.nextInt(3);
        int aMax = r.nextBoolean() ? 1 + r.nextInt(127) : 1 + r.nextInt(16);
        int bMax = r.nextInt(5000);
        int qMax = r.nextBoolean() ? 1 + r.nextInt(255) : 1 + r.nextInt(8);
        int nonNegativeShiftPercent = r.nextInt(3) == 0 ? 40 : r.nextInt(3) == 0 ? 5 : 0;
        int[] inShift = new int[channels];
        long[] a = new long[channels];
        long[] b = new long[channels];
        long[] q = new long[channels];
        int[] outShift = new int[channels];
        for (int c = 0; c < channels; c++) {
            inShift[c] = r.nextInt(inShiftMax + 1);
            a[c] = r.nextInt(-aMax, aMax + 1);
            b[c] = r.nextInt(-bMax, bMax + 1);
            q[c] = 1 + r.nextInt(qMax);
            if (r.nextInt(100) < nonNegativeShiftPercent) {
                outShift[c] = r.nextInt(4);
            } else {
                // |x * a * q * 2^inShift| < 128 * 2^bits: a shift near bits keeps results in int8
                long bigA = Math.abs(a[c] * q[c]) << inShift[c];
                int bits = 64 - Long.numberOfLeadingZeros(bigA);
                outShift[c] = -Math.max(1, Math.min(20, bits + r.nextInt(-3, 4)));
            }
        }
        return new Config(name, seed, inShift, a, b, q, outShift);
    }

    private static List<Config> sweep() {
        List<Config> configs = new ArrayList<>();
        for (int channels = 1; channels <= MAX_CHANNELS; channels++) {
            for (int i = 0; i < CONFIGS_PER_CHANNEL_COUNT; i++) {
                configs.add(randomConfig(channels, i));
            }
        }
        return configs;
    }

    // ---------------------------------------------------------------------------------------------
    // the sweep

    @Test
    void theSweepReachesBothSidesOfTheFmaBound() {
        int notExact = 0;
        int exactWithForm = 0;
        int exactWithoutForm = 0;
        int formWithZeroShift = 0;
        for (Config config : sweep()) {
            BnConstants k = config.constants();
            float[][] form = k.int8FmaForm();
            if (!k.integerExact()) {
                assertThat(form).as("%s: form without the integer path", config).isNull();
                notExact++;
                continue;
            }
            if (form == null) {
                exactWithoutForm++;
                continue;
            }
            exactWithForm++;
            boolean zeroShift = false;
            for (int c = 0; c < k.channels; c++) {
                // the form's constants are those of the integer path, channel by channel
                checkFormChannel(k, form, c, config + " " + config.channel(c));
                zeroShift |= k.iK[c] == 0;
            }
            if (zeroShift) {
                formWithZeroShift++;
            }
        }
        System.out.printf("Int8FmaFormTest sweep: %d configurations, integer path not proven %d, FMA form %d "
                + "(with a K = 0 channel %d), integer path without FMA form %d%n",
                MAX_CHANNELS * CONFIGS_PER_CHANNEL_COUNT, notExact, exactWithForm, formWithZeroShift,
                exactWithoutForm);
        assertThat(exactWithForm).as("configurations on the FMA form").isGreaterThan(0);
        assertThat(exactWithoutForm).as("configurations on the integer path but not the FMA form")
                .isGreaterThan(0);
        assertThat(formWithZeroShift).as("configurations on the FMA form with a K = 0 channel")
                .isGreaterThan(0);
    }

    @Test
    void vectorBytesMatchTheIntegerKernelForChannelCounts1To70() {
        Assumptions.assumeTrue(Kernels.vectorAvailable(), Kernels.vectorStatus());
        int compared = 0;
        for (Config config : sweep()) {
            BnConstants k = config.constants();
            if (k.integerExact()) {
                SplittableRandom r = new SplittableRandom(config.seed);
                compareBytes(k, config.toString(), config::channel, 1 + r.nextInt(40), 1 + r.nextInt(40));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(0);
    }

    /**
     * Constants at the FMA bound, where an inexact {@code fma(x, M, D)} or a misplaced rounding would
     * show: {@code z = x*M + D} reaches {@code 2^24 - 1} in magnitude, with every K from 1 to 20 so
     * that the results {@code z * 2^-(K+1)} also land in the middle of the int8 range, plus a K = 0
     * channel at {@code Z = 2^22 - 1}.
     */
    @Test
    void vectorBytesMatchTheIntegerKernelAtTheFmaBound() {
        Assumptions.assumeTrue(Kernels.vectorAvailable(), Kernels.vectorStatus());
        // per K: (a, b) = (65535, 127), (-65535, 127), (65535, -128), (-65535, -128): Z = 2^24 - 1
        // (see zAtTheBoundForKAtLeast1IsOddAndAcceptedUpTo2To24Minus1), then one K = 0 channel.
        int channels = 4 * 20 + 1;
        int[] inShift = new int[channels];
        long[] a = new long[channels];
        long[] b = new long[channels];
        long[] q = new long[channels];
        int[] outShift = new int[channels];
        for (int c = 0; c < channels - 1; c++) {
            a[c] = (c & 1) == 0 ? 65535 : -65535;
            b[c] = (c & 2) == 0 ? 127 : -128;
            q[c] = 1;
            outShift[c] = -(1 + c / 4);
        }
        a[channels - 1] = 32767;
        b[channels - 1] = 127;
        q[channels - 1] = 1;
        outShift[channels - 1] = 0;
        BnConstants k = BnConstants.of(31, 7, inShift, a, b, q, outShift, 7);
        assertThat(k.int8FmaForm()).isNotNull();
        // every sub-run of channels too, so that each period and register layout sees them
        for (int first = 0; first < channels; first += 7) {
            for (int count : new int[] {1, 2, 3, 8, 16, 17, 48}) {
                int last = Math.min(channels, first + count);
                BnConstants sub = BnConstants.of(31, 7, Arrays.copyOfRange(inShift, first, last),
                        Arrays.copyOfRange(a, first, last), Arrays.copyOfRange(b, first, last),
                        Arrays.copyOfRange(q, first, last), Arrays.copyOfRange(outShift, first, last), 7);
                assertThat(sub.int8FmaForm()).isNotNull();
                int base = first;
                compareBytes(sub, "bound channels " + first + ".." + (last - 1),
                        c -> "channel " + c + " (a " + a[base + c] + ", b " + b[base + c] + ", outShift "
                                + outShift[base + c] + ")", 3, 11);
            }
        }
        compareBytes(k, "bound channels 0.." + (channels - 1),
                c -> "channel " + c + " (a " + a[c] + ", b " + b[c] + ", outShift " + outShift[c] + ")", 5, 1);
    }

    /**
     * The vector kernel's {@code bytes} against {@link IntegerKernel}'s, on 256 pixels in which every
     * channel sees all 256 int8 values, and on every whole-pixel prefix of them; the output bytes
     * outside the written run must stay as they were.
     */
    private static void compareBytes(BnConstants k, String what, java.util.function.IntFunction<String> channelInfo,
            int inOff, int outOff) {
        // the FMA loops: without the 16-bit form, which Int16FormTest compares on its own
        compareVectorBytes(k, k.withoutInt16Form(), what, channelInfo, inOff, outOff);
    }

    /**
     * {@code Kernels.vector(vectorConstants, true).bytes} against {@link IntegerKernel}'s bytes for
     * {@code k} (the same constants, possibly without a form), as {@link #compareBytes} describes.
     */
    static void compareVectorBytes(BnConstants k, BnConstants vectorConstants, String what,
            java.util.function.IntFunction<String> channelInfo, int inOff, int outOff) {
        int channels = k.channels;
        int n = PIXELS * channels;
        byte[] in = new byte[inOff + n + 64];
        Arrays.fill(in, (byte) 0x7F);
        for (int p = 0; p < PIXELS; p++) {
            for (int c = 0; c < channels; c++) {
                in[inOff + p * channels + c] = (byte) (p + 37 * c);
            }
        }
        byte[] expected = new byte[n];
        new IntegerKernel(k).bytes(in, inOff, expected, 0, n);
        // the reference itself: the integer path is the float32 chain (proven in BnConstants.of)
        for (int i = 0; i < n; i++) {
            int c = i % channels;
            byte f = (byte) Float32Kernel.evaluate(k, in[inOff + i], c);
            if (f != expected[i]) {
                fail("%s, channels %d: integer kernel %d but float32 chain %d at element %d (input %d, %s)", what,
                        channels, expected[i], f, i, in[inOff + i], channelInfo.apply(c));
            }
        }
        BnKernel vector = Kernels.vector(vectorConstants, true);
        byte[] out = new byte[outOff + n + 64];
        // all 256 pixels first, then every whole-pixel count
        for (int pass = 0; pass <= PIXELS; pass++) {
            int pixels = pass == 0 ? PIXELS : pass;
            int count = pixels * channels;
            // two sentinels, so that a byte left unwritten is seen even where it equals one of them
            byte sentinel = (pass & 1) == 0 ? (byte) 0x5A : (byte) 0xA5;
            Arrays.fill(out, sentinel);
            vector.bytes(in, inOff, out, outOff, count);
            int bad = Arrays.mismatch(out, outOff, outOff + count, expected, 0, count);
            if (bad >= 0) {
                int c = bad % channels;
                fail("%s, channels %d, %d pixels (inOff %d, outOff %d): element %d (pixel %d, %s, input %d): "
                        + "vector %d, integer %d", what, channels, pixels, inOff, outOff, bad, bad / channels,
                        channelInfo.apply(c), in[inOff + bad], out[outOff + bad], expected[bad]);
            }
            for (int i = 0; i < out.length; i++) {
                if ((i < outOff || i >= outOff + count) && out[i] != sentinel) {
                    fail("%s, channels %d, %d pixels (inOff %d, outOff %d): output index %d outside the run "
                            + "[%d, %d) was written: %d, was %d", what, channels, pixels, inOff, outOff, i, outOff,
                            outOff + count, out[i], sentinel);
                }
            }
        }
    }

    /** {M, D, S} of channel c from the integer constants A = iA, C = iC, K = iK, as the javadoc states. */
    private static void checkFormChannel(BnConstants k, float[][] form, int c, String what) {
        long bigA = k.iA[c];
        long bigC = k.iC[c];
        int shift = k.iK[c];
        long m = shift == 0 ? bigA : 2 * bigA;
        long d = shift == 0 ? bigC : 2 * (bigC - (1L << (shift - 1))) + 1;
        float s = shift == 0 ? 1f : Math.scalb(1f, -(shift + 1));
        assertThat(form[0][c]).as("%s: M", what).isEqualTo((float) m);
        assertThat(form[1][c]).as("%s: D", what).isEqualTo((float) d);
        assertThat(form[2][c]).as("%s: S", what).isEqualTo(s);
        // the bound: Z = 128|M| + |D| <= 2^24 and Z * S < 2^22, with M and D exact in float32
        long z = 128 * Math.abs(m) + Math.abs(d);
        assertThat(z).as("%s: Z", what).isLessThanOrEqualTo(1L << 24);
        assertThat((double) z * s).as("%s: Z * S", what).isLessThan(0x1p22);
        assertThat((long) form[0][c]).as("%s: M exact", what).isEqualTo(m);
        assertThat((long) form[1][c]).as("%s: D exact", what).isEqualTo(d);
    }

    // ---------------------------------------------------------------------------------------------
    // int8FmaForm() by hand

    private static BnConstants one(int inShift, long a, long b, long q, int outShift) {
        return BnConstants.of(31, 7, new int[] {inShift}, new long[] {a}, new long[] {b}, new long[] {q},
                new int[] {outShift}, 7);
    }

    @Test
    void zeroShiftGivesMEqualsADEqualsCAndSOne() {
        // inShift 1, a 3, b 5, q 1, outShift 3:
        //   A = a*q*2^(inShift + outShift) = 3*2^4 = 48, C = b*q*2^outShift = 5*8 = 40, K = 0.
        //   Integer bound: V = (128*2*3 + 5)*1 = 773, v << 3 = 6184 < 2^23.
        //   Form: M = A = 48, D = C = 40, S = 1; Z = 128*48 + 40 = 6184 < 2^22.
        BnConstants k = one(1, 3, 5, 1, 3);
        assertThat(k.integerExact()).isTrue();
        assertThat(new int[] {k.iA[0], k.iC[0], k.iK[0]}).containsExactly(48, 40, 0);
        float[][] form = k.int8FmaForm();
        assertThat(form).isNotNull();
        assertThat(form[0]).containsExactly(48f);
        assertThat(form[1]).containsExactly(40f);
        assertThat(form[2]).containsExactly(1f);
        checkFormChannel(k, form, 0, "K = 0");
    }

    @Test
    void positiveShiftGivesTwiceAOddDAndSTwoToMinusKPlus1() {
        // inShift 1, a -5, b 300, q 7, outShift -4:
        //   A = -5*7*2 = -70, C = 300*7 + 2^3 = 2108, K = 4.
        //   Integer bound: V = (128*2*5 + 300)*7 = 11060, V + 2^3 <= 2^24.
        //   Form: M = 2A = -140, D = 2(C - 2^3) + 1 = 2*2100 + 1 = 4201, S = 2^-5 = 0.03125;
        //   Z = 128*140 + 4201 = 22121, Z*S = 691.28 < 2^22.
        BnConstants k = one(1, -5, 300, 7, -4);
        assertThat(k.integerExact()).isTrue();
        assertThat(new int[] {k.iA[0], k.iC[0], k.iK[0]}).containsExactly(-70, 2108, 4);
        float[][] form = k.int8FmaForm();
        assertThat(form).isNotNull();
        assertThat(form[0]).containsExactly(-140f);
        assertThat(form[1]).containsExactly(4201f);
        assertThat(form[2]).containsExactly(0.03125f);
        checkFormChannel(k, form, 0, "K = 4");
        // x = 37: (37*-70 + 2108) >> 4 = (-482) >> 4 = floor(-30.125) = -31;
        // fma: z = 37*-140 + 4201 = -979, z*S = -30.59375, + 1.5*2^23 rounds to 1.5*2^23 - 31.
        float magic = 12582912f;
        assertThat(Math.fma(Math.fma(37f, form[0][0], form[1][0]), form[2][0], magic) - magic).isEqualTo(-31f);
        assertThat((37 * k.iA[0] + k.iC[0]) >> k.iK[0]).isEqualTo(-31);
    }

    @Test
    void zAtTheBoundForKAtLeast1IsOddAndAcceptedUpTo2To24Minus1() {
        // For K >= 1, with inShift 0 and q 1: A = a, C = b + 2^(K-1), M = 2a, D = 2b + 1, so
        // Z = 256|a| + |2b + 1| = 2V + 1 for b >= 0 and 2V - 1 for b < 0, V = 128|a| + |b|: Z is odd
        // and never exactly 2^24. (For K = 0 the integer bound already gives Z = V * 2^outShift < 2^23,
        // so Z = 2^24 is unreachable there too: the reachable edges are these and the Z * S one below.)
        //
        // a 65535, b 127: V = 8388480 + 127 = 2^23 - 1, Z = 2V + 1 = 2^24 - 1: accepted for every K.
        // a 65535, b -128: V = 8388480 + 128 = 2^23, Z = 2V - 1 = 2^24 - 1: accepted.
        // a 65536, b 0: V = 2^23, Z = 2^24 + 1 > 2^24: null, though the integer path holds
        //   (V + 2^(K-1) <= 2^24 for K <= 23).
        // a 65536, b -1: V = 2^23 + 1, Z = 2^24 + 2 - 1 = 2^24 + 1: null.
        // For K = 1, S = 2^-2 and Z * S < 2^22 is also Z < 2^24: the same edge.
        for (int shift = 1; shift <= 20; shift++) {
            float s = Math.scalb(1f, -(shift + 1));
            BnConstants below = one(0, 65535, 127, 1, -shift);
            assertThat(below.integerExact()).isTrue();
            float[][] form = below.int8FmaForm();
            assertThat(form).as("K = %d, Z = 2^24 - 1", shift).isNotNull();
            assertThat(form[0]).containsExactly(131070f);
            assertThat(form[1]).containsExactly(255f);
            assertThat(form[2]).containsExactly(s);
            assertThat(128 * 131070L + 255).isEqualTo((1L << 24) - 1);

            float[][] negative = one(0, -65535, -128, 1, -shift).int8FmaForm();
            assertThat(negative).as("K = %d, Z = 2^24 - 1 (negative a, b)", shift).isNotNull();
            assertThat(negative[0]).containsExactly(-131070f);
            assertThat(negative[1]).containsExactly(-255f);
            assertThat(negative[2]).containsExactly(s);

            BnConstants above = one(0, 65536, 0, 1, -shift);
            assertThat(above.integerExact()).as("K = %d: %s", shift, above.integerVerdict()).isTrue();
            assertThat(above.int8FmaForm()).as("K = %d, Z = 2^24 + 1", shift).isNull();
            BnConstants aboveNegative = one(0, 65536, -1, 1, -shift);
            assertThat(aboveNegative.integerExact()).isTrue();
            assertThat(aboveNegative.int8FmaForm()).as("K = %d, Z = 2^24 + 1 (b < 0)", shift).isNull();
        }
    }

    @Test
    void zTimesSBoundForZeroShiftAcceptsUpTo2To22Minus1() {
        // K = 0 (outShift 0, q 1, inShift 0): M = a, D = b, S = 1, Z = 128|a| + |b|, and the
        // binding bound is Z * S = Z < 2^22 (the integer bound only asks Z < 2^23).
        // a 32767, b 127: Z = 4194176 + 127 = 2^22 - 1: accepted.
        BnConstants edge = one(0, 32767, 127, 1, 0);
        assertThat(edge.integerExact()).isTrue();
        float[][] form = edge.int8FmaForm();
        assertThat(form).isNotNull();
        assertThat(form[0]).containsExactly(32767f);
        assertThat(form[1]).containsExactly(127f);
        assertThat(form[2]).containsExactly(1f);
        // a -32767, b -127: the same Z.
        assertThat(one(0, -32767, -127, 1, 0).int8FmaForm()).isNotNull();
        // a 32768, b 0: Z = 2^22, Z * S = 2^22: null, while the integer path holds (2^22 < 2^23).
        BnConstants at = one(0, 32768, 0, 1, 0);
        assertThat(at.integerExact()).isTrue();
        assertThat(at.int8FmaForm()).isNull();
        // a 32767, b 128: Z = 2^22: null.
        assertThat(one(0, 32767, 128, 1, 0).integerExact()).isTrue();
        assertThat(one(0, 32767, 128, 1, 0).int8FmaForm()).isNull();
        // Through outShift: inShift 0, a 2047, b 7, q 1, outShift 4: A = 2047*16 = 32752,
        // C = 7*16 = 112, Z = 128*32752 + 112 = 4192368 < 2^22 (accepted); a 2048, b 0, outShift 4:
        // A = 32768, C = 0, Z = 128*32768 = 2^22 (null; the integer bound v << 4 = 2^22 < 2^23 holds).
        assertThat(one(0, 2047, 7, 1, 4).int8FmaForm()).isNotNull();
        assertThat(one(0, 2048, 0, 1, 4).integerExact()).isTrue();
        assertThat(one(0, 2048, 0, 1, 4).int8FmaForm()).isNull();
    }

    @Test
    void oneChannelPastTheBoundRefusesTheWholeForm() {
        // channel 0 is the K = 4 case above, channel 1 is Z = 2^24 + 1 at K = 1.
        BnConstants k = BnConstants.of(31, 7, new int[] {1, 0}, new long[] {-5, 65536}, new long[] {300, 0},
                new long[] {7, 1}, new int[] {-4, -1}, 7);
        assertThat(k.integerExact()).isTrue();
        assertThat(k.int8FmaForm()).isNull();
    }

    @Test
    void resultsOfMoreThan7ValueBitsOrNoIntegerPathGiveNull() {
        // the K = 4 case above, with an 8-bit output quantizer: iLo = -256, iHi = 255
        BnConstants eightBits = BnConstants.of(31, 7, new int[] {1}, new long[] {-5}, new long[] {300},
                new long[] {7}, new int[] {-4}, 8);
        assertThat(eightBits.integerExact()).isTrue();
        assertThat(eightBits.int8FmaForm()).isNull();
        // no output quantizer, 31-bit buffer: results of 31 value bits
        BnConstants noQuantizer = BnConstants.of(31, 7, new int[] {1}, new long[] {-5}, new long[] {300}, null,
                null, 7);
        assertThat(noQuantizer.integerExact()).isTrue();
        assertThat(noQuantizer.int8FmaForm()).isNull();
        // the integer path not proven: V = (128*4*127 + 4000)*255 = 17601120 > 2^24
        BnConstants notExact = one(2, 127, 4000, 255, -17);
        assertThat(notExact.integerExact()).isFalse();
        assertThat(notExact.int8FmaForm()).isNull();
        // Without an output quantizer the results have the buffer's value bits: with a 7-bit buffer
        // (3-bit inputs so that the integer bound holds: XS = 8, P = 24, S = 124 <= 127) they are
        // int8, and the form is M = a = 3, D = b = -100, S = 1.
        BnConstants sevenBitBuffer = BnConstants.of(7, 3, new int[] {0}, new long[] {3}, new long[] {-100}, null,
                null, 7);
        assertThat(sevenBitBuffer.integerExact()).isTrue();
        float[][] form = sevenBitBuffer.int8FmaForm();
        assertThat(form).isNotNull();
        assertThat(form[0]).containsExactly(3f);
        assertThat(form[1]).containsExactly(-100f);
        assertThat(form[2]).containsExactly(1f);
    }
}
