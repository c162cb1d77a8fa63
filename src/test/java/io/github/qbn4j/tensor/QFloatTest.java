package io.github.qbn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import org.junit.jupiter.api.Test;

class QFloatTest {

    @Test
    void quantizeDividesByTheScaleThenRoundsHalfToEven() {
        // 0.5 / (2/127) = 31.75 -> 32; 2 / (2/127) = 127; -1 -> -63.5 -> -64 (even)
        float s = 2f / 127f;
        QFloat q = QFloat.quantize(Shape.of(3), new float[] {0.5f, 2f, -1f}, 7, Scales.of(s), FracBits.of(0));
        assertThat(q.copyValues()).containsExactly(32, 127, -64);
        assertThat(q.scales()).isEqualTo(Scales.of(s));
    }

    @Test
    void quantizedPowerOfTwoScaleSaturatesTo255() {
        // unit_reference "qs_2^-6": 255 with 14 frac bits (2^-6 * 2^14 = 256 clips to 255)
        FixedPoint q = QFloat.quantizeScales(Scales.of(0x1p-6f), 8);
        assertThat(q.copyValues()).containsExactly(255);
        assertThat(q.fracBits()).isEqualTo(FracBits.of(14));
        assertThat(q.shape()).isEqualTo(Shape.scalar());
    }

    @Test
    void quantizeScalesKeepsAMantissaInTheTopOctave() {
        // unit_reference "qs_0.015748031": 129 with 13 frac bits (0.015748031 * 8192 = 129.0079)
        FixedPoint q = QFloat.quantizeScales(Scales.of(0.015748031437397003f), 8);
        assertThat(q.copyValues()).containsExactly(129);
        assertThat(q.fracBits()).isEqualTo(FracBits.of(13));
        FixedPoint perAxis = QFloat.quantizeScales(Scales.perAxis(0.75f, 3f), 4);
        // 0.75: ceil(log2) = 0, fb 4, 12; 3: ceil(log2) = 2, fb 2, 12
        assertThat(perAxis.copyValues()).containsExactly(12, 12);
        assertThat(perAxis.fracBits()).isEqualTo(FracBits.perAxis(4, 2));
    }

    @Test
    void toFixedPointMultipliesTheQuantizedScaleIn() {
        // Example 2 of the spec: y [[1280, 500], [-896, 7231]] fb 4, S = 0.015748031 -> q_s 129, fb 13
        QFloat y = QFloat.of(FixedPoint.of(Shape.of(1, 2, 2), new int[] {1280, 500, -896, 7231}, 31, FracBits.of(4)),
                Scales.of(0.015748031437397003f));
        FixedPoint f = y.toFixedPoint(8);
        assertThat(f.copyValues()).containsExactly(165120, 64500, -115584, 932799);
        assertThat(f.fracBits()).isEqualTo(FracBits.of(17));
        assertThat(f.valueBits()).isEqualTo(31);
    }

    @Test
    void multiplyRequiresAPerTensorLeftOperandAndMultipliesScales() {
        QFloat x = QFloat.of(FixedPoint.of(Shape.of(1, 2), new int[] {10, -20}, 31, FracBits.of(2)), Scales.of(0.5f));
        QFloat a = QFloat.of(FixedPoint.of(Shape.of(2), new int[] {32, 127}, 7, FracBits.of(0)), Scales.of(0.25f));
        QFloat p = x.multiply(a);
        assertThat(p.copyValues()).containsExactly(320, -2540);
        assertThat(p.scales()).isEqualTo(Scales.of(0.125f));
        QFloat perAxisScales = QFloat.of(x.fixedPoint(), Scales.perAxis(0.5f, 0.25f));
        assertThatThrownBy(() -> perAxisScales.multiply(a)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT));
    }

    @Test
    void addRequiresEqualScales() {
        QFloat x = QFloat.of(FixedPoint.of(Shape.of(2), new int[] {1, 2}, 31, FracBits.of(0)), Scales.of(0.5f));
        QFloat y = QFloat.of(FixedPoint.of(Shape.of(2), new int[] {3, 4}, 31, FracBits.of(0)), Scales.of(0.5f));
        assertThat(x.add(y).copyValues()).containsExactly(4, 6);
        QFloat z = QFloat.of(y.fixedPoint(), Scales.of(0.25f));
        assertThatThrownBy(() -> x.add(z)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT))
                .hasMessageContaining("equal scales");
    }

    @Test
    void perTensorNeedsBothScalarFracBitsAndScalarScales() {
        FixedPoint fp = FixedPoint.of(Shape.of(1, 1), new int[] {1}, 7, FracBits.perAxis(0));
        assertThat(QFloat.of(fp, Scales.of(1f)).isPerTensor()).isTrue();
        assertThat(QFloat.of(fp, Scales.perAxis(1f)).isPerTensor()).isFalse();
    }

    @Test
    void toFloatMultipliesByTheScales() {
        QFloat q = QFloat.of(FixedPoint.of(Shape.of(1, 2), new int[] {4, -8}, 7, FracBits.of(2)), Scales.perAxis(0.5f, 2f));
        assertThat(q.toFloat()).containsExactly(0.5f, -4f);
    }

    @Test
    void refusesNonPositiveOrNonFiniteScales() {
        assertThatThrownBy(() -> Scales.of(0f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scales must be finite normal floats > 0, got 0.0");
        assertThatThrownBy(() -> Scales.perAxis(1f, Float.NaN)).hasMessageContaining("at channel 1");
        assertThatThrownBy(() -> QFloat.of(FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.of(0)),
                Scales.perAxis(1f, 1f, 1f))).hasMessageContaining("one entry per channel (2)");
    }
}
