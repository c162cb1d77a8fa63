package io.github.qbn4j.quantizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The edges of the quantizers' range checks, their per-axis paths and their value semantics. Expected
 * values are worked out by hand in the comments.
 */
class BoundariesTest {

    @Test
    void theSmallestBitwidthsAreAccepted() {
        assertThat(WeightQuantizer.of(2, true).valueBits()).isEqualTo(1);
        assertThat(WeightQuantizer.of(1, false).valueBits()).isEqualTo(1);
        assertThat(WeightQuantizer.of(32, true).valueBits()).isEqualTo(31);
        assertThat(WeightQuantizer.of(31, false).valueBits()).isEqualTo(31);
        assertThat(WeightQuantizer.fromConfig(Map.of("bitwidth", 8L)).bitwidth()).isEqualTo(8);
        assertThat(AlignedWeightQuantizer.of(2, true).valueBits()).isEqualTo(1);
        assertThat(OutputQuantizer.of(2, true, Axis.PER_TENSOR, 0).scaleBits()).isZero();
    }

    @Test
    void weightQuantizerTakesTheLastAxisByItsNegativeName() {
        // axis -2 of rank 2 is axis 0: valid for quantizeml, refused by qbn4j (not the last)
        assertThatThrownBy(() -> WeightQuantizer.of(8, true, -2).quantize(Shape.of(2, 2), new float[] {1, 2, 3, 4}))
                .isNotInstanceOf(QuantizationException.class).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WeightQuantizer.of(8, true, -3).quantize(Shape.of(2, 2), new float[] {1, 2, 3, 4}))
                .isInstanceOf(QuantizationException.class);
        // axis 1 = -1 of rank 2: per-channel ranges max(|1|, |3|) = 3 and max(|2|, |4|) = 4,
        // scales 3/127 and 4/127, values round(1 * 127/3) = 42, round(2 * 127/4) = 64 (63.5 ties to even), 127, 127
        QFloat q = WeightQuantizer.of(8, true, 1).quantize(Shape.of(2, 2), new float[] {1, 2, 3, 4});
        assertThat(q.scales().isPerAxis()).isTrue();
        assertThat(q.copyValues()).containsExactly(42, 64, 127, 127);
        // a null axis: one range, 4, for all: values round(1 * 127/4) = 32 (31.75), 64 (63.5), 95 (95.25), 127
        QFloat all = WeightQuantizer.of(8, true, null).quantize(Shape.of(2, 2), new float[] {1, 2, 3, 4});
        assertThat(all.scales().isPerAxis()).isFalse();
        assertThat(all.copyValues()).containsExactly(32, 64, 95, 127);
    }

    @Test
    void alignedQuantizerKeepsPerChannelFracBitsForPerAxisScales() {
        // other: scales 0.5 and 0.25, 10 frac bits. range = 3: ratios 6 and 12, so
        // fb = min(7 - ceil(log2 6), 10) = 4 and min(7 - ceil(log2 12), 10) = 3, per axis;
        // values: 0, and 3 / 0.25 * 2^3 = 96
        QFloat other = QFloat.of(FixedPoint.of(Shape.of(1, 1, 2), new int[] {0, 0}, 31, FracBits.of(10)),
                Scales.perAxis(0.5f, 0.25f));
        QFloat b = AlignedWeightQuantizer.of(8, true).quantizeUnaligned(new float[] {0f, 3f}, other);
        assertThat(b.fracBits()).isEqualTo(FracBits.perAxis(4, 3));
        assertThat(b.copyValues()).containsExactly(0, 96);
        // aligned to 10 frac bits: 96 << 7 = 12288
        assertThat(AlignedWeightQuantizer.of(8, true).quantize(new float[] {0f, 3f}, other).copyValues())
                .containsExactly(0, 12288);
    }

    @Test
    void aZeroRangeAndTheSmallestNormalRateAreAccepted() {
        OutputQuantizer q = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8);
        assertThat(q.withRangeMax(0f).rangeMax(1)).containsExactly(0f);
        assertThat(q.withRescalingRate(Float.MIN_NORMAL).rescalingRate(1)).containsExactly(Float.MIN_NORMAL);
        assertThatThrownBy(() -> q.withRescalingRate(Math.nextDown(Float.MIN_NORMAL)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutputQuantizer.fromConfig(Map.of("bits", 8)))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("unknown key \"bits\"");
        assertThatThrownBy(() -> AlignedWeightQuantizer.fromConfig(Map.of("bitwidth", 8, "bits", 8)))
                .isInstanceOf(QuantizationException.class);
    }

    @Test
    void outputQuantizersCompareTheirCalibratedVariables() {
        OutputQuantizer q = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8);
        assertThat(q.withRangeMax(8f)).isEqualTo(q.withRangeMax(8f)).hasSameHashCodeAs(q.withRangeMax(8f));
        assertThat(q.withRangeMax(8f)).isNotEqualTo(q.withRangeMax(4f)).isNotEqualTo(q);
        assertThat(q.withRescalingRate(2f)).isNotEqualTo(q.withRescalingRate(1f));
        assertThat(q.isCalibrationRequired()).isTrue();
        assertThat(q.withRangeMax(1f).isCalibrationRequired()).isTrue();
        assertThat(q.withRangeMax(8f).isCalibrationRequired()).isFalse();
        assertThat(q.toString()).contains("rangeMax=1.0").contains("per-tensor");
        assertThat(WeightQuantizer.of(8, true)).isEqualTo(WeightQuantizer.of(8, true))
                .hasSameHashCodeAs(WeightQuantizer.of(8, true)).isNotEqualTo(WeightQuantizer.of(8, false));
        assertThat(AlignedWeightQuantizer.of(8, true)).isEqualTo(AlignedWeightQuantizer.of(8, true))
                .hasSameHashCodeAs(AlignedWeightQuantizer.of(8, true)).isNotEqualTo(AlignedWeightQuantizer.of(4, true));
    }

    @Test
    void perAxisOutputFracBitsFollowEachChannelsRange() {
        // vb 7: min(7 - ceil(log2 r), 7) for r = 4.5, 6, 0.75 -> 7 - 3, 7 - 3, 7 - 0 = 4, 4, 7
        OutputQuantizer q = OutputQuantizer.of(8, true, Axis.PER_AXIS, 8).withRangeMax(4.5f, 6f, 0.75f);
        assertThat(q.outputFracBits(3)).isEqualTo(FracBits.perAxis(4, 4, 7));
        // scales 0.5 per tensor times rates 1, 2, 4 -> per-axis 0.5, 1, 2
        assertThat(q.withRescalingRate(1f, 2f, 4f).rescaledScales(Scales.of(0.5f), 3))
                .isEqualTo(Scales.perAxis(0.5f, 1f, 2f));
    }

    @Test
    void observersAcceptOneChannelAndZeroRanges() {
        assertThat(OutputObserver.perAxis(1).rangeMax()).hasSize(1);
        // |samples| max 2 then 2: the range stays 2 whatever the momentum
        OutputObserver o = OutputObserver.perTensor().observe(Shape.of(2), new float[] {-2f, 1f});
        assertThat(o.observe(Shape.of(2), new float[] {2f, -2f}).rangeMax()).containsExactly(2f);
        assertThat(OutputObserver.equalize(8, 0f).rescalingRate()).containsExactly(1f);
    }
}
