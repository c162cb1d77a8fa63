package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class KerasBatchNormalizationTest {

    private static KerasBatchNormalization example(float[] gamma, float[] beta) {
        return KerasBatchNormalization.of("bn", "bn", 1e-3, List.of(-1), false, gamma, beta,
                new float[] {1f, -2f}, new float[] {3.999f, 0.999f});
    }

    @Test
    void fillsMissingGammaWithOnesAndMissingBetaWithZeros() {
        KerasBatchNormalization bn = example(null, null);

        assertThat(bn.gamma()).containsExactly(1f, 1f);
        assertThat(bn.beta()).containsExactly(0f, 0f);
        assertThat(bn.scale()).isFalse();
        assertThat(bn.center()).isFalse();
    }

    @Test
    void convertsToTheQuantizedLayerOfTheSpecExample() {
        // spec Example 1: values [320, -1780], fb 2, scale 2/127
        KerasBatchNormalization bn = example(new float[] {1f, 2f}, new float[] {0.5f, -1f});

        QuantizedBatchNormalization q = bn.toQuantized(QuantConfig.defaults());
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));

        assertThat(q.call(x).toString()).contains("values=[320, -1780]");
        assertThat(q.name()).isEqualTo("bn");
        assertThat(q.getConfig().get("axis")).isEqualTo(-1);
    }

    @Test
    void passesCalibratedVariablesToTheOutputQuantizer() {
        KerasBatchNormalization bn = example(new float[] {1f, 2f}, new float[] {0.5f, -1f});
        QuantConfig config = QuantConfig.defaults()
                .withOutputQuantizer(OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_TENSOR, 8));

        QuantizedBatchNormalization q = bn.toQuantized(config, new float[] {8f}, null);

        assertThat(q.outputQuantizer().rangeMax(2)).containsExactly(8f);
        assertThat(q.outputQuantizer().rescalingRate(2)).containsExactly(1f);
        assertThatThrownBy(() -> bn.toQuantized(QuantConfig.defaults(), new float[] {8f}, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without an output_quantizer");
    }

    @Test
    void returnsCopies() {
        KerasBatchNormalization bn = example(new float[] {1f, 2f}, new float[] {0.5f, -1f});

        bn.gamma()[0] = 9f;
        bn.movingVariance()[0] = 9f;

        assertThat(bn.gamma()).containsExactly(1f, 2f);
        assertThat(bn.movingVariance()).containsExactly(3.999f, 0.999f);
    }

    @Test
    void comparesByValue() {
        KerasBatchNormalization a = example(new float[] {1f, 2f}, null);
        KerasBatchNormalization b = example(new float[] {1f, 2f}, null);
        KerasBatchNormalization c = example(new float[] {1f, 3f}, null);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a).hasToString("KerasBatchNormalization[path=bn, channels=2, epsilon=0.001, axis=-1, center=false, "
                + "scale=true]");
    }

    @Test
    void specHasKerasDefaults() {
        KerasBatchNormalization.Spec spec = KerasBatchNormalization.Spec.of("bn");

        assertThat(spec.epsilon()).isEqualTo(1e-3);
        assertThat(spec.axis()).isEqualTo(-1);
        assertThat(spec.center()).isTrue();
        assertThat(spec.scale()).isTrue();
        assertThat(spec.withAxis(3, 4).withCenter(false).withScale(false).withEpsilon(0.5))
                .hasToString("Spec[name=bn, epsilon=0.5, axis=3, center=false, scale=false]");
    }

    @Test
    void specRefusesAnAxisOtherThanTheLast() {
        KerasBatchNormalization.Spec spec = KerasBatchNormalization.Spec.of("bn");

        assertThatThrownBy(() -> spec.withAxis(1, 4))
                .hasMessage("axis must be the last axis (-1 or 3 for rank 4), got 1 (layer \"bn\")");
        assertThatThrownBy(() -> spec.withAxis(-2, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> spec.withAxis(0, 5)).hasMessage("rank must be in [1, 4], got 5");
        assertThatThrownBy(() -> spec.withEpsilon(Double.NaN)).hasMessage("epsilon must be finite, got NaN");
        assertThatThrownBy(() -> KerasBatchNormalization.Spec.of("")).hasMessage("name must not be empty, got \"\"");
        assertThatThrownBy(() -> KerasBatchNormalization.Spec.of(null)).isInstanceOf(NullPointerException.class);
    }
}
