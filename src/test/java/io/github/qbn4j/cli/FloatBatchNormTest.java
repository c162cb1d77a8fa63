package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import static io.github.qbn4j.cli.CliRunner.FIXTURES;
import static io.github.qbn4j.cli.CliRunner.MODELS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.io.KerasBatchNormalization;
import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.io.NpyArray;
import io.github.qbn4j.io.Npz;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FloatBatchNormTest {

    @ParameterizedTest
    @ValueSource(strings = {"rank2", "rank3", "rank4"})
    void givesKerasFloat32OutputsBitForBit(String rank) throws IOException {
        Map<String, NpyArray> a = Npz.read(FIXTURES.resolve("float_bn_reference.npz"));
        FloatBatchNorm bn = new FloatBatchNorm(a.get(rank + "/gamma").toFloatArray(), a.get(rank + "/beta").toFloatArray(),
                a.get(rank + "/moving_mean").toFloatArray(), a.get(rank + "/moving_variance").toFloatArray(),
                a.get(rank + "/epsilon").getDouble(0), Reference.defaults()); // fixtures made on Intel
        NpyArray x = a.get(rank + "/x");
        float[] expected = a.get(rank + "/y").toFloatArray();
        float[] actual = bn.apply(Shape.of(x.shape()), x.toFloatArray());
        assertBitsEqual(actual, expected, rank);
    }

    @Test
    void givesWhatQuantizemlsCalibrationObserved() throws IOException {
        Map<String, NpyArray> observed = Npz.read(MODELS.resolve("calibration.npz"));
        for (String layer : new String[] {"bn_add", "bn_relu"}) {
            KerasBatchNormalization k = KerasModels.load(MODELS.resolve("keras2_model.h5"), layer);
            FloatBatchNorm bn = new FloatBatchNorm(k.gamma(), k.beta(), k.movingMean(), k.movingVariance(), k.epsilon(),
                    Reference.defaults());
            Map<String, NpyArray> inputs = Npz.read(FIXTURES.resolve(layer + "_samples.npz"));
            for (int b = 0; b < 2; b++) {
                NpyArray x = inputs.get("batch" + b);
                assertBitsEqual(bn.apply(Shape.of(x.shape()), x.toFloatArray()),
                        observed.get(layer + "/batch" + b).toFloatArray(), layer + " batch " + b);
            }
        }
    }

    @Test
    void refusesOtherRanksAndChannelCounts() {
        FloatBatchNorm bn = new FloatBatchNorm(new float[] {1f, 2f}, new float[2], new float[2], new float[] {1f, 1f}, 1e-3,
                Reference.defaults());
        assertThatThrownBy(() -> bn.apply(Shape.of(4), new float[4])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rank 2 to 4");
        assertThatThrownBy(() -> bn.apply(Shape.of(1, 3), new float[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("samples have 3 channels, expected 2 (shape [1, 3])");
    }

    private static void assertBitsEqual(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        int differ = 0;
        int first = -1;
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                differ++;
                first = first < 0 ? i : first;
            }
        }
        assertThat(differ).as("%s: %d of %d differ, first at %d: actual %s, expected %s", what, differ, actual.length,
                first, first < 0 ? "" : actual[first], first < 0 ? "" : expected[first]).isZero();
    }
}
