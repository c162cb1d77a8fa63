package io.github.qbn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue 11, class 9: frac-bit differences that do not fit an {@code int}. quantizeml keeps frac bits
 * in float32 and computes {@code values * 2^(target - frac_bits)}; a difference of {@code -(2^32 - 1)}
 * or {@code -(2^31 + 2)} makes the factor {@code 2^-huge = 0}, so every value becomes
 * {@code floor(0 + 0.5) = 0}.
 */
class HostileInputTest {

    private static final Shape S = Shape.of(1, 1, 2);

    @Test
    void droppingTwoToTheThirtyTwoMinusOneFracBitsGivesZeros() {
        // fracBits 2^31 - 1 down to -2^31: shift -(2^32 - 1), which an int difference wrapped to +1
        FixedPoint x = FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.of(Integer.MAX_VALUE));
        FixedPoint y = x.downscale(FracBits.of(Integer.MIN_VALUE));
        assertThat(y.copyValues()).containsExactly(0, 0);
        assertThat(x.rescale(FracBits.of(Integer.MIN_VALUE), 7).copyValues()).containsExactly(0, 0);
    }

    @Test
    void aShiftOfMinusTwoToTheThirtyOnePlusTwoGivesZerosNotSaturation() {
        // fracBits 2^31 - 1 down to -3: shift -(2^31 + 2), which an int difference wrapped to 2^31 - 2
        FixedPoint x = FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.perAxis(Integer.MAX_VALUE, 0));
        FixedPoint y = x.downscale(FracBits.perAxis(-3, -3));
        // channel 0: 10 * 2^-(2^31 + 2) = 0; channel 1: -20 * 2^-3 = -2.5, floor(-2.5 + 0.5) = -2
        assertThat(y.copyValues()).containsExactly(0, -2);
    }

    @Test
    void shiftDifferencesAreClampedNotWrapped() {
        assertThat(FixedPoint.shift(Integer.MIN_VALUE, Integer.MAX_VALUE)).isEqualTo(Integer.MIN_VALUE);
        assertThat(FixedPoint.shift(Integer.MAX_VALUE, Integer.MIN_VALUE)).isEqualTo(Integer.MAX_VALUE);
        assertThat(FixedPoint.shift(-3, 4)).isEqualTo(-7);
    }
}
