package io.github.qbn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Expected values are either worked out in the comments or printed by quantizeml 0.5.2
 * (src/test/resources/reference/unit_reference.txt, quoted by its tag).
 */
class FixedPointTest {

    private static final Shape FOUR = Shape.of(4);

    @Test
    void roundsTiesToEvenWhenQuantizing() {
        // unit_reference "quantize_ties": [2, 4, -2, 0, 127, -128]
        FixedPoint q = FixedPoint.quantize(Shape.of(6), new float[] {2.5f, 3.5f, -2.5f, -0.5f, 200f, -300f}, 7,
                FracBits.of(0));
        assertThat(q.copyValues()).containsExactly(2, 4, -2, 0, 127, -128);
    }

    @Test
    void quantizeScalesByFracBitsBeforeRounding() {
        // 0.3 * 2^4 = 4.8 -> 5; -0.28125 * 16 = -4.5 -> -4 (even); per-axis fb [4, 1]: 0.75 * 2 = 1.5 -> 2
        FixedPoint q = FixedPoint.quantize(Shape.of(2, 2), new float[] {0.3f, 0.75f, -0.28125f, 1.25f}, 7,
                FracBits.perAxis(4, 1));
        assertThat(q.copyValues()).containsExactly(5, 2, -4, 2);
        assertThat(q.fracBits()).isEqualTo(FracBits.perAxis(4, 1));
    }

    @Test
    void rescaleRoundsHalfUpTowardPositiveInfinity() {
        // unit_reference "rescale_half_up": [5, -5, -7, 3] / 2 = [2.5, -2.5, -3.5, 1.5] -> [3, -2, -3, 2]
        FixedPoint x = FixedPoint.of(FOUR, new int[] {5, -5, -7, 3}, 31, FracBits.of(1));
        FixedPoint y = x.rescale(FracBits.of(0), 7);
        assertThat(y.copyValues()).containsExactly(3, -2, -3, 2);
        assertThat(y.valueBits()).isEqualTo(7);
        assertThat(y.fracBits()).isEqualTo(FracBits.of(0));
    }

    @Test
    void rescaleSaturatesToTheTargetValueBits() {
        FixedPoint x = FixedPoint.of(Shape.of(2), new int[] {1000, -1000}, 31, FracBits.of(2));
        assertThat(x.rescale(FracBits.of(0), 7).copyValues()).containsExactly(127, -128); // 250, -250
    }

