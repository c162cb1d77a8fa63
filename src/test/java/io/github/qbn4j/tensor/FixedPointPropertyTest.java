package io.github.qbn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.Seeds;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Properties of {@link FixedPoint}'s quantization and rescaling over seeded random inputs, each checked
 * against an exact reference in {@link BigDecimal}: the quantization error bound, the tie rules, the
 * saturation bounds and idempotence. Each property is a named run of {@link Seeds#run}: a failure names
 * its seed.
 */
@ExtendWith(Seeds.class)
class FixedPointPropertyTest {

    private static final int TRIALS = 5_000;
    private static final Shape ONE = Shape.of(1);

    private static BigDecimal pow2(int n) {
        return n >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(n)) : BigDecimal.ONE.divide(
                new BigDecimal(BigInteger.ONE.shiftLeft(-n)));
    }

    /** The saturation range of {@code vb} value bits as quantizeml stores it: [-2^vb, float32(2^vb - 1)]. */
    private static long upper(int vb) {
        return vb >= 25 ? 1L << vb : (1L << vb) - 1;
    }

    private static long saturate(BigInteger v, int vb) {
        BigInteger lo = BigInteger.ONE.shiftLeft(vb).negate();
        BigInteger hi = BigInteger.valueOf(upper(vb));
        return v.max(lo).min(hi).longValueExact();
    }

    /** A random float32 spread over many binades, both signs, sometimes an exact tie. */
    private static float randomFloat(SplittableRandom r, int fracBits) {
        switch (r.nextInt(4)) {
            case 0: // a tie: (k + 1/2) * 2^-fracBits
                return (float) ((r.nextInt(-1 << 20, 1 << 20) + 0.5) * Math.scalb(1.0, -fracBits));
            case 1: // an integer multiple of the step, or next to one
                return Math.nextAfter((float) (r.nextInt(-1 << 22, 1 << 22) * Math.scalb(1.0, -fracBits)),
                        r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
            default:
                return (float) (Math.scalb(r.nextDouble(-1, 1), r.nextInt(-20, 40)));
        }
    }

    @Test
    void quantizeRoundsHalfToEvenAndDequantizesWithinHalfAStep() {
        Seeds.run("quantize-error-bound", r -> {
            int unsaturated = 0;
            for (int t = 0; t < TRIALS; t++) {
                int vb = r.nextInt(1, 25);
                int fb = r.nextInt(-8, 24);
                float x = randomFloat(r, fb);
                FixedPoint q = FixedPoint.quantize(ONE, new float[] {x}, vb, FracBits.of(fb));
                long v = q.valueAt(0);
                // exact: x * 2^fb is a power-of-two scaling, exact in double; rint is round half to even
                double scaled = Math.scalb((double) x, fb);
                double rounded = Math.rint(scaled);
                boolean saturated = rounded > upper(vb) || rounded < -(1L << vb);
                if (saturated) {
                    assertThat(v).as("x=%s vb=%s fb=%s saturates", x, vb, fb)
                            .isEqualTo(rounded > 0 ? upper(vb) : -(1L << vb));
                    continue;
                }
                unsaturated++;
                if (Math.abs(scaled) >= 0x1p-126) {  // TensorFlow flushes subnormal products to zero
                    assertThat(v).as("x=%s vb=%s fb=%s rounds half to even", x, vb, fb).isEqualTo((long) rounded);
                }
                double dequantized = q.toFloat()[0];
                assertThat(Math.abs(x - dequantized)).as("x=%s vb=%s fb=%s: |x - dequant(quantize(x))|", x, vb, fb)
                        .isLessThanOrEqualTo(Math.scalb(0.5, -fb));
            }
            assertThat(unsaturated).isGreaterThan(TRIALS / 4);
        });
    }

    @Test
    void quantizingIsIdempotentAndStaysInTheSaturationRange() {
        Seeds.run("saturation-idempotence", r -> {
            for (int t = 0; t < TRIALS; t++) {
                int vb = r.nextInt(0, 32);
                int fb = r.nextInt(-8, 24);
                float[] x = {randomFloat(r, fb), (float) Math.scalb(r.nextDouble(-1, 1), r.nextInt(0, 60)),
                    r.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE};
                Shape s = Shape.of(3);
                FixedPoint q = FixedPoint.quantize(s, x, vb, FracBits.of(fb));
                for (int i = 0; i < 3; i++) {
                    assertThat(q.valueAt(i)).isBetween(-(1L << vb), upper(vb));
                }
                // saturating a saturated value changes nothing, and re-quantizing the dequantized tensor
                // gives it back (when 2^-fb does not push a value out of float32)
                FixedPoint again = FixedPoint.quantize(s, q.toFloat(), vb, FracBits.of(fb));
                if (vb + Math.max(0, -fb) < 120) {
                    assertThat(again).as("vb=%s fb=%s x=%s", vb, fb, java.util.Arrays.toString(x)).isEqualTo(q);
                }
                assertThat(FixedPoint.of(s, q.copyValues(), vb, FracBits.of(fb))).isEqualTo(q);
                // a rescale by zero bits is the identity below 2^23 (past it, float32(v + 0.5) rounds odd v up);
                // quantizeml refuses even a zero shift into 0 value bits
                if (vb > 0 && vb <= 23) {
                    assertThat(q.promote(31).rescale(FracBits.of(fb), vb).copyValues()).containsExactly(q.copyValues());
                }
            }
        });
    }

    /** {@code floor(v * 2^s + 1/2)}, computed exactly, then saturated. */
    private static long rescaleReference(long v, int s, int vbOut) {
        BigDecimal exact = BigDecimal.valueOf(v).multiply(pow2(s)).add(new BigDecimal("0.5"));
        return saturate(exact.setScale(0, RoundingMode.FLOOR).toBigIntegerExact(), vbOut);
    }

    private static long randomValue(SplittableRandom r, int vb) {
        long v;
        switch (r.nextInt(3)) {
            case 0:
                v = r.nextLong(-(1L << vb), upper(vb) + 1);
                break;
            case 1: // small odd values: ties after a right shift by one
                v = 2 * r.nextLong(-64, 64) + 1;
                break;
            default: // at a power of two, +/- 0..2
                v = (r.nextBoolean() ? 1 : -1) * (1L << r.nextInt(0, vb + 1)) + r.nextInt(-2, 3);
                break;
        }
        v = Math.max(-(1L << vb), Math.min(upper(vb), v));
        return (long) (float) v == v ? v : (long) (float) v;  // float32 holds every stored value
    }

    @Test
    void rescaleRoundsHalfUpExactlyWhereFloat32IsExact() {
        Seeds.run("rescale-exact", r -> {
            int checked = 0;
            int ties = 0;
            while (checked < TRIALS) {
                int vb = r.nextInt(1, 32);
                int fb = r.nextInt(-10, 20);
                int vbOut = r.nextInt(1, 32);
                int target = fb + r.nextInt(-30, vbOut);  // shifts below vbOut: quantizeml refuses the others
                long v = randomValue(r, vb);
                double magnitude = Math.abs(Math.scalb((double) v, target - fb));
                if (magnitude >= 0x1p23) {
                    continue;  // the float32 formula is not exact there: see the next property
                }
                FixedPoint x = FixedPoint.of(ONE, new long[] {v}, vb, FracBits.of(fb));
                long actual = x.rescale(FracBits.of(target), vbOut).valueAt(0);
                assertThat(actual).as("v=%s fb %s -> %s, vbOut %s", v, fb, target, vbOut)
                        .isEqualTo(rescaleReference(v, target - fb, vbOut));
                if (target < fb && BigDecimal.valueOf(v).multiply(pow2(target - fb)).remainder(BigDecimal.ONE).abs()
                        .compareTo(new BigDecimal("0.5")) == 0) {
                    ties++;
                }
                checked++;
            }
            assertThat(ties).as("ties seen").isGreaterThan(100);
        });
    }

    @Test
    void rescaleFollowsTheFloat32FormulaPast2To23() {
        Seeds.run("rescale-float32", r -> {
            int checked = 0;
            while (checked < TRIALS / 4) {
                int vb = r.nextInt(24, 32);
                int fb = r.nextInt(-4, 8);
                int vbOut = 31;
                int target = fb + r.nextInt(-6, 8);
                long v = randomValue(r, vb);
                float shifted = (float) Math.scalb((double) v, target - fb);  // exact: a power of two
                if (Math.abs(shifted) < 0x1p23f) {
                    continue;
                }
                // float32(x + 0.5), floor, saturate: the rounding of the sum is quantizeml's, not exact
                float sum = shifted + 0.5f;
                long expected = saturate(BigInteger.valueOf((long) Math.floor(sum)), vbOut);
                long actual = FixedPoint.of(ONE, new long[] {v}, vb, FracBits.of(fb))
                        .rescale(FracBits.of(target), vbOut).valueAt(0);
                assertThat(actual).as("v=%s fb %s -> %s", v, fb, target).isEqualTo(expected);
                checked++;
            }
        });
    }

    @Test
    void upscaleIsAnExactSaturatingLeftShift() {
        Seeds.run("upscale-exact", r -> {
            for (int t = 0; t < TRIALS; t++) {
                int vb = r.nextInt(1, 24);
                int fb = r.nextInt(-10, 20);
                int vbOut = r.nextInt(vb, 32);
                int target = fb + r.nextInt(0, vbOut);
                long v = randomValue(r, vb);
                long expected = saturate(BigInteger.valueOf(v).shiftLeft(target - fb), vbOut);
                if (Math.abs(expected) > (1L << 24) && expected != upper(vbOut) && expected != -(1L << vbOut)) {
                    // float32 keeps 24 bits: v * 2^s is still exact (v has at most 24 significant bits)
                    assertThat(BigInteger.valueOf(expected).getLowestSetBit()).isGreaterThanOrEqualTo(0);
                }
                long actual = FixedPoint.of(ONE, new long[] {v}, vb, FracBits.of(fb))
                        .upscale(FracBits.of(target), vbOut).valueAt(0);
                assertThat(actual).as("v=%s fb %s -> %s, vbOut %s", v, fb, target, vbOut).isEqualTo(expected);
            }
        });
    }
}
