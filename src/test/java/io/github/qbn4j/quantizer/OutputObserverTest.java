package io.github.qbn4j.quantizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.io.NpyArray;
import io.github.qbn4j.io.Npz;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OutputObserver against {@code src/test/resources/models/observer_reference.npz}, written by
 * {@code observer_reference.py} with quantizeml 0.5.2's {@code OutputObserver} and
 * {@code calibrate._set_and_equalize}.
 */
class OutputObserverTest {

    private static Map<String, NpyArray> reference;

    @BeforeAll
    static void readReference() throws IOException, URISyntaxException {
        reference = Npz.read(Path.of(OutputObserverTest.class.getResource("/models/observer_reference.npz").toURI()));
    }

    private static TreeSet<String> cases(String kind) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : reference.keySet()) {
            if (key.startsWith(kind + "/")) {
                names.add(key.split("/")[1]);
            }
        }
        return names;
    }

    private static Shape shape(NpyArray a) {
        return Shape.of(a.shape());
    }

    private static String bits(float[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (float v : values) {
            sb.append(v).append(" (0x").append(Integer.toHexString(Float.floatToRawIntBits(v))).append(") ");
        }
        return sb.append(']').toString();
    }

    @Test
    void observesRangesExactlyAsQuantizeml() {
        TreeSet<String> cases = cases("observe");
        assertThat(cases).hasSizeGreaterThanOrEqualTo(10);
        for (String c : cases) {
            String p = "observe/" + c + "/";
            long axis = reference.get(p + "axis").getLong(0);
            int batches = (int) reference.get(p + "batches").getLong(0);
            NpyArray first = reference.get(p + "batch0");
            OutputObserver obs = (axis == 0 ? OutputObserver.perTensor() : OutputObserver.perAxis(shape(first).channels()))
                    .withMomentum(reference.get(p + "momentum").getDouble(0));
            for (int i = 0; i < batches; i++) {
                NpyArray batch = reference.get(p + "batch" + i);
                obs = obs.observe(shape(batch), batch.toFloatArray());
                float[] expected = reference.get(p + "range" + i).toFloatArray();
                assertThat(obs.rangeMax()).as("%s after batch %d: %s vs %s", c, i, bits(obs.rangeMax()), bits(expected))
                        .usingElementComparator((a, b) -> Integer.compare(Float.floatToRawIntBits(a),
                                Float.floatToRawIntBits(b)))
                        .containsExactly(expected);
            }
        }
    }

    @Test
    void equalisesExactlyAsQuantizeml() {
        TreeSet<String> cases = cases("equalize");
        assertThat(cases).containsExactly("per_axis_4", "per_axis_8", "per_tensor_4", "per_tensor_8");
        for (String c : cases) {
            String p = "equalize/" + c + "/";
            int bitwidth = (int) reference.get(p + "bitwidth").getLong(0);
            NpyArray ranges = reference.get(p + "ranges");
            float[] r = ranges.toFloatArray();
            float[] rangeMax = reference.get(p + "range_max").toFloatArray();
            float[] rate = reference.get(p + "rescaling_rate").toFloatArray();
            int width = ranges.rank() == 1 ? 1 : ranges.shape()[1];
            for (int row = 0; row < r.length / width; row++) {
                float[] in = java.util.Arrays.copyOfRange(r, row * width, (row + 1) * width);
                OutputObserver.Equalization eq = OutputObserver.equalize(bitwidth, in);
                float[] expectedMax = java.util.Arrays.copyOfRange(rangeMax, row * width, (row + 1) * width);
                float[] expectedRate = java.util.Arrays.copyOfRange(rate, row * width, (row + 1) * width);
                assertThat(eq.rangeMax()).as("%s row %d range_max for %s", c, row, bits(in)).containsExactly(expectedMax);
                assertThat(eq.rescalingRate()).as("%s row %d rescaling_rate for %s", c, row, bits(in))
                        .containsExactly(expectedRate);
            }
        }
    }

    @Test
    void takesTheFirstBatchAsItIs() {
        OutputObserver obs = OutputObserver.perTensor().observe(Shape.of(1, 1, 3), new float[] {0.5f, -7f, 2f});

        assertThat(obs.rangeMax()).containsExactly(7f);
    }

    @Test
    void movesTowardsLaterBatchesWithMomentum() {
        OutputObserver obs = OutputObserver.perTensor()
                .observe(Shape.of(1, 1, 1), new float[] {3f})
                .observe(Shape.of(1, 1, 1), new float[] {2f});

        // 3 - (3 - 2) * float32(1 - 0.9): float32(0.09999999999999998) is 0.1f
        assertThat(obs.rangeMax()).containsExactly(3f - (3f - 2f) * 0.1f);
        assertThat(obs.rangeMax()).containsExactly(2.9f);
    }

    @Test
    void takesTheNextBatchAsFirstWhenTheRangeIsExactlyOneEverywhere() {
        OutputObserver one = OutputObserver.perAxis(2).observe(Shape.of(1, 1, 2), new float[] {1f, -1f});
        OutputObserver next = one.observe(Shape.of(1, 1, 2), new float[] {4f, 2f});

        assertThat(one.isAtInitialValue()).isTrue();
        assertThat(next.rangeMax()).containsExactly(4f, 2f);
    }

    @Test
    void appliesMomentumWhenOnlySomeChannelsAreOne() {
        OutputObserver obs = OutputObserver.perAxis(2).observe(Shape.of(1, 1, 2), new float[] {1f, 3f})
                .observe(Shape.of(1, 1, 2), new float[] {5f, 1f});

        assertThat(obs.rangeMax()).containsExactly(1f - (1f - 5f) * 0.1f, 3f - (3f - 1f) * 0.1f);
    }

    @Test
    void isImmutable() {
        OutputObserver start = OutputObserver.perTensor();
        float[] range = start.rangeMax();
        range[0] = 42f;

        start.observe(Shape.of(1, 1, 1), new float[] {9f});

        assertThat(start.rangeMax()).containsExactly(1f);
        assertThat(start.isAtInitialValue()).isTrue();
    }

    @Test
    void readsSubnormalSamplesAsZero() {
        OutputObserver obs = OutputObserver.perTensor().observe(Shape.of(1, 1, 1), new float[] {-Float.MIN_VALUE});

        assertThat(obs.rangeMax()).containsExactly(0f);
    }

    @Test
    void rejectsAPerAxisObservationOfRankTwo() {
        assertThatThrownBy(() -> OutputObserver.perAxis(3).observe(Shape.of(2, 3), new float[6]))
                .isInstanceOf(QuantizationException.class)
                .hasMessage("input rank must be >= 3 for a per-axis OutputObserver, got 2");
    }

    @Test
    void rejectsBadBatches() {
        OutputObserver obs = OutputObserver.perAxis(3);

        assertThatThrownBy(() -> obs.observe(Shape.of(1, 1, 4), new float[4]))
                .hasMessage("samples have 4 channels, expected 3 (shape [1, 1, 4])");
        assertThatThrownBy(() -> obs.observe(Shape.of(1, 1, 3), new float[4]))
                .hasMessage("samples must have 3 elements (shape [1, 1, 3]), got 4");
        assertThatThrownBy(() -> obs.observe(Shape.of(0, 1, 3), new float[0]))
                .hasMessage("samples must not be empty, got shape [0, 1, 3]");
        assertThatThrownBy(() -> obs.observe(Shape.of(1, 1, 3), new float[] {0f, Float.NaN, 0f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("samples must be finite, got NaN at ");
        assertThatThrownBy(() -> OutputObserver.perAxis(0)).hasMessage("channels must be >= 1, got 0");
        assertThatThrownBy(() -> obs.withMomentum(Double.NaN)).hasMessage("momentum must be finite, got NaN");
    }

    @Test
    void forcesTheRateToOneForAZeroRange() {
        OutputObserver.Equalization eq = OutputObserver.equalize(8, 0f, 15.837258f);

        assertThat(eq.rangeMax()).containsExactly(0f, 7.96875f);
        assertThat(eq.rescalingRate()[0]).isEqualTo(1f);
        assertThat(eq.rescalingRate()[1]).isEqualTo(7.96875f / 15.837258f);
    }

    @Test
    void givesAQuantizerItsRangeOrItsEqualisedRangeAndRate() {
        OutputQuantizer q = OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_AXIS, 8);
        OutputObserver obs = OutputObserver.perAxis(2).observe(Shape.of(1, 1, 2), new float[] {15.837258f, 3f});

        OutputQuantizer plain = obs.applyTo(q);
        OutputQuantizer equalized = OutputObserver.equalize(8, obs.rangeMax()).applyTo(q);

        assertThat(plain.rangeMax(2)).containsExactly(15.837258f, 3f);
        assertThat(plain.rescalingRate(2)).containsExactly(1f, 1f);
        assertThat(equalized.rangeMax(2)).containsExactly(7.96875f, 1.9921875f);
        assertThat(equalized.rescalingRate(2)).containsExactly(7.96875f / 15.837258f, 1.9921875f / 3f);
    }

    @Test
    void refusesMismatchedQuantizersAndRanges() {
        OutputQuantizer perTensor = OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_TENSOR, 8);

        assertThatThrownBy(() -> OutputObserver.perAxis(2).applyTo(perTensor))
                .hasMessage("quantizer axis must be per-axis, got per-tensor");
        assertThatThrownBy(() -> OutputObserver.equalize(4, 3f).applyTo(perTensor))
                .hasMessage("quantizer bitwidth must be 4, got 8");
        assertThatThrownBy(() -> OutputObserver.equalize(8, 1.5e-38f).applyTo(perTensor))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rescalingRate must be finite and > 0");
        assertThatThrownBy(() -> OutputObserver.equalize(8, -1f)).hasMessage("rangeMax must be finite and >= 0, got -1.0 at index 0");
        assertThatThrownBy(() -> OutputObserver.equalize(0, 1f)).hasMessage("bitwidth must be in [1, 31], got 0");
        assertThatThrownBy(() -> OutputObserver.equalize(8)).hasMessage("rangeMax must have at least 1 element, got 0");
    }

    @Test
    void describesItselfShortly() {
        assertThat(OutputObserver.perAxis(2)).hasToString("OutputObserver[axis=per-axis, momentum=0.9, rangeMax=[1.0, 1.0]]");
        assertThat(OutputObserver.of(OutputQuantizer.Axis.PER_TENSOR, 5).axis()).isEqualTo(OutputQuantizer.Axis.PER_TENSOR);
        assertThat(OutputObserver.equalize(8, 3f)).hasToString("Equalization[bitwidth=8, rangeMax=[1.9921875], "
                + "rescalingRate=[0.6640625]]");
    }
}
