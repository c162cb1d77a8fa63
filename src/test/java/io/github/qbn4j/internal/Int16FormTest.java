package io.github.qbn4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link BnConstants#int16Form()}, the 16-bit-lane form of the integer fast path for int8 inputs and
 * results, and the vector kernel's loop that uses it. Exhaustive: for every configuration of the
 * sweep on which the form is proven, every channel and every one of the 256 int8 inputs, the form
 * evaluated in Java {@code short} arithmetic (which wraps as the lanes do, and is checked not to)
 * must give {@link IntegerKernel}'s byte; and the vector kernel must give {@link IntegerKernel}'s
 * bytes for channel counts 1 to 70 (one period in registers or read from tables) and every
 * whole-pixel count 1 to 256 (every scalar tail).
 *
 * <p>Randomness as in {@link Int8FmaFormTest}: a base seed ({@code -Dqbn4j.seed=...} or a fixed
 * default), from which each configuration derives its own; a failure names the seed.
 */
class Int16FormTest {

    private static final long BASE = Long.getLong("qbn4j.seed", 0x5EED_B4L);
    private static final int MAX_CHANNELS = 70;
    private static final int CONFIGS_PER_CHANNEL_COUNT = 6;

    /** One seeded random configuration: the arguments of {@link BnConstants#of}. */
    private static final class Config {
        final String name;
        final long seed;
        final int[] inShift;
        final long[] a;
        final long[] b;
        final long[] q;
        final int[] outShift;

        Config(String name, long seed, int[] inShift, long[] a, long[] b, long[] q, int[] outShift) {
            this.name = name;
            this.seed = seed;
            this.inShift = inShift;
            this.a = a;
            this.b = b;
            this.q = q;
            this.outShift = outShift;
        }

        BnConstants constants() {
            return BnConstants.of(31, 7, inShift, a, b, q, outShift, 7);
        }

        String channel(int c) {
            return "channel " + c + " (inShift " + inShift[c] + ", a " + a[c] + ", b " + b[c] + ", q " + q[c]
                    + ", outShift " + outShift[c] + ")";
        }

        @Override
        public String toString() {
            return name + " (seed " + seed + ", -Dqbn4j.seed=" + BASE + ")";
        }
    }

