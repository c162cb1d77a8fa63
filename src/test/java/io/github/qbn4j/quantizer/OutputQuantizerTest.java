package io.github.qbn4j.quantizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputQuantizerTest {

    private static QFloat example2Buffer() {
        return QFloat.of(FixedPoint.of(Shape.of(1, 2, 2), new int[] {1280, 500, -896, 7231}, 31, FracBits.of(4)),
                Scales.of(0.015748031437397003f));
    }

    @Test
    void requantizesAQFloatPerTensor() {
        // unit_reference "oq_ex2": [[20, 8], [-14, 114]] fb 4. By hand: q_s = 129 with fb 13,
        // v = y * 129 with fb 17; fb_out = 7 - ceil(log2(8)) = 4; v / 2^13 + 0.5, floored.
        FixedPoint out = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8).withRangeMax(8f).quantize(example2Buffer());
        assertThat(out.copyValues()).containsExactly(20, 8, -14, 114);
        assertThat(out.fracBits()).isEqualTo(FracBits.of(4));
        assertThat(out.valueBits()).isEqualTo(7);
    }

    @Test
    void requantizesPerAxisWithSaturation() {
        // v = [66126, 94554, 145642] fb 14 (spec example 3, a QFloat of scale S with q_s = 206);
        // range_max [4.5, 6, 0.75] -> fb_out [4, 4, 7]; [64.58, 92.34, 1137.8] -> [65, 92, 127]
        FixedPoint v = FixedPoint.of(Shape.of(1, 1, 3), new int[] {66126, 94554, 145642}, 31, FracBits.of(14));
        FixedPoint out = OutputQuantizer.of(8, true, Axis.PER_AXIS, 8).withRangeMax(4.5f, 6f, 0.75f).quantize(v);
        assertThat(out.copyValues()).containsExactly(65, 92, 127);
        assertThat(out.fracBits()).isEqualTo(FracBits.perAxis(4, 4, 7));
    }

    @Test
    void appliesTheRescalingRateBeforeQuantizingScales() {
        // rate 2: S' = 0.031496063 -> q_s 129 with fb 12; fb_out 4; shift 4 - 16 = -12 -> v / 4096
        FixedPoint out = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8).withRangeMax(8f).withRescalingRate(2f)
                .quantize(example2Buffer());
        assertThat(out.copyValues()).containsExactly(40, 16, -28, 127); // 40.3, 15.75, -28.2, 227.7
    }

    @Test
    void refusesInputsNoWiderThanTheOutput() {
        FixedPoint narrow = FixedPoint.of(Shape.of(1, 1, 1), new int[] {1}, 7, FracBits.of(0));
        assertThatThrownBy(() -> OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8).quantize(narrow))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR))
                .hasMessageContaining("pointless");
    }

    @Test
    void refusesQFloatInputsWithoutScaleBits() {
        assertThatThrownBy(() -> OutputQuantizer.of(8, true, Axis.PER_TENSOR, null).quantize(example2Buffer()))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR));
    }

    @Test
    void refusesPerAxisOnRankTwo() {
        FixedPoint x = FixedPoint.of(Shape.of(1, 2), new int[] {1, 2}, 31, FracBits.of(0));
        assertThatThrownBy(() -> OutputQuantizer.of(8, true, Axis.PER_AXIS, 8).quantize(x))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR));
    }

    @Test
    void refusesOutputFracBitsThatAlwaysSaturate() {
        // range_max tiny: fb_out = 7 - ceil(log2(2^-10)) = 17 (clamped to 7) -> shift 7 - 0 = 7 >= 7
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 1), new int[] {1}, 31, FracBits.of(0));
        assertThatThrownBy(() -> OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8).withRangeMax(0x1p-10f).quantize(x))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.INVALID_ARGUMENT));
    }

    @Test
    void readsAndWritesQuantizemlConfig() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("bitwidth", 4);
        cfg.put("axis", "per-axis");
        cfg.put("scale_bits", null);
        OutputQuantizer q = OutputQuantizer.fromConfig(cfg);
        assertThat(q.valueBits()).isEqualTo(3);
        assertThat(q.scaleBits()).isNull();
        assertThat(q.getConfig()).containsEntry("axis", "per-axis").containsEntry("signed", true)
                .containsEntry("scale_bits", null);
        assertThatThrownBy(() -> OutputQuantizer.fromConfig(Map.of("axis", "per-channel")))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR));
    }

    @Test
    void validatesCalibratedVariables() {
        OutputQuantizer q = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8);
        assertThat(q.isCalibrationRequired()).isTrue();
        assertThat(q.withRangeMax(3f).isCalibrationRequired()).isFalse();
        assertThatThrownBy(() -> q.withRangeMax(1f, 2f)).hasMessage("rangeMax must have 1 element (per-tensor), got 2");
        assertThatThrownBy(() -> q.withRangeMax(-1f)).hasMessage("rangeMax must be finite and >= 0, got -1.0 at index 0");
        assertThatThrownBy(() -> q.withRescalingRate(0f)).hasMessageContaining("must be finite and > 0");
    }

    @Test
    void aVariableNeverSetEqualsOneSetToOnes() {
        OutputQuantizer fresh = OutputQuantizer.of(8, true, Axis.PER_AXIS, 8);
        assertThat(fresh.withRescalingRate(1f, 1f)).isEqualTo(fresh).hasSameHashCodeAs(fresh);
        assertThat(fresh.withRangeMax(1f, 2f)).isNotEqualTo(fresh);
    }

    @Test
    void promotesToItsBufferBitwidthUnderQuantizeml0171SoTheProductClipsAt2To32() {
        // y = 2^31 (vb 31, fb 0), scale 0.5: ceil_log2(0.5) = -1, fb_s = 8 + 1 = 9,
        // q_s = sat_8(rint(0.5 * 2^9)) = sat_8(256) = 255; y * q_s = 255 * 2^31 (exact in float32).
        // 0.5.2 clips it to the input's 31 value bits: 2^31; 0.17.1 to the promoted P = 32: 2^32.
        // range_max 2^28: fb_out = 7 - 28 = -21, shift = -21 - 9 = -30;
        // 0.5.2: floor(2^31 * 2^-30 + 0.5) = floor(2.5) = 2; 0.17.1: floor(2^32 * 2^-30 + 0.5) = 4.
        Reference v017 = Reference.defaults().withQuantizeml(Reference.Quantizeml.V0_17_1);
        QFloat y = QFloat.of(FixedPoint.of(Shape.of(1, 1, 1), new long[] {1L << 31}, 31, FracBits.of(0)),
                Scales.of(0.5f));
        OutputQuantizer q = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8).withRangeMax((float) (1 << 28));
        FixedPoint scaledOld = q.scaled(y, io.github.qbn4j.Reference.defaults());
        FixedPoint scaledNew = q.scaled(y, v017);
        assertThat(scaledOld.valueBits()).isEqualTo(31);
        assertThat(scaledOld.copyValues()).containsExactly(1L << 31);
        assertThat(scaledNew.valueBits()).isEqualTo(32);
        assertThat(scaledNew.fracBits()).isEqualTo(FracBits.of(9));
        assertThat(scaledNew.copyValues()).containsExactly(1L << 32);
        assertThat(q.quantize(y).copyValues()).containsExactly(2);
        assertThat(q.quantize(y, v017).copyValues()).containsExactly(4);
        // buffer_bitwidth 40: the product 255 * 2^31 is kept whole (< 2^40), floor(255 * 2 + 0.5) = 510 -> 127
        assertThat(q.withBufferBitwidth(40).scaled(y, v017).copyValues()).containsExactly(255L << 31);
    }

    @Test
    void checksItsBufferBitwidthAtCallInQuantizemlOrder() {
        Reference v017 = Reference.defaults().withQuantizeml(Reference.Quantizeml.V0_17_1);
        QFloat y = QFloat.of(FixedPoint.of(Shape.of(1, 1, 1), new long[] {5}, 31, FracBits.of(0)), Scales.of(0.5f));
        OutputQuantizer q = OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8);
        assertThat(((QuantizationException) catchThrowable(() -> q.withBufferBitwidth(32.0).quantize(y, v017)))
                .referenceError()).isEqualTo(ReferenceError.TYPE_ERROR);
        assertThat(((QuantizationException) catchThrowable(() -> q.withBufferBitwidth("32").quantize(y, v017)))
                .referenceError()).isEqualTo(ReferenceError.TYPE_ERROR);
        assertThat(((QuantizationException) catchThrowable(() -> q.withBufferBitwidth(null).quantize(y, v017)))
                .referenceError()).isEqualTo(ReferenceError.TYPE_ERROR);
        // a Python bool is an int: True promotes to 1 value bit, below the input's 31
        assertThatThrownBy(() -> q.withBufferBitwidth(true).quantize(y, v017)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("must be >= the 31 value bits of its input");
        assertThatThrownBy(() -> q.withBufferBitwidth(-1).quantize(y, v017)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("must be >= 0, got -1");
        assertThatThrownBy(() -> q.withBufferBitwidth(30).quantize(y, v017)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("got 30");
        // scale_bits None comes first
        OutputQuantizer noScaleBits = OutputQuantizer.of(8, true, Axis.PER_TENSOR, null).withBufferBitwidth("x");
        assertThatThrownBy(() -> noScaleBits.quantize(y, v017)).hasMessageContaining("scale_bits must be set");
        // 0.5.2 does not know the key
        assertThatThrownBy(() -> OutputQuantizer.fromConfig(Map.of("buffer_bitwidth", 32)))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("unknown key \"buffer_bitwidth\"");
        assertThat(OutputQuantizer.fromConfig(Map.of("buffer_bitwidth", 32), Reference.Quantizeml.V0_17_1)
                .getConfig()).containsEntry("buffer_bitwidth", 32);
    }
}
