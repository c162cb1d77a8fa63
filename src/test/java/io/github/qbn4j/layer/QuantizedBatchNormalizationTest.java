package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Expected outputs are those printed by quantizeml 0.5.2 for the same layers and inputs
 * (src/test/resources/reference/unit_reference.py / .txt, quoted by tag); the spec's §6 works the
 * first three through by hand.
 */
class QuantizedBatchNormalizationTest {

    private static QuantizedBatchNormalization.Builder example() {
        return QuantizedBatchNormalization.builder().gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f)
                .movingVariance(3.999f, 0.999f);
    }

    private static final QuantConfig PER_TENSOR_OQ =
            QuantConfig.defaults().withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8));

    @Test
    void example1PerTensorInputWithoutOutputQuantizer() {
        // "ex1": QFloat [[[320, -1780]]], vb 31, fb 2, scale 0.015748031437397003
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));
        QTensor y = example().build().call(x);
        assertThat(y).isEqualTo(QFloat.of(
                FixedPoint.of(Shape.of(1, 1, 2), new int[] {320, -1780}, 31, FracBits.of(2)),
                Scales.of(0.015748031437397003f)));
    }

    @Test
    void example2PerAxisInputPerTensorOutputQuantizer() {
        // "ex2": FixedPoint [[[20, 8], [-14, 114]]], vb 7, fb 4
        FixedPoint x = FixedPoint.of(Shape.of(1, 2, 2), new int[] {10, -20, -7, 33}, 7, FracBits.perAxis(2, 4));
        QTensor y = example().quantConfig(PER_TENSOR_OQ).rangeMax(8f).rescalingRate(1f).build().call(x);
        assertThat(y).isEqualTo(FixedPoint.of(Shape.of(1, 2, 2), new int[] {20, 8, -14, 114}, 7, FracBits.of(4)));
    }

    @Test
    void example3PerAxisOutputQuantizerSaturates() {
        // "ex3": FixedPoint [[[65, 92, 127]]], vb 7, fb [4, 4, 7]
        QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder()
                .gamma(0.8f, -1.2f, 0.3f).beta(0.05f, 0.1f, -0.02f).movingMean(0.5f, -0.25f, 1.0f)
                .movingVariance(0.25f, 1.0f, 0.04f)
                .quantConfig(QuantConfig.defaults().withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_AXIS, 8)))
                .rangeMax(4.5f, 6.0f, 0.75f).rescalingRate(1f, 1f, 1f).build();
        QTensor y = bn.call(FixedPoint.of(Shape.of(1, 1, 3), new int[] {3, -5, 7}, 7, FracBits.of(0)));
        assertThat(y).isEqualTo(FixedPoint.of(Shape.of(1, 1, 3), new int[] {65, 92, 127}, 7, FracBits.perAxis(4, 4, 7)));
    }

    @Test
    void acceptsPerTensorQFloatInputsAndMultipliesScales() {
        // "qfloat": QFloat [[[320, -1020]]], vb 31, fb 2, scale 0.007874015718698502 (0.5 * 2/127)
        QFloat x = QFloat.of(FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2)), Scales.of(0.5f));
        QTensor y = example().build().call(x);
        assertThat(y).isEqualTo(QFloat.of(
                FixedPoint.of(Shape.of(1, 1, 2), new int[] {320, -1020}, 31, FracBits.of(2)),
                Scales.of(0.007874015718698502f)));
    }

    @Test
    void roundsBufferProductsPast2To24AsFloat32() {
        // "big": gamma 1, var 1 -> a_q 127; 16777215 * 127 -> float32 2130706304
        QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder().gamma(1f, 1f).build();
        QTensor y = bn.call(FixedPoint.of(Shape.of(1, 1, 2), new long[] {16777215, -16777216}, 24, FracBits.of(0)));
        assertThat(y.copyValues()).containsExactly(2130706304L, -2130706432L);
        assertThat(((QFloat) y).scales()).isEqualTo(Scales.of(0.007870081812143326f));
    }

    @Test
    void saturatesANarrowBuffer() {
        // "sat16": buffer_bitwidth 16 -> 15 value bits; 100 * 127 = 12700 fits, vb 15
        QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder().gamma(1f, 1f)
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(16)).build();
        QTensor y = bn.call(FixedPoint.of(Shape.of(1, 1, 2), new int[] {100, -100}, 7, FracBits.of(0)));
        assertThat(y.copyValues()).containsExactly(12700, -12700);
        assertThat(y.valueBits()).isEqualTo(15);
        // 7-bit input at the limits of an 8-bit buffer: 127 * 127 and -128 * 127 clip to [-128, 127]
        QuantizedBatchNormalization tiny = QuantizedBatchNormalization.builder().gamma(1f, 1f)
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(8)).build();
        assertThat(tiny.call(FixedPoint.of(Shape.of(1, 1, 2), new int[] {127, -128}, 7, FracBits.of(0))).copyValues())
                .containsExactly(127, -128);
    }

    @Test
    void rejectsRankTwoInput() {
        // "rank2": ValueError
        assertReferenceError(() -> example().build().call(FixedPoint.of(Shape.of(1, 2), new int[] {1, 1}, 7, FracBits.of(0))),
                ReferenceError.VALUE_ERROR, "input rank must be 3 or 4, got 2");
    }

    @Test
    void appliesQuantizeml052AxisRule() {
        FixedPoint x4 = FixedPoint.of(Shape.of(1, 1, 1, 2), new int[] {0, 0}, 7, FracBits.of(0));
        // "axis_3_1": accepted; "axis_1_3": ValueError; "axis_1": accepted and normalizes the last axis
        assertThat(example().axes(3, 1).build().call(x4).copyValues()).containsExactly(0, 190);
        assertReferenceError(() -> example().axes(1, 3).build().call(x4), ReferenceError.VALUE_ERROR,
                "axis must be the last dimension");
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));
        assertThat(example().axis(1).build().call(x).copyValues()).containsExactly(320, -1780);
        assertReferenceError(() -> example().axis(3).build().call(x), ReferenceError.VALUE_ERROR, "axis must be in [-3, 2]");
        assertReferenceError(() -> example().axes(2, -1).build().call(x), ReferenceError.VALUE_ERROR, "must not repeat");
    }

    @Test
    void rejectsValueBitsAboveTheBuffer() {
        // "vb_above_buffer": 16-bit input, buffer_bitwidth 16 (15 value bits) -> ValueError
        QuantizedBatchNormalization bn = example().quantConfig(QuantConfig.defaults().withBufferBitwidth(16)).build();
        assertReferenceError(() -> bn.call(FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 1}, 16, FracBits.of(0))),
                ReferenceError.VALUE_ERROR, "input value bits must be <= the 15 value bits of the buffer");
    }

    @Test
    void rejectsPerAxisQFloatInputs() {
        // "qfloat_per_axis": InvalidArgumentError
        QFloat x = QFloat.of(FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2)),
                Scales.perAxis(0.5f, 0.25f));
        assertReferenceError(() -> example().build().call(x), ReferenceError.INVALID_ARGUMENT, "must be per-tensor");
    }

    @Test
    void rejectsFracBitSpreadsThatSaturate() {
        // "spread31": InvalidArgumentError in expand; "spread30": InvalidArgumentError when aligning b
        QuantizedBatchNormalization bn = example().build();
        assertReferenceError(() -> bn.call(FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 1}, 7, FracBits.perAxis(0, 31))),
                ReferenceError.INVALID_ARGUMENT, "to upscale");
        assertReferenceError(() -> bn.call(FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 1}, 7, FracBits.perAxis(0, 30))),
                ReferenceError.INVALID_ARGUMENT, "shift must be < 31");
    }

    @Test
    void rejectsAnOutputQuantizerAsWideAsTheBuffer() {
        // "oq_pointless": ValueError
        QuantizedBatchNormalization bn = example().quantConfig(PER_TENSOR_OQ.withBufferBitwidth(8)).rangeMax(8f).build();
        assertReferenceError(() -> bn.call(FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2))),
                ReferenceError.VALUE_ERROR, "pointless");
    }

    @Test
    void rejectsBadParametersBeforeAnyCall() {
        assertThatThrownBy(() -> example().beta(1f).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("beta must have 2 elements (the channel count given by gamma), got 1");
        assertThatThrownBy(() -> example().gamma(1f, Float.NaN).build())
                .hasMessage("gamma must be finite, got NaN at index 1");
        assertThatThrownBy(() -> example().movingVariance(-1f, 1f).epsilon(1e-3).build())
                .hasMessageStartingWith("moving_variance + epsilon must be > 0 in float32, got -1.0 + 0.001");
        assertThatThrownBy(() -> example().gamma(3e38f, 1f).movingVariance(0f, 1f).build())
                .hasMessageStartingWith("a = gamma * rsqrt(moving_variance + epsilon) must be finite");
        assertThatThrownBy(() -> example().rangeMax(1f).build()).hasMessageContaining("without an output_quantizer");
        assertThatThrownBy(() -> example().build().call(FixedPoint.of(Shape.of(1, 1, 3), new int[3], 7, FracBits.of(0))))
                .isNotInstanceOf(QuantizationException.class).hasMessage(
                        "input has 3 channels, expected 2 (layer \"quantized_batch_normalization\")");
    }

    @Test
    void writesDefaultsBackIntoTheConfigAsQuantizemlDoes() {
        // quantizeml get_config() after construction with quant_config=None:
        // {'a_quantizer': {'bitwidth': 8}, 'buffer_bitwidth': 32}, epsilon 0.001
        Map<String, Object> config = example().build().getConfig();
        assertThat(config).containsEntry("name", "quantized_batch_normalization").containsEntry("epsilon", 1e-3)
                .containsEntry("axis", -1);
        assertThat(config.get("quant_config")).isEqualTo(Map.of("a_quantizer", Map.of("bitwidth", 8), "buffer_bitwidth", 32));
        assertThat(example().axes(3).build().getConfig().get("axis")).isEqualTo(List.of(3));
    }

    @Test
    void foldExposesTheReferenceIntermediates() {
        // Example 2 by hand: a_q [32, 127] scale 2/127; expand shift [2, 0]; F = 4;
        // b_q [0, 95] with fb -1, shift 5; q_s 129 (fb 13); fb_out 4; out shift 4 - 4 - 13 = -13
        QuantizedBatchNormalization bn = example().quantConfig(PER_TENSOR_OQ).rangeMax(8f).build();
        Folding f = bn.fold(7, FracBits.perAxis(2, 4), null);
        assertThat(f.a().copyValues()).containsExactly(32, 127);
        assertThat(f.inputShift()).containsExactly(2, 0);
        assertThat(f.bufferFracBits()).isEqualTo(FracBits.of(4));
        assertThat(f.bUnaligned().copyValues()).containsExactly(0, 95);
        assertThat(f.bUnaligned().fracBits()).isEqualTo(FracBits.of(-1));
        assertThat(f.bShift()).containsExactly(5, 5);
        assertThat(f.bAligned().copyValues()).containsExactly(0, 3040);
        assertThat(f.quantizedOutputScales().copyValues()).containsExactly(129);
        assertThat(f.outputFracBits()).isEqualTo(FracBits.of(4));
        assertThat(f.outputShift()).containsExactly(-13, -13);
    }

    private static void assertReferenceError(ThrowingCallable call, ReferenceError kind, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(QuantizationException.class,
                e -> assertThat(e.referenceError()).isEqualTo(kind)).hasMessageContaining(message);
    }

    @Test
    void quantizeml0171RoundsTheExpandedInputOnCallAndOnEveryKernel() {
        // gamma 1, variance 0.999 + eps 0.001 = 1.0 (float32): rsqrt(1) = 1 on the tail lanes (C = 2),
        // a = [1, 1], s_a = 1/127, a_q = [127, 127]; beta = mean = 0, so b = 0.
        // x: 24 value bits, fb [0, 1], values [2, 8388609]; F = 1, shifts [1, 0].
        // channel 0: 2 * 2 = 4, 4 * 127 = 508 (both releases).
        // channel 1, 0.5.2: 8388609 * 127 = 1065353343, float32 (spacing 64 past 2^29) 1065353344;
        //            0.17.1: floor(float32(8388609 + 0.5)) = 8388610, * 127 = 1065353470 -> 1065353472.
        Reference v017 = Reference.defaults().withQuantizeml(Reference.Quantizeml.V0_17_1);
        QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder().gamma(1f, 1f)
                .movingVariance(0.999f, 0.999f).build();
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new long[] {2, 8388609}, 24, FracBits.perAxis(0, 1));
        assertThat(bn.call(x).copyValues()).containsExactly(508, 1065353344);
        assertThat(bn.call(x, v017).copyValues()).containsExactly(508, 1065353472);
        Plan plan = bn.compile(x, v017);
        assertThat(plan.integerKernelProven()).isFalse(); // x * a passes 2^24 anyway
        assertThat(plan.canRun(Plan.Kernel.VECTOR_FLOAT32)).isFalse();
        assertThat(plan.vectorFloat32Verdict()).contains("rounds odd inputs");
        for (Plan.Kernel k : Plan.Kernel.values()) {
            if (plan.canRun(k)) {
                assertThat(plan.withKernel(k).apply(x).copyValues()).as("%s", k).containsExactly(508, 1065353472);
            }
        }
        // a 2-bit a_quantizer (1 value bit): s_a = 1 / (2^1 - 1) = 1, a_q = [1, 1]; with fb [1, 1] both
        // shifts are 0 and |x| <= 2^24 keeps every bound within 2^24, so only the rounding keeps the
        // integer kernel out: 0.5.2 [2, 8388609], 0.17.1 [2, 8388610]
        QuantizedBatchNormalization one = QuantizedBatchNormalization.builder().gamma(1f, 1f)
                .movingVariance(0.999f, 0.999f)
                .quantConfig(QuantConfig.defaults().withAQuantizer(io.github.qbn4j.quantizer.WeightQuantizer.of(2, true)))
                .build();
        FixedPoint same = FixedPoint.of(Shape.of(1, 1, 2), new long[] {2, 8388609}, 24, FracBits.perAxis(1, 1));
        assertThat(one.call(same).copyValues()).containsExactly(2, 8388609);
        assertThat(one.compile(same).integerKernelProven()).isTrue();
        Plan onePlan = one.compile(same, v017);
        assertThat(onePlan.integerKernelVerdict()).contains("rounds odd inputs");
        for (Plan.Kernel k : Plan.Kernel.values()) {
            if (onePlan.canRun(k)) {
                assertThat(onePlan.withKernel(k).apply(same).copyValues()).as("%s", k).containsExactly(2, 8388610);
            }
        }
        // 23 value bits cannot hold an odd value in [2^23, 2^24): the vector kernel is exact again
        FixedPoint narrow = FixedPoint.of(Shape.of(1, 1, 2), new long[] {2, 8388607}, 23, FracBits.perAxis(0, 1));
        assertThat(bn.compile(narrow, v017).vectorFloat32Verdict()).isEqualTo("exact");
    }

    @Test
    void quantizeml0171ConfigKeysAreRefusedUnder052AndFpQuantizerFailsTheCall() {
        Map<String, Object> a = new java.util.LinkedHashMap<>();
        a.put("bitwidth", 8);
        a.put("fp_quantizer", true);
        Map<String, Object> cfg = new java.util.LinkedHashMap<>();
        cfg.put("a_quantizer", a);
        assertThatThrownBy(() -> QuantConfig.fromMap(cfg)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("unknown key \"fp_quantizer\"");
        QuantConfig c017 = QuantConfig.fromMap(cfg, Reference.Quantizeml.V0_17_1);
        Reference v017 = Reference.defaults().withQuantizeml(Reference.Quantizeml.V0_17_1);
        QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder().quantConfig(c017).gamma(1f, 2f)
                .reference(v017).build();
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));
        QuantizationException e = catchThrowableOfType(QuantizationException.class, () -> bn.call(x));
        assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR);
        assertThatThrownBy(() -> bn.call(QFloat.of(x, Scales.of(0.5f)))).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("has no len()");
        // a 40-bit buffer: accepted under 0.17.1, refused when the layer is asked for 0.5.2
        QuantConfig wide = QuantConfig.fromMap(Map.of("buffer_bitwidth", 40), Reference.Quantizeml.V0_17_1);
        assertThatThrownBy(() -> QuantConfig.fromMap(Map.of("buffer_bitwidth", 40)))
                .hasMessage("quant_config buffer_bitwidth must be <= 32 (qbn4j supports at most 31 value bits), got 40");
        QuantizedBatchNormalization wideBn = QuantizedBatchNormalization.builder().quantConfig(wide).gamma(1f, 2f)
                .reference(v017).build();
        assertThat(wideBn.call(x).valueBits()).isEqualTo(39);
        assertThatThrownBy(() -> wideBn.call(x, Reference.defaults())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<= 32 under quantizeml 0.5.2");
        assertThat(wideBn.getConfig()).doesNotContainKey("trainable");
        assertThat(QuantizedBatchNormalization.builder().gamma(1f).build().getConfig()).containsEntry("trainable", true);
    }
}
