package io.github.qbn4j.quantizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightQuantizerTest {

    @Test
    void mapsTheLargestMagnitudeOntoTheLargestInteger() {
        // unit_reference "wq_a": [0.5, 2, -1] -> [32, 127, -64], scale 0.015748031 (= float32(2/127))
        QFloat a = WeightQuantizer.of(8, true).quantize(new float[] {0.5f, 2f, -1f});
        assertThat(a.copyValues()).containsExactly(32, 127, -64);
        assertThat(a.scales()).isEqualTo(Scales.of(0.015748031437397003f));
        assertThat(a.fracBits()).isEqualTo(FracBits.of(0));
        assertThat(a.valueBits()).isEqualTo(7);
    }

    @Test
    void unsignedQuantizerUsesEveryBitForMagnitudeAndStillSaturatesSigned() {
        // unit_reference "wq_unsigned4": [0.3, -1.5, 0.75] -> [3, -15, 8], scale 0.1 (1.5 / 15)
        QFloat a = WeightQuantizer.of(4, false).quantize(new float[] {0.3f, -1.5f, 0.75f});
        assertThat(a.copyValues()).containsExactly(3, -15, 8);
        assertThat(a.scales().get(0)).isEqualTo(0.1f);
        assertThat(a.valueBits()).isEqualTo(4);
    }

    @Test
    void clampsTheScaleAtOneMillionth() {
        QFloat a = WeightQuantizer.of(8, true).quantize(new float[] {0f, 0f});
        assertThat(a.scales().get(0)).isEqualTo(1e-6f);
        assertThat(a.copyValues()).containsExactly(0, 0);
    }

    @Test
    void quantizesPerChannelOnTheLastAxisOfMatrices() {
        // channel 0 range 2 -> scale 2/127; channel 1 range 0.5 -> scale 0.5/127
        QFloat w = WeightQuantizer.of(8, true).quantize(Shape.of(2, 2), new float[] {2f, 0.25f, -1f, -0.5f});
        assertThat(w.scales()).isEqualTo(Scales.perAxis(2f / 127, 0.5f / 127));
        assertThat(w.copyValues()).containsExactly(127, 64, -64, -127);
        assertThatThrownBy(() -> WeightQuantizer.of(8, true, 3).quantize(Shape.of(2, 2), new float[4]))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR));
    }

    @Test
    void validatesTheBitwidthAsQuantizemlDoes() {
        assertThatThrownBy(() -> WeightQuantizer.of(1, true)).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR))
                .hasMessage("WeightQuantizer bitwidth must be an int >= 2, got 1");
        assertThat(WeightQuantizer.of(1, false).valueBits()).isEqualTo(1);
        assertThatThrownBy(() -> WeightQuantizer.fromConfig(Map.of("bitwidth", 8.0)))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("got 8.0");
        assertThatThrownBy(() -> WeightQuantizer.fromConfig(Map.of("bitwidth", 8, "bits", 3)))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.TYPE_ERROR))
                .hasMessageContaining("unknown key \"bits\"");
    }

    @Test
    void defaultsToFourBitsWhenTheConfigOmitsTheBitwidth() {
        WeightQuantizer q = WeightQuantizer.fromConfig(Map.of());
        assertThat(q.bitwidth()).isEqualTo(4);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("bitwidth", 4);
        expected.put("signed", true);
        expected.put("axis", -1);
        assertThat(q.getConfig()).isEqualTo(expected);
    }
}
