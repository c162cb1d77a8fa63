package io.github.qbn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import org.junit.jupiter.api.Test;

/**
 * The edges of every range check of the tensor types (the value just inside is accepted, the one just
 * outside refused) and their value semantics (equal objects, equal hashes; different forms, unequal).
 */
class BoundariesTest {

    private static final Shape S = Shape.of(1, 1, 2);
    private static final FixedPoint X = FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.of(2));

    @Test
    void promotingToTheSameValueBitsIsTheIdentity() {
        assertThat(X.promote(7)).isEqualTo(X);
        assertThat(X.promote(31).valueBits()).isEqualTo(31);
    }

    @Test
    void downscalingToTheSameFracBitsIsTheIdentity() {
        assertThat(X.downscale(FracBits.of(2))).isEqualTo(X);
        FixedPoint perAxis = FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.perAxis(2, 4));
        // channel 1 loses two bits: -20 / 4 = -5 exactly; channel 0 keeps its frac bits
        assertThat(perAxis.downscale(FracBits.perAxis(2, 2)).copyValues()).containsExactly(10, -5);
        assertThatThrownBy(() -> perAxis.downscale(FracBits.perAxis(2, 5)))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("at channel 1");
    }

    @Test
    void expandingToTheSameValueBitsIsAllowed() {
        // per-tensor already: expand only re-labels the value bits
        assertThat(X.expand(7)).isEqualTo(X);
    }

    @Test
    void upscalingByOneBitLessThanTheValueBitsIsAllowed() {
        FixedPoint one = FixedPoint.of(Shape.of(1), new int[] {1}, 7, FracBits.of(0));
        // shift 6 < 7 value bits: 1 << 6 = 64
        assertThat(one.upscale(FracBits.of(6), 7).valueAt(0)).isEqualTo(64);
        assertThatThrownBy(() -> one.upscale(FracBits.of(7), 7)).isInstanceOf(QuantizationException.class);
        // rescale refuses the same shifts
        assertThat(one.rescale(FracBits.of(6), 7).valueAt(0)).isEqualTo(64);
        assertThatThrownBy(() -> one.rescale(FracBits.of(7), 7)).isInstanceOf(QuantizationException.class);
    }

    @Test
    void addingChecksTheFracBitsOfTheLastChannelToo() {
        FixedPoint a = FixedPoint.of(S, new int[] {1, 2}, 7, FracBits.perAxis(2, 3));
        FixedPoint b = FixedPoint.of(S, new int[] {1, 2}, 7, FracBits.perAxis(2, 4));
        assertThatThrownBy(() -> a.add(b)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("at channel 1");
        // 1 + 1 and 2 + 2, saturated to 7 bits: no saturation here
        assertThat(a.add(a).copyValues()).containsExactly(2, 4);
        assertThat(a.subtract(a).copyValues()).containsExactly(0, 0);
    }

    @Test
    void aFixedPointIsItsOwnPayload() {
        assertThat(X.fixedPoint()).isSameAs(X);
        QFloat q = QFloat.of(X, Scales.of(0.5f));
        assertThat(q.fixedPoint()).isSameAs(X);
    }

    @Test
    void equalTensorsHaveEqualHashesAndOtherFormsDiffer() {
        FixedPoint same = FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.of(2));
        assertThat(same).isEqualTo(X).hasSameHashCodeAs(X);
        assertThat(FixedPoint.of(S, new int[] {10, -20}, 7, FracBits.perAxis(2, 2))).isNotEqualTo(X);
        assertThat(FixedPoint.of(S, new int[] {10, -20}, 8, FracBits.of(2))).isNotEqualTo(X);
        assertThat(FixedPoint.of(S, new int[] {10, -21}, 7, FracBits.of(2))).isNotEqualTo(X);
        assertThat(FixedPoint.of(Shape.of(2), new int[] {10, -20}, 7, FracBits.of(2))).isNotEqualTo(X);
        assertThat(X).isNotEqualTo("X");

        QFloat q = QFloat.of(X, Scales.of(0.5f));
        assertThat(QFloat.of(same, Scales.of(0.5f))).isEqualTo(q).hasSameHashCodeAs(q);
        assertThat(QFloat.of(X, Scales.of(0.25f))).isNotEqualTo(q);
        assertThat(QFloat.of(X, Scales.perAxis(0.5f, 0.5f))).isNotEqualTo(q);
        assertThat(q).isNotEqualTo(X);

        assertThat(Shape.of(1, 2)).isEqualTo(Shape.of(1, 2)).hasSameHashCodeAs(Shape.of(1, 2)).isNotEqualTo(Shape.of(2, 1));
        assertThat(FracBits.perAxis(1, 2)).isEqualTo(FracBits.perAxis(1, 2)).hasSameHashCodeAs(FracBits.perAxis(1, 2));
        assertThat(FracBits.perAxis(3)).isNotEqualTo(FracBits.of(3));
        assertThat(Scales.perAxis(0.5f)).isNotEqualTo(Scales.of(0.5f));
        assertThat(Scales.of(0.5f)).isEqualTo(Scales.of(0.5f)).hasSameHashCodeAs(Scales.of(0.5f));
        assertThat(Scales.perAxis(0.5f, 0.25f)).isNotEqualTo(Scales.perAxis(0.5f, 0.5f))
                .isNotEqualTo(Scales.perAxis(0.5f, 0.25f, 1f));
    }

    @Test
    void theSmallestNormalScaleIsAccepted() {
        assertThat(Scales.of(Float.MIN_NORMAL).get(0)).isEqualTo(Float.MIN_NORMAL);
        assertThat(Scales.perAxis(Float.MIN_NORMAL, Float.MAX_VALUE).get(1)).isEqualTo(Float.MAX_VALUE);
        assertThatThrownBy(() -> Scales.of(Math.nextDown(Float.MIN_NORMAL))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLargestElementCountIsAccepted() {
        assertThat(Shape.of(Integer.MAX_VALUE).size()).isEqualTo(Integer.MAX_VALUE);
        assertThat(Shape.of(1, 1, 1, Integer.MAX_VALUE).size()).isEqualTo(Integer.MAX_VALUE);
        assertThat(Shape.of(0, Integer.MAX_VALUE, 2).size()).isZero();
        assertThat(Shape.scalar().channels()).isEqualTo(1);
        assertThat(Shape.of(2, 3).coordinates(5)).isEqualTo("(1, 2)");
        assertThat(Shape.scalar().coordinates(0)).isEqualTo("()");
    }

    @Test
    void valueBitsZeroAndThirtyOneAreTheEndsOfTheRange() {
        // 0 value bits hold [-1, 0]; 31 hold [-2^31, +2^31] (float32(2^31 - 1) = 2^31)
        assertThat(FixedPoint.of(Shape.of(2), new int[] {-1, 0}, 0, FracBits.of(0)).valueAt(0)).isEqualTo(-1);
        assertThat(FixedPoint.of(Shape.of(1), new long[] {1L << 31}, 31, FracBits.of(0)).valueAt(0))
                .isEqualTo(1L << 31);
        assertThatThrownBy(() -> FixedPoint.of(Shape.of(1), new int[] {1}, 0, FracBits.of(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(FixedPoint.maxFracBits(0, 0f)).isZero();
        assertThat(FixedPoint.maxFracBits(31, 1f)).isEqualTo(31);
    }

    @Test
    void qfloatAdditionComparesEveryChannelsScale() {
        QFloat a = QFloat.of(X, Scales.perAxis(0.5f, 0.25f));
        QFloat b = QFloat.of(X, Scales.perAxis(0.5f, 0.125f));
        assertThatThrownBy(() -> a.add(b)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("at channel 1");
        // 10 + 10, -20 + -20 with equal scales
        assertThat(a.add(a).copyValues()).containsExactly(20, -40);
    }
}