    @Test
    void rescaleRefusesShiftsThatAlwaysSaturate() {
        FixedPoint x = FixedPoint.of(FOUR, new int[] {1, 2, 3, 4}, 31, FracBits.of(0));
        assertThatThrownBy(() -> x.rescale(FracBits.of(7), 7))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT))
                .hasMessageContaining("shift must be < 7").hasMessageContaining("got 7");
        assertThat(x.rescale(FracBits.of(6), 7).copyValues()).containsExactly(64, 127, 127, 127);
    }

    @Test
    void saturatesAtFloat32BoundsOnConstructionFromOperations() {
        // unit_reference "saturate31": clipping a 31-bit tensor keeps +2^31 (float32(2^31 - 1) = 2^31)
        FixedPoint big = FixedPoint.of(Shape.of(1), new long[] {1L << 30}, 31, FracBits.of(0));
        FixedPoint doubled = big.upscale(FracBits.of(2), 31); // 2^32 -> clipped to 2^31
        assertThat(doubled.copyValues()).containsExactly(1L << 31);
    }

    @Test
    void acceptsTheFloat32UpperBoundOnlyFrom25ValueBits() {
        assertThat(FixedPoint.of(Shape.of(1), new long[] {1L << 31}, 31, FracBits.of(0)).valueAt(0))
                .isEqualTo(1L << 31);
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(1), new long[] {1L << 24}, 24, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[-16777216, 16777215]");
    }

    @Test
    void refusesValuesThatFloat32CannotHold() {
        // 2^24 + 1 has no float32; quantizeml would silently round it.
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(1), new long[] {(1L << 24) + 1}, 31, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float32 holds exactly")
                .hasMessageContaining("16777217");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 8, 15, 16, 23, 24})
    void boundariesAroundPowersOfTwoSaturateExactly(int k) {
        // values 2^k + {-2..2} and their negatives, quantized with k value bits: the range is
        // [-2^k, 2^k - 1], so 2^k - 2 and 2^k - 1 stay, 2^k .. 2^k + 2 clip to 2^k - 1.
        long p = 1L << k;
        float[] x = {p - 2, p - 1, p, p + 1, p + 2, -p + 1, -p, -p - 1, -p - 2};
        FixedPoint q = FixedPoint.quantize(Shape.of(x.length), x, k, FracBits.of(0));
        long hi = p - 1;
        assertThat(q.copyValues()).containsExactly(Math.max(p - 2, -p), hi, hi, hi, hi, -p + 1, -p, -p, -p);
    }

    @Test
    void promoteKeepsValuesAndRefusesFewerBits() {
        FixedPoint x = FixedPoint.of(Shape.of(2), new int[] {-128, 127}, 7, FracBits.of(3));
        FixedPoint p = x.promote(31);
        assertThat(p.copyValues()).containsExactly(-128, 127);
        assertThat(p.valueBits()).isEqualTo(31);
        assertThat(p.fracBits()).isEqualTo(FracBits.of(3));
        assertThatThrownBy(() -> p.promote(7)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR))
                .hasMessage("bits must be >= the current 31 value bits to promote (use a quantizer to reduce them), got 7");
        assertThatThrownBy(() -> x.promote(-1)).isInstanceOf(QuantizationException.class);
    }

    @Test
    void expandAlignsChannelsOnTheLargestFracBits() {
        // unit_reference "expand": [[3, -5]] fb [1, 4] -> [[24, -5]] fb 4 (3 << 3)
        FixedPoint x = FixedPoint.of(Shape.of(1, 2), new int[] {3, -5}, 7, FracBits.perAxis(1, 4));
        FixedPoint e = x.expand(31);
        assertThat(e.copyValues()).containsExactly(24, -5);
        assertThat(e.fracBits()).isEqualTo(FracBits.of(4));
        assertThat(e.valueBits()).isEqualTo(31);
        assertThat(e.isPerTensor()).isTrue();
    }

    @Test
    void expandRefusesFewerValueBitsAndSpreadsAsWideAsTheBuffer() {
        FixedPoint x = FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.perAxis(0, 31));
        assertThatThrownBy(() -> x.expand(6)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR));
        assertThatThrownBy(() -> x.expand(31)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT))
                .hasMessageContaining("got 31 at channel 0");
        FixedPoint ok = FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.perAxis(0, 30)).expand(31);
        assertThat(ok.copyValues()).containsExactly(1L << 30, 1);
    }

    @Test
    void upscaleRefusesLowerPrecision() {
        FixedPoint x = FixedPoint.of(Shape.of(2), new int[] {1, 2}, 7, FracBits.of(3));
        assertThatThrownBy(() -> x.upscale(FracBits.of(2), 31)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT));
        assertThat(x.upscale(FracBits.of(5), 31).copyValues()).containsExactly(4, 8);
    }

    @Test
    void downscaleRoundsHalfUpAndRefusesHigherPrecision() {
        FixedPoint x = FixedPoint.of(Shape.of(3), new int[] {6, -6, 5}, 15, FracBits.of(2));
        // 6/4 = 1.5 -> 2, -1.5 -> -1, 1.25 -> 1
        assertThat(x.downscale(FracBits.of(0)).copyValues()).containsExactly(2, -1, 1);
        assertThatThrownBy(() -> x.downscale(FracBits.of(3))).isInstanceOf(QuantizationException.class);
    }

    @Test
    void alignUpscalesToTheChannelWiseMaximum() {
        FixedPoint x = FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.perAxis(1, 3));
        FixedPoint other = FixedPoint.of(Shape.of(1, 2), new int[] {0, 0}, 7, FracBits.of(2));
        FixedPoint a = x.align(other, 15);
        assertThat(a.fracBits()).isEqualTo(FracBits.perAxis(2, 3));
        assertThat(a.copyValues()).containsExactly(2, 1);
    }

    @Test
    void addRequiresEqualFracBitsAndSaturatesToTheLeftOperand() {
        FixedPoint a = FixedPoint.of(Shape.of(2), new int[] {100, -100}, 7, FracBits.of(1));
        FixedPoint b = FixedPoint.of(Shape.of(2), new int[] {100, -100}, 31, FracBits.of(1));
        assertThat(a.add(b).copyValues()).containsExactly(127, -128);
        assertThat(b.add(a).copyValues()).containsExactly(200, -200);
        assertThat(b.subtract(a).copyValues()).containsExactly(0, 0);
        FixedPoint c = FixedPoint.of(Shape.of(2), new int[] {1, 1}, 31, FracBits.of(2));
        assertThatThrownBy(() -> b.add(c)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT))
                .hasMessageContaining("not aligned");
    }

    @Test
    void addBroadcastsAChannelVector() {
        FixedPoint x = FixedPoint.of(Shape.of(2, 2), new int[] {1, 2, 3, 4}, 31, FracBits.of(0));
        FixedPoint b = FixedPoint.of(Shape.of(2), new int[] {10, 20}, 31, FracBits.of(0));
        assertThat(x.add(b).copyValues()).containsExactly(11, 22, 13, 24);
        assertThat(x.add(b).shape()).isEqualTo(Shape.of(2, 2));
        FixedPoint wrong = FixedPoint.of(Shape.of(3), new int[] {1, 2, 3}, 31, FracBits.of(0));
        assertThatThrownBy(() -> x.add(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 2] and [3]");
    }

    @Test
    void multiplyKeepsTheLeftValueBitsAndAddsFracBits() {
        FixedPoint x = FixedPoint.of(Shape.of(2), new int[] {100, -3}, 7, FracBits.of(2));
        FixedPoint y = FixedPoint.of(Shape.of(2), new int[] {2, 5}, 31, FracBits.perAxis(1, 3));
        FixedPoint p = x.multiply(y);
        assertThat(p.copyValues()).containsExactly(127, -15); // 200 saturates to 127
        assertThat(p.fracBits()).isEqualTo(FracBits.perAxis(3, 5));
        assertThat(p.valueBits()).isEqualTo(7);
    }

    @Test
    void multiplyRoundsProductsPast2To24AsFloat32() {
        // 16777215 * 127 = 2130706305 has no float32; the nearest is 2130706304 (unit_reference "big").
        FixedPoint x = FixedPoint.of(Shape.of(1), new long[] {16777215}, 31, FracBits.of(0));
        FixedPoint a = FixedPoint.of(Shape.of(1), new long[] {127}, 7, FracBits.of(0));
        assertThat(x.multiply(a).valueAt(0)).isEqualTo(2130706304L);
    }

    @Test
    void multiplyByQFloatRequiresAPerTensorFixedPoint() {
        FixedPoint perAxis = FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.perAxis(1, 2));
        QFloat a = QFloat.of(FixedPoint.of(Shape.of(2), new int[] {3, 4}, 7, FracBits.of(0)), Scales.of(0.5f));
        assertThatThrownBy(() -> perAxis.multiply(a)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT))
                .hasMessageContaining("must be per-tensor");
        FixedPoint oneChannelVector = FixedPoint.of(Shape.of(1, 1), new int[] {2}, 7, FracBits.perAxis(1));
        QFloat one = QFloat.of(FixedPoint.of(Shape.of(1), new int[] {3}, 7, FracBits.of(0)), Scales.of(0.5f));
        assertThat(oneChannelVector.multiply(one).copyValues()).containsExactly(6);
    }

    @Test
    void toFloatDividesByPowersOfTwo() {
        FixedPoint x = FixedPoint.of(Shape.of(1, 2), new int[] {10, -20}, 7, FracBits.perAxis(2, -1));
        assertThat(x.toFloat()).containsExactly(2.5f, -40f);
    }

    @Test
    void maxFracBitsFollowsTheFloat32Logarithm() {
        // unit_reference "max_frac_bits": 8.0 -> 4, 8.000001 -> 4, 8.000002 -> 3; range 0 -> 7
        assertThat(FixedPoint.maxFracBits(7, 8f)).isEqualTo(4);
        assertThat(FixedPoint.maxFracBits(7, 8.000001f)).isEqualTo(4);
        assertThat(FixedPoint.maxFracBits(7, 8.000002f)).isEqualTo(3);
        assertThat(FixedPoint.maxFracBits(7, 0f)).isEqualTo(7);
        assertThat(FixedPoint.maxFracBits(7, 4096f)).isEqualTo(-5);
        assertThatThrownBy(() -> FixedPoint.maxFracBits(7, -1f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("range must be finite and >= 0, got -1.0");
    }

    @Test
    void equalityComparesRepresentationNotRealValue() {
        FixedPoint a = FixedPoint.of(Shape.of(1), new int[] {2}, 7, FracBits.of(1));
        FixedPoint b = FixedPoint.of(Shape.of(1), new int[] {4}, 7, FracBits.of(2));
        assertThat(a.toFloat()).containsExactly(b.toFloat());
        assertThat(a).isNotEqualTo(b);
        assertThat(a).isEqualTo(FixedPoint.of(Shape.of(1), new int[] {2}, 7, FracBits.of(1)));
        assertThat(a).isNotEqualTo(FixedPoint.of(Shape.of(1), new int[] {2}, 7, FracBits.perAxis(1)));
        assertThat(a.hashCode()).isEqualTo(FixedPoint.of(Shape.of(1), new int[] {2}, 7, FracBits.of(1)).hashCode());
    }

    @Test
    void zeroFromNegativeRoundingEqualsPositiveZero() {
        FixedPoint q = FixedPoint.quantize(Shape.of(1), new float[] {-0.25f}, 7, FracBits.of(0));
        assertThat(q).isEqualTo(FixedPoint.of(Shape.of(1), new int[] {0}, 7, FracBits.of(0)));
    }

    @Test
    void validatesArguments() {
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(2), new int[] {1}, 7, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("values must have 2 elements for shape [2], got 1");
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(1, 2), new int[] {1, 2}, 7, FracBits.perAxis(1, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one entry per channel (2");
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(1), new int[] {1}, 40, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("valueBits must be in [0, 39], got 40");
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(1), new int[] {128}, 7, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 128 at (0)");
        assertThatThrownBy(() -> FixedPoint.quantize(Shape.of(1), new float[] {Float.NaN}, 7, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("x must be finite, got NaN at index 0");
        assertThatThrownBy(() -> FixedPoint.of(null, new int[0], 7, FracBits.of(0)))
                .isInstanceOf(NullPointerException.class).hasMessage("shape");
    }

    @Test
    void valuesAreCopiedInAndOut() {
        long[] v = {1, 2};
        FixedPoint x = FixedPoint.of(Shape.of(2), v, 7, FracBits.of(0));
        v[0] = 99;
        long[] out = x.copyValues();
        out[1] = 99;
        assertThat(x.copyValues()).containsExactly(1, 2);
    }

    @Test
    void toStringIsShortAndDeterministic() {
        FixedPoint x = FixedPoint.of(Shape.of(1, 10), new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 7, FracBits.of(4));
        assertThat(x).hasToString("FixedPoint[shape=[1, 10], valueBits=7, fracBits=4, values=[1, 2, 3, 4, 5, 6, 7, 8, …]]");
    }

    @Test
    void buildsFromBytesAndShortsWithoutConversionLoops() {
        Shape shape = Shape.of(1, 2, 2);
        FixedPoint fromBytes = FixedPoint.of(shape, new byte[] {-128, -1, 0, 127}, 7, FracBits.of(3));
        FixedPoint fromShorts = FixedPoint.of(shape, new short[] {-128, -1, 0, 127}, 7, FracBits.of(3));
        FixedPoint fromLongs = FixedPoint.of(shape, new long[] {-128, -1, 0, 127}, 7, FracBits.of(3));
        assertThat(fromBytes).isEqualTo(fromLongs).isEqualTo(fromShorts).hasSameHashCodeAs(fromLongs);
        assertThat(fromBytes.copyValuesAsInt()).containsExactly(-128, -1, 0, 127);
        assertThat(fromBytes.copyValuesAsByte()).containsExactly(-128, -1, 0, 127);
        assertThat(fromBytes.copyValuesAsFloat()).containsExactly(-128f, -1f, 0f, 127f);
        assertThat(fromBytes.valueAt(3)).isEqualTo(127);

        FixedPoint wide = FixedPoint.of(shape, new short[] {-32768, -1, 0, 32767}, 15, FracBits.of(0));
        assertThat(wide.copyValuesAsInt()).containsExactly(-32768, -1, 0, 32767);
        assertThat(wide).isEqualTo(FixedPoint.of(shape, new int[] {-32768, -1, 0, 32767}, 15, FracBits.of(0)));
        // bytes may carry more value bits; the storage does not count in equality
        FixedPoint bytes15 = FixedPoint.of(shape, new byte[] {-1, 2, 3, 4}, 15, FracBits.of(0));
        assertThat(bytes15).isEqualTo(FixedPoint.of(shape, new long[] {-1, 2, 3, 4}, 15, FracBits.of(0)));
        assertThat(bytes15.hashCode())
                .isEqualTo(FixedPoint.of(shape, new long[] {-1, 2, 3, 4}, 15, FracBits.of(0)).hashCode());
    }

    @Test
    void int8StorageBehavesAsFloat32StorageInEveryOperation() {
        Shape shape = Shape.of(1, 1, 4);
        FixedPoint b = FixedPoint.of(shape, new byte[] {5, -5, -7, 3}, 7, FracBits.of(1));
        FixedPoint f = FixedPoint.quantize(shape, new float[] {2.5f, -2.5f, -3.5f, 1.5f}, 7, FracBits.of(1));
        assertThat(b).isEqualTo(f);
        assertThat(b.rescale(FracBits.of(0), 7)).isEqualTo(f.rescale(FracBits.of(0), 7));
        assertThat(b.promote(15)).isEqualTo(f.promote(15));
        assertThat(b.promote(15).valueBits()).isEqualTo(15);
        assertThat(b.upscale(FracBits.of(3), 15)).isEqualTo(f.upscale(FracBits.of(3), 15));
        assertThat(b.add(b)).isEqualTo(f.add(f));
        assertThat(b.multiply(f)).isEqualTo(f.multiply(b));
        assertThat(b.toFloat()).containsExactly(f.toFloat());
        assertThat(b.toString()).isEqualTo(f.toString());
    }

    @Test
    void refusesBytesAndShortsOutOfRangeNamingTheCoordinate() {
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(1, 1, 2), new byte[] {3, 4}, 2, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("values must be integers in [-4, 3] that float32 holds exactly (valueBits 2), got 4 at (0, 0, 1)");
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(2), new short[] {-129, 0}, 7, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("values must be integers in [-128, 127] that float32 holds exactly (valueBits 7), got -129 at (0)");
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(2), new int[] {1 << 25 | 1, 0}, 30, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 33554433 at (0)");
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(3), new byte[] {1, 2}, 7, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("values must have 3 elements for shape [3], got 2");
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(2), (byte[]) null, 7, FracBits.of(0)))
                .isInstanceOf(NullPointerException.class).hasMessage("values");
    }

    @Test
    void bytesAreCopiedIn() {
        byte[] values = {1, 2};
        FixedPoint x = FixedPoint.of(Shape.of(2), values, 7, FracBits.of(0));
        values[0] = 100;
        assertThat(x.valueAt(0)).isEqualTo(1);
        byte[] out = x.copyValuesAsByte();
        out[1] = 100;
        assertThat(x.valueAt(1)).isEqualTo(2);
    }

    @Test
    void copyAsIntRefusesPlusTwoToThe31AndAsByteWideTensors() {
        FixedPoint top = FixedPoint.of(Shape.of(2), new long[] {1L << 31, 0}, 31, FracBits.of(0));
        assertThatThrownBy(top::copyValuesAsInt).isInstanceOf(IllegalStateException.class)
                .hasMessage("values must fit in an int to be copied as int[], got 2147483648 at (0) (use copyValues())");
        assertThatThrownBy(FixedPoint.of(Shape.of(1), new int[] {1}, 8, FracBits.of(0))::copyValuesAsByte)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("valueBits must be <= 7 to copy the values as byte[], got 8 (use copyValuesAsInt())");
        assertThatThrownBy(QFloat.of(top, Scales.of(1f))::copyValuesAsInt).isInstanceOf(IllegalStateException.class);
        assertThat(QFloat.of(FixedPoint.of(Shape.of(2), new long[] {(1L << 31) - 128, -5}, 31, FracBits.of(0)),
                Scales.of(1f)).copyValuesAsInt()).containsExactly(Integer.MAX_VALUE - 127, -5);
    }

    @Test
    void upscaleRoundsOddValuesFrom2To23AtShiftZeroUnderQuantizeml0171() {
        // 0.17.1: floor(float32(v * 2^0 + 0.5)); 8388609 + 0.5 is not a float32, it rounds to even
        // 8388610, whose floor is 8388610; -8388609 + 0.5 = -8388608.5 rounds to -8388608.
        // An even 8388608 + 0.5 is a tie that rounds back to 8388608; at shift 1, 8388609 * 2 = 16777218
        // is even and 16777218.5 rounds to 16777218. 0.5.2 multiplies by 2^shift only.
        Reference v017 = Reference.defaults().withQuantizeml(Reference.Quantizeml.V0_17_1);
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 4), new long[] {8388609, -8388609, 8388608, 8388607}, 31,
                FracBits.of(0));
        assertThat(x.upscale(FracBits.of(0), 31, v017).copyValues()).containsExactly(8388610, -8388608, 8388608, 8388607);
        assertThat(x.upscale(FracBits.of(0), 31).copyValues()).containsExactly(8388609, -8388609, 8388608, 8388607);
        assertThat(x.upscale(FracBits.of(1), 31, v017).copyValues()).containsExactly(16777218, -16777218, 16777216,
                16777214);
        // 2^24 - 1 (odd) at vb 24 becomes 2^24, then saturates back to float32(2^24 - 1) = 2^24 - 1
        FixedPoint top = FixedPoint.of(Shape.of(1), new long[] {(1L << 24) - 1}, 24, FracBits.of(0));
        assertThat(top.upscale(FracBits.of(0), 24, v017).copyValues()).containsExactly((1L << 24) - 1);
        assertThat(top.upscale(FracBits.of(0), 25, v017).copyValues()).containsExactly(1L << 24);
    }

    @Test
    void expandOfPerAxisInputRoundsTheShiftZeroChannelUnderQuantizeml0171() {
        // fb [0, 1]: F = 1, channel 0 shifts by 1 (8388609 * 2, even, exact), channel 1 by 0 (odd: + 1)
        Reference v017 = Reference.defaults().withQuantizeml(Reference.Quantizeml.V0_17_1);
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new long[] {8388609, 8388609}, 24, FracBits.perAxis(0, 1));
        assertThat(x.expand(31, v017).copyValues()).containsExactly(16777218, 8388610);
        assertThat(x.expand(31).copyValues()).containsExactly(16777218, 8388609);
        // a spread >= the value bits is refused under both releases (quantizeml 0.17.1: "Cannot rescale")
        FixedPoint wide = FixedPoint.of(Shape.of(1, 1, 2), new long[] {1, 1}, 7, FracBits.perAxis(0, 31));
        assertThatThrownBy(() -> wide.expand(31, v017)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("to rescale");
        assertThatThrownBy(() -> wide.expand(31)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("to upscale");
    }
}