    /**
     * A 32-bit buffer, int8 inputs and results, per channel: inShift 0..2, a within +-aMax, b within
     * +-bMax, q 1..qMax, and an output shift that maps the input range near the output range, give or
     * take a factor 8 (slopes from about 1/16 to 8: large slopes clamp the input), sometimes 0..3.
     * The maxima are drawn per configuration, so that some configurations pass the 16-bit bound on
     * every channel and some fail it on one.
     */
    private static Config randomConfig(int channels, int index) {
        String name = "C=" + channels + " config " + index;
        long seed = BASE * 31 + ("int16/" + name).hashCode();
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
                long bigA = Math.abs(a[c] * q[c]) << inShift[c];
                int bits = 64 - Long.numberOfLeadingZeros(bigA);
                outShift[c] = -Math.max(1, Math.min(20, bits + r.nextInt(-4, 4)));
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

    /**
     * The form of channel {@code c} on input {@code x}, one 16-bit lane operation at a time in Java
     * {@code short} arithmetic (which wraps modulo 2^16, as the lanes do); each step is also done in
     * {@code int} and must be equal, which is the bound's claim that nothing wraps.
     */
    private static byte formValue(BnConstants k, short[][] form, int c, int x, String what) {
        int xc = Math.min(Math.max(x, form[4][c]), form[5][c]);
        short x16 = (short) xc;
        short p0 = (short) (x16 * form[0][c]);
        short s0 = (short) (p0 + form[1][c]);
        short t = (short) (s0 >> 8);
        short p1 = (short) (x16 * form[2][c]);
        short s1 = (short) (p1 + form[3][c]);
        short s2 = (short) (s1 + t);
        short r = (short) (s2 >> form[6][0]);
        int wide0 = xc * form[0][c] + form[1][c];
        int wide1 = xc * form[2][c];
        int wide2 = wide1 + form[3][c];
        int wide3 = wide2 + (wide0 >> 8);
        if (s0 != wide0 || p1 != wide1 || s1 != wide2 || s2 != wide3) {
            fail("%s, input %d: a 16-bit step wraps: %d %d %d %d against %d %d %d %d", what, x, s0, p1, s1, s2, wide0,
                    wide1, wide2, wide3);
        }
        int clipped = Math.min(Math.max(r, k.iLo), k.iHi);
        return (byte) clipped;
    }

    /** The integer kernel on every int8 input of channel {@code c}: element {@code x + 128}. */
    private static byte[] integerKernelBytes(BnConstants k, int c) {
        int channels = k.channels;
        byte[] in = new byte[256 * channels];
        for (int x = 0; x < 256; x++) {
            in[x * channels + c] = (byte) (x - 128);
        }
        byte[] out = new byte[in.length];
        new IntegerKernel(k).bytes(in, 0, out, 0, in.length);
        byte[] column = new byte[256];
        for (int x = 0; x < 256; x++) {
            column[x] = out[x * channels + c];
        }
        return column;
    }

    private static void checkEveryInput(BnConstants k, short[][] form, String what,
            java.util.function.IntFunction<String> channelInfo) {
        for (int c = 0; c < k.channels; c++) {
            byte[] expected = integerKernelBytes(k, c);
            for (int x = -128; x <= 127; x++) {
                String where = what + " " + channelInfo.apply(c);
                byte got = formValue(k, form, c, x, where);
                if (got != expected[x + 128]) {
                    fail("%s, input %d: 16-bit form %d, integer kernel %d (A0 %d, C0 %d, A1 %d, C1 %d, xLo %d, xHi %d,"
                            + " F %d)", where, x, got, expected[x + 128], form[0][c], form[1][c], form[2][c],
                            form[3][c], form[4][c], form[5][c], form[6][0]);
                }
            }
        }
    }

    @Test
    void everyInputOfEveryChannelMatchesTheIntegerKernelAndTheSweepReachesEveryCase() {
        int notExact = 0;
        int withForm = 0;
        int withoutForm = 0;
        int clamped = 0;
        int scaled = 0;
        for (Config config : sweep()) {
            BnConstants k = config.constants();
            short[][] form = k.int16Form();
            if (!k.integerExact()) {
                assertThat(form).as("%s: form without the integer path", config).isNull();
                notExact++;
                continue;
            }
            if (form == null) {
                withoutForm++;
                continue;
            }
            withForm++;
            checkEveryInput(k, form, config.toString(), config::channel);
            boolean anyClamp = false;
            boolean anyScaled = false;
            for (int c = 0; c < k.channels; c++) {
                anyClamp |= form[4][c] > -128 || form[5][c] < 127;
                anyScaled |= k.iK[c] < form[6][0];
            }
            clamped += anyClamp ? 1 : 0;
            scaled += anyScaled ? 1 : 0;
        }
        System.out.printf("Int16FormTest sweep: %d configurations, integer path not proven %d, 16-bit form %d "
                + "(with an input clamp %d, with a channel scaled to F %d), integer path without 16-bit form %d%n",
                MAX_CHANNELS * CONFIGS_PER_CHANNEL_COUNT, notExact, withForm, clamped, scaled, withoutForm);
        assertThat(withForm).as("configurations on the 16-bit form").isGreaterThan(0);
        assertThat(withoutForm).as("configurations on the integer path but not the 16-bit form").isGreaterThan(0);
        assertThat(clamped).as("configurations whose form clamps an input").isGreaterThan(0);
        assertThat(scaled).as("configurations with a channel scaled to F").isGreaterThan(0);
    }

    @Test
    void vectorBytesMatchTheIntegerKernelForChannelCounts1To70() {
        Assumptions.assumeTrue(Kernels.vectorAvailable(), Kernels.vectorStatus());
        int compared = 0;
        for (Config config : sweep()) {
            BnConstants k = config.constants();
            if (k.int16Form() != null) {
                SplittableRandom r = new SplittableRandom(config.seed);
                Int8FmaFormTest.compareVectorBytes(k, k, config.toString(), config::channel, 1 + r.nextInt(40),
                        1 + r.nextInt(40));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(0);
    }

    private static BnConstants one(int inShift, long a, long b, long q, int outShift) {
        return BnConstants.of(31, 7, new int[] {inShift}, new long[] {a}, new long[] {b}, new long[] {q},
                new int[] {outShift}, 7);
    }

    @Test
    void aChannelByHand() {
        // inShift 0, a 14319, b 100104, q 1, outShift -13: A = 14319, C = 100104 + 2^12 = 104200, K = 13
        // (integer bound: V = 128*14319 + 100104 = 1932936, V + 2^12 <= 2^24).
        // F = max(0, 13 - 8) = 5, s = 8: A1 = 14319 >> 8 = 55, a0 = 14319 - 55*256 = 239 = A0;
        // C1 = 104200 >> 8 = 407, c0 = 104200 - 407*256 = 8 = C0.
        // Input clamp: f(x) = floor((14319x + 104200) / 8192); f(65) = floor(1034935 / 8192) = 126,
        // f(66) = floor(1049254 / 8192) = 128 (127 is skipped: the output clip stays), so xHi = 66;
        // f(-79) = floor(-1027001 / 8192) = -126, f(-80) = floor(-1041320 / 8192) = -128, so xLo = -80.
        // Bound: 80*55 + 407 + 128 = 4935 <= 32767.
        BnConstants k = one(0, 14319, 100104, 1, -13);
        assertThat(new int[] {k.iA[0], k.iC[0], k.iK[0]}).containsExactly(14319, 104200, 13);
        short[][] form = k.int16Form();
        assertThat(form).isNotNull();
        assertThat(new short[] {form[0][0], form[1][0], form[2][0], form[3][0], form[4][0], form[5][0], form[6][0]})
                .containsExactly(239, 8, 55, 407, -80, 66, 5);
        // x = 37: t = (37*239 + 8) >> 8 = 8851 >> 8 = 34; r = (37*55 + 407 + 34) >> 5 = 2476 >> 5 = 77;
        // directly: (37*14319 + 104200) >> 13 = 634003 >> 13 = 77.
        assertThat(formValue(k, form, 0, 37, "x = 37")).isEqualTo((byte) 77);
        assertThat((37 * k.iA[0] + k.iC[0]) >> k.iK[0]).isEqualTo(77);
        // x = 100 is clamped to 66: r = f(66) = 128, clipped to 127, as f(100) is.
        assertThat(formValue(k, form, 0, 100, "x = 100")).isEqualTo((byte) 127);
        checkEveryInput(k, form, "by hand", c -> "channel 0");
    }

    @Test
    void aChannelWithASmallerShiftIsScaledToF() {
        // Channel 0: a 14319, b 100104, outShift -13 (K = 13, as above), so F = 5.
        // Channel 1: inShift 0, a 3, b 5, q 1, outShift -2: A = 3, C = 5 + 2 = 7, K = 2 < F, scaled
        // by 2^3: A = 24, C = 56, K = 5, s = 0: A1 = 24, C1 = 56, A0 = C0 = 0.
        // f(x) = floor((3x + 7) / 4): f(40) = floor(127 / 4) = 31, never saturates: xLo = -128 (f(-128) =
        // floor(-377 / 4) = -95 > -128: none, -128), xHi = 127. Bound: 128*24 + 56 + 128 = 3256.
        BnConstants k = BnConstants.of(31, 7, new int[] {0, 0}, new long[] {14319, 3}, new long[] {100104, 5},
                new long[] {1, 1}, new int[] {-13, -2}, 7);
        short[][] form = k.int16Form();
        assertThat(form).isNotNull();
        assertThat(form[6]).containsExactly((short) 5);
        assertThat(new short[] {form[0][1], form[1][1], form[2][1], form[3][1], form[4][1], form[5][1]})
                .containsExactly(0, 0, 24, 56, -128, 127);
        // x = 40: r = (40*24 + 56 + 0) >> 5 = 1016 >> 5 = 31
        assertThat(formValue(k, form, 1, 40, "x = 40")).isEqualTo((byte) 31);
        checkEveryInput(k, form, "scaled", c -> "channel " + c);
    }

    @Test
    void theBoundIsAcceptedAt32767AndRefusedAt32768() {
        // inShift 0, a 256, q 1, outShift -8: A = 256, K = 8, F = 0, s = 8: A1 = 1, A0 = 0.
        // b = 32511*256: C = b + 128, C1 = 32511, C0 = 128. f(x) = x + 32511 >= 127 for every x, so
        // xHi = -128 and xLo = -128 (none <= -128): X = 128, bound 128*1 + 32511 + 128 = 32767.
        // (Integer bound: V = 128*256 + 8322816 = 8355584, V + 128 <= 2^24.)
        BnConstants at = one(0, 256, 32511L * 256, 1, -8);
        assertThat(at.integerExact()).isTrue();
        short[][] form = at.int16Form();
        assertThat(form).isNotNull();
        assertThat(new short[] {form[0][0], form[1][0], form[2][0], form[3][0], form[4][0], form[5][0], form[6][0]})
                .containsExactly(0, 128, 1, 32511, -128, -128, 0);
        checkEveryInput(at, form, "bound 32767", c -> "channel 0");
        // b = 32512*256: C1 = 32512, bound 32768: refused, though the integer path holds.
        BnConstants past = one(0, 256, 32512L * 256, 1, -8);
        assertThat(past.integerExact()).isTrue();
        assertThat(past.int16Form()).isNull();
        // negative: b = -32511*256: C = -32511*256 + 128, C1 = -32511, C0 = 128; f(x) = x - 32511 <= -128
        // for every x: xLo = 127 (the greatest x with f(x) <= -128), xHi = 127 (none with f(x) >= 127):
        // X = 127, bound 127*1 + 32511 + 128 = 32766.
        BnConstants negative = one(0, 256, -32511L * 256, 1, -8);
        short[][] negativeForm = negative.int16Form();
        assertThat(negativeForm).isNotNull();
        assertThat(new short[] {negativeForm[2][0], negativeForm[3][0], negativeForm[4][0], negativeForm[5][0]})
                .containsExactly(1, -32511, 127, 127);
        checkEveryInput(negative, negativeForm, "bound 32766", c -> "channel 0");
        // b = -32513*256: C1 = -32513, X = 127: 127 + 32513 + 128 = 32768, refused.
        BnConstants negativePast = one(0, 256, -32513L * 256, 1, -8);
        assertThat(negativePast.integerExact()).isTrue();
        assertThat(negativePast.int16Form()).isNull();
    }

    @Test
    void resultsOfMoreThan7ValueBitsOrNoIntegerPathOrTooLargeAShiftGiveNull() {
        // the channel by hand, with an 8-bit output quantizer: iLo = -256, iHi = 255
        BnConstants eightBits = BnConstants.of(31, 7, new int[] {0}, new long[] {14319}, new long[] {100104},
                new long[] {1}, new int[] {-13}, 8);
        assertThat(eightBits.integerExact()).isTrue();
        assertThat(eightBits.int16Form()).isNull();
        // no integer path: V = (128*4*127 + 4000)*255 = 17601120 > 2^24
        BnConstants notExact = one(2, 127, 4000, 255, -17);
        assertThat(notExact.integerExact()).isFalse();
        assertThat(notExact.int16Form()).isNull();
        // K = 24 gives F = 16 > 15: a 1, b 0, outShift -24 (V + 2^23 <= 2^24 holds)
        BnConstants wideShift = one(0, 1, 0, 1, -24);
        assertThat(wideShift.integerExact()).isTrue();
        assertThat(wideShift.int16Form()).isNull();
        // K = 23: F = 15, accepted; f(x) = floor((x + 2^22) / 2^23) = 0 for every int8 x
        short[][] edge = one(0, 1, 0, 1, -23).int16Form();
        assertThat(edge).isNotNull();
        assertThat(edge[6]).containsExactly((short) 15);
        checkEveryInput(one(0, 1, 0, 1, -23), edge, "K = 23", c -> "channel 0");
        // withoutInt16Form: the same constants, no form
        assertThat(one(0, 14319, 100104, 1, -13).withoutInt16Form().int16Form()).isNull();
    }
}
