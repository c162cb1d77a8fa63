package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The edges of the layer's checks: the axis range, the buffer widths, and what a layer without output
 * quantizer folds. Expected values are quantizeml's, from {@code src/test/resources/reference/unit_reference.txt}.
 */
class BoundariesTest {

    private static QuantizedBatchNormalization.Builder layer() {
        return QuantizedBatchNormalization.builder().name("bn1")
                .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f);
    }

    private static final FixedPoint X = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));

    @Test
    void everyAxisOfTheRankIsAcceptedByItsNegativeAndPositiveName() {
        // unit_reference.txt "ex1" and "axis_1": QFloat values [[[320, -1780]]] vb 31 fb 2.0 whatever the single axis
        for (int axis : new int[] {-3, -1, 0, 2}) {
            assertThat(layer().axis(axis).build().call(X).copyValues()).as("axis %s", axis).containsExactly(320, -1780);
        }
        assertThatThrownBy(() -> layer().axis(-4).build().call(X)).isInstanceOf(QuantizationException.class);
        assertThatThrownBy(() -> layer().axis(3).build().call(X)).isInstanceOf(QuantizationException.class);
        assertThatThrownBy(() -> layer().axes(2, 2).build().call(X)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("must not repeat");
    }

    @Test
    void aOneBitBufferIsAValidConfiguration() {
        assertThat(QuantConfig.fromMap(Map.of("buffer_bitwidth", 1)).bufferValueBits()).isZero();
        assertThat(QuantConfig.fromMap(Map.of("buffer_bitwidth", 32L)).bufferBitwidth()).isEqualTo(32);
        assertThat(QuantConfig.defaults()).isEqualTo(QuantConfig.fromMap(null))
                .hasSameHashCodeAs(QuantConfig.fromMap(null)).isNotEqualTo(QuantConfig.defaults().withBufferBitwidth(16));
        assertThat(QuantConfig.defaults().toString()).contains("buffer_bitwidth=32");
    }

    @Test
    void inputValueBitsEqualToTheBuffersAreAccepted() {
        // a 16-bit buffer holds 15 value bits: 15-bit inputs are fine, 16 are not (unit_reference "vb_above_buffer")
        QuantizedBatchNormalization bn = layer().quantConfig(QuantConfig.defaults().withBufferBitwidth(16)).build();
        assertThat(bn.call(FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 1}, 15, FracBits.of(0))).valueBits())
                .isEqualTo(15);
        // the output quantizer as wide as the buffer minus one bit is accepted (7 < 15)
        assertThat(bn.fold(X).hasOutputQuantizer()).isFalse();
    }

    @Test
    void aLayerDescribesItselfWithItsConfiguration() {
        QuantizedBatchNormalization bn = layer().axes(2).build();
        assertThat(bn.toString()).isEqualTo("QuantizedBatchNormalization[name=bn1, channels=2, quant_config="
                + "{a_quantizer={bitwidth=8}, buffer_bitwidth=32}, epsilon=0.001, axis=[2]]");
        assertThat(layer().build().toString()).endsWith("epsilon=0.001, axis=-1]");
        assertThat(bn.call(QFloat.of(X, io.github.qbn4j.tensor.Scales.of(0.5f))).copyValues())
                .containsExactly(320, -1020);  // unit_reference "qfloat"
    }
}
