package io.github.qbn4j.quantizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import org.junit.jupiter.api.Test;

class AlignedWeightQuantizerTest {

    private static final float S = 0.015748031437397003f; // float32(2 / 127)

    private static QFloat other(int fracBits) {
        return QFloat.of(FixedPoint.of(Shape.of(1, 1, 2), new long[2], 31, FracBits.of(fracBits)), Scales.of(S));
    }

    @Test
    void quantizesOntoTheOtherScaleAndAlignsItsFracBits() {
        // unit_reference "awq": b [0, 3] on S = 2/127, F = 2 -> [0, 760].
        // By hand: max|b|/S = 190.5, ceil(log2) = 8, fb = min(7 - 8, 2) = -1;
        // b/S * 2^-1 = [0, 95.25] -> [0, 95]; shift F - fb = 3 -> [0, 760].
        AlignedWeightQuantizer q = AlignedWeightQuantizer.of(8, true);
        QFloat unaligned = q.quantizeUnaligned(new float[] {0f, 3f}, other(2));
        assertThat(unaligned.copyValues()).containsExactly(0, 95);
        assertThat(unaligned.fracBits()).isEqualTo(FracBits.of(-1));
        QFloat aligned = q.quantize(new float[] {0f, 3f}, other(2));
        assertThat(aligned.copyValues()).containsExactly(0, 760);
        assertThat(aligned.fracBits()).isEqualTo(FracBits.of(2));
        assertThat(aligned.valueBits()).isEqualTo(31);
        assertThat(aligned.scales()).isEqualTo(Scales.of(S));
    }

    @Test
    void neverUsesMoreFracBitsThanTheOther() {
        // small b: ideal fb = 7 - ceil(log2(0.01/S)) = 7 - (-1) = 8, clamped to F = 0
        QFloat b = AlignedWeightQuantizer.of(8, true).quantizeUnaligned(new float[] {0.01f}, other(0));
        assertThat(b.fracBits()).isEqualTo(FracBits.of(0));
        assertThat(b.copyValues()).containsExactly(1); // 0.01 / S = 0.635 -> 1
    }

    @Test
    void zeroWeightsTakeTheValueBitsAsFracBits() {
        QFloat b = AlignedWeightQuantizer.of(8, true).quantizeUnaligned(new float[] {0f, 0f}, other(20));
        assertThat(b.fracBits()).isEqualTo(FracBits.of(7));
    }

    @Test
    void refusesAnAlignmentShiftAsWideAsTheBuffer() {
        // F = 30, b = 3 -> fb = -1, shift 31 >= 31 (unit_reference "spread30" fails the same way)
        assertThatThrownBy(() -> AlignedWeightQuantizer.of(8, true).quantize(new float[] {0f, 3f}, other(30)))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT))
                .hasMessageContaining("shift must be < 31");
    }

    @Test
    void quantizesBPerChannelAboveFourBitsUnderQuantizeml0171() {
        // other: scale 1, F = 10, 31 value bits; b = [0.7, 3.0], 8-bit signed (vb 7).
        // 0.5.2, per tensor: range 3, ceil_log2(3) = 2, fb = min(7 - 2, 10) = 5;
        //   b_q = rint([0.7 * 32, 3 * 32]) = rint([22.4, 96]) = [22, 96]; aligned * 2^5 = [704, 3072].
        // 0.17.1, per channel: ceil_log2(0.7) = ceil(-0.515) = 0, ceil_log2(3) = 2, fb = [7, 5];
        //   b_q = rint([0.7 * 128, 96]) = rint([89.6, 96]) = [90, 96]; shifts [3, 5]: aligned [720, 3072].
        Reference v017 = Reference.defaults().withQuantizeml(Reference.Quantizeml.V0_17_1);
        QFloat other = QFloat.of(FixedPoint.of(Shape.of(1, 1, 2), new long[] {0, 0}, 31, FracBits.of(10)),
                Scales.of(1f));
        float[] b = {0.7f, 3f};
        AlignedWeightQuantizer q8 = AlignedWeightQuantizer.of(8, true);
        QFloat old = q8.quantizeUnaligned(b, other);
        assertThat(old.fracBits()).isEqualTo(FracBits.of(5));
        assertThat(old.copyValues()).containsExactly(22, 96);
        assertThat(q8.quantize(b, other).copyValues()).containsExactly(704, 3072);
        QFloat perAxis = q8.quantizeUnaligned(b, other, v017);
        assertThat(perAxis.fracBits()).isEqualTo(FracBits.perAxis(7, 5));
        assertThat(perAxis.copyValues()).containsExactly(90, 96);
        QFloat aligned = q8.quantize(b, other, v017);
        assertThat(aligned.fracBits()).isEqualTo(FracBits.of(10));
        assertThat(aligned.copyValues()).containsExactly(720, 3072);
        // 4 bits (vb 3) stay per tensor in 0.17.1: range 3, fb = 3 - 2 = 1, b_q = rint([1.4, 6]) = [1, 6]
        AlignedWeightQuantizer q4 = AlignedWeightQuantizer.of(4, true);
        assertThat(q4.isPerAxis(v017)).isFalse();
        assertThat(q8.isPerAxis(v017)).isTrue();
        assertThat(q8.isPerAxis(Reference.defaults())).isFalse();
        QFloat four = q4.quantizeUnaligned(b, other, v017);
        assertThat(four.fracBits()).isEqualTo(FracBits.of(1));
        assertThat(four.copyValues()).containsExactly(1, 6);
    }
}
