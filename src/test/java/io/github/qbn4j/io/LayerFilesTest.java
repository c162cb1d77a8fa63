package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerFilesTest {

    @TempDir
    Path dir;

    /** quantizeml's get_config() for the layer of spec §6 Example 3, as Keras writes it. */
    private static final String EXAMPLE3_JSON = "{\"class_name\": \"QuantizedBatchNormalization\", \"config\": {"
            + "\"name\": \"bn3\", \"trainable\": true, \"dtype\": \"float32\", \"batch_input_shape\": [null, 1, 3],"
            + " \"quant_config\": {\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-axis\"},"
            + " \"a_quantizer\": {\"bitwidth\": 8}, \"buffer_bitwidth\": 32},"
            + " \"epsilon\": 0.001, \"axis\": [2]}}";

    private static QuantizedBatchNormalization.Builder example2() {
        return QuantizedBatchNormalization.builder().name("bn2")
                .quantConfig(QuantConfig.defaults().withOutputQuantizer(
                        OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_TENSOR, 8)))
                .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f)
                .rangeMax(8f);
    }

    private static Map<String, NpyArray> example3Weights() {
        Map<String, NpyArray> w = new LinkedHashMap<>();
        w.put("gamma", NpyArray.ofFloat32(new int[] {3}, new float[] {0.8f, -1.2f, 0.3f}));
        w.put("beta", NpyArray.ofFloat32(new int[] {3}, new float[] {0.05f, 0.1f, -0.02f}));
        w.put("moving_mean", NpyArray.ofFloat32(new int[] {3}, new float[] {0.5f, -0.25f, 1.0f}));
        w.put("moving_variance", NpyArray.ofFloat32(new int[] {3}, new float[] {0.25f, 1.0f, 0.04f}));
        w.put("output_quantizer/range_max", NpyArray.ofFloat32(new int[] {3}, new float[] {4.5f, 6f, 0.75f}));
        w.put("output_quantizer/rescaling_rate", NpyArray.ofFloat32(new int[] {3}, new float[] {1f, 1f, 1f}));
        return w;
    }

    private Path json(String text) throws IOException {
        Path file = dir.resolve("layer.json");
        Files.writeString(file, text);
        return file;
    }

    private Path weights(Map<String, NpyArray> arrays) throws IOException {
        Path file = dir.resolve("weights.npz");
        Npz.write(file, arrays);
        return file;
    }

    @Test
    void roundTripsALayerWithAPerTensorOutputQuantizer() throws IOException {
        QuantizedBatchNormalization layer = example2().build();
        LayerFiles.write(dir, layer);
        QuantizedBatchNormalization back = LayerFiles.read(dir.resolve("layer.json"), dir.resolve("weights.npz"));

        assertThat(back.getConfig()).isEqualTo(layer.getConfig());
        assertThat(back.gamma()).containsExactly(layer.gamma());
        assertThat(back.movingVariance()).containsExactly(layer.movingVariance());
        assertThat(back.outputQuantizer().getConfig()).isEqualTo(layer.outputQuantizer().getConfig());
        assertThat(back.outputQuantizer().rangeMax(2)).containsExactly(8f);
        assertThat(back.outputQuantizer().rescalingRate(2)).containsExactly(1f);
        FixedPoint x = FixedPoint.of(Shape.of(1, 2, 2), new int[] {10, -20, -7, 33}, 7, FracBits.perAxis(2, 4));
        assertThat(back.call(x)).isEqualTo(layer.call(x));
    }

    @Test
    void writesPerTensorVariablesAsScalarsAndPerAxisOnesAsVectors() throws IOException {
        LayerFiles.write(dir, example2().build());
        Map<String, NpyArray> w = Npz.read(dir.resolve("weights.npz"));
        assertThat(w).containsOnlyKeys("gamma", "beta", "moving_mean", "moving_variance",
                "output_quantizer/range_max", "output_quantizer/rescaling_rate");
        assertThat(w.get("output_quantizer/range_max").shape()).isEmpty();
        assertThat(w.get("gamma").dtype()).isEqualTo(NpyArray.DType.FLOAT32);

        Path other = dir.resolve("per-axis");
        LayerFiles.write(other, LayerFiles.read(json(EXAMPLE3_JSON), weights(example3Weights())));
        assertThat(Npz.read(other.resolve("weights.npz")).get("output_quantizer/rescaling_rate").shape())
                .containsExactly(3);
    }

    @Test
    void roundTripsALayerWithoutOutputQuantizerAndAnAxisList() throws IOException {
        QuantizedBatchNormalization layer = QuantizedBatchNormalization.builder().name("plain")
                .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f)
                .epsilon(1e-5).axes(2).build();
        LayerFiles.write(dir, layer);
        QuantizedBatchNormalization back = LayerFiles.read(dir.resolve("layer.json"), dir.resolve("weights.npz"));
        assertThat(back.getConfig()).isEqualTo(layer.getConfig());
        assertThat(back.getConfig().get("axis")).isEqualTo(List.of(2));
        assertThat(back.epsilon()).isEqualTo(1e-5);
        assertThat(Npz.read(dir.resolve("weights.npz"))).containsOnlyKeys("gamma", "beta", "moving_mean",
                "moving_variance");
    }

    @Test
    void readsKerasConfigIgnoringBaseKeys() throws IOException {
        QuantizedBatchNormalization layer = LayerFiles.read(json(EXAMPLE3_JSON), weights(example3Weights()));
        assertThat(layer.name()).isEqualTo("bn3");
        assertThat(layer.outputQuantizer().axis()).isEqualTo(OutputQuantizer.Axis.PER_AXIS);
        assertThat(layer.outputQuantizer().rangeMax(3)).containsExactly(4.5f, 6f, 0.75f);
        // spec §6 Example 3
        FixedPoint y = (FixedPoint) layer.call(FixedPoint.of(Shape.of(1, 1, 3), new int[] {3, -5, 7}, 7, FracBits.of(0)));
        assertThat(y.copyValues()).containsExactly(65, 92, 127);
        assertThat(y.fracBits()).isEqualTo(FracBits.perAxis(4, 4, 7));
    }

    @Test
    void usesQuantizemlDefaultsForAbsentConfigKeys() throws IOException {
        Map<String, NpyArray> w = example3Weights();
        w.remove("output_quantizer/range_max");
        w.remove("output_quantizer/rescaling_rate");
        QuantizedBatchNormalization layer = LayerFiles.read(
                json("{\"class_name\": \"QuantizedBatchNormalization\", \"config\": {}}"), weights(w));
        assertThat(layer.epsilon()).isEqualTo(1e-3);
        assertThat(layer.getConfig().get("axis")).isEqualTo(-1);
        assertThat(layer.quantConfig()).isEqualTo(QuantConfig.defaults());
    }

    @Test
    void keepsPythonsIntFloatDistinction() throws IOException {
        Path file = json(EXAMPLE3_JSON.replace("\"bitwidth\": 8, \"axis\"", "\"bitwidth\": 8.0, \"axis\""));
        Path w = weights(example3Weights());
        QuantizationException e = catchThrowableOfType(QuantizationException.class,
                () -> LayerFiles.read(file, w));
        assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR);
        assertThat(e).hasMessageContaining("bitwidth must be an int >= 2, got 8.0");
    }

    @Test
    void refusesAnotherClassNameNamingIt() throws IOException {
        Path file = json(EXAMPLE3_JSON.replace("\"QuantizedBatchNormalization\"", "\"QuantizedConv2D\""));
        Path w = weights(example3Weights());
        assertThatThrownBy(() -> LayerFiles.read(file, w))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("class_name must be \"QuantizedBatchNormalization\", got \"QuantizedConv2D\"");
    }

    @Test
    void refusesAMissingClassNameOrConfig() throws IOException {
        Path w = weights(example3Weights());
        Path noClass = json("{\"config\": {}}");
        assertThatThrownBy(() -> LayerFiles.read(noClass, w))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("'class_name' is missing");
        Path noConfig = json("{\"class_name\": \"QuantizedBatchNormalization\"}");
        assertThatThrownBy(() -> LayerFiles.read(noConfig, w))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("'config' must be a JSON object");
        Path array = json("[1, 2]");
        assertThatThrownBy(() -> LayerFiles.read(array, w))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("top level must be a JSON object");
    }

    @Test
    void reportsMalformedJsonWithItsByteOffset() throws IOException {
        String text = "{\"class_name\": \"QuantizedBatchNormalization\", \"config\": {\"epsilon\": 0.001,}}";
        Path file = json(text);
        Path w = weights(example3Weights());
        FileFormatException e = catchThrowableOfType(FileFormatException.class, () -> LayerFiles.read(file, w));
        assertThat(e.fileName()).isEqualTo(file.toString());
        assertThat(e.byteOffset()).isBetween((long) text.indexOf(",}"), (long) text.indexOf(",}") + 2);
        assertThat(e).hasMessageContaining("malformed JSON").hasMessageContaining("(at byte ");
    }

    @Test
    void refusesTrailingContentAfterTheJsonObject() throws IOException {
        Path file = json(EXAMPLE3_JSON + " {}");
        Path w = weights(example3Weights());
        assertThatThrownBy(() -> LayerFiles.read(file, w))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("malformed JSON");
    }

    @Test
    void leavesUnknownQuantConfigKeysToQuantConfig() throws IOException {
        Path file = json(EXAMPLE3_JSON.replace("\"buffer_bitwidth\": 32", "\"buffer_bitwdth\": 32"));
        Path w = weights(example3Weights());
        assertThatThrownBy(() -> LayerFiles.read(file, w))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key \"buffer_bitwdth\"");
    }

    @Test
    void refusesConfigValuesOfTheWrongJsonType() throws IOException {
        Path w = weights(example3Weights());
        Path eps = json(EXAMPLE3_JSON.replace("\"epsilon\": 0.001", "\"epsilon\": \"small\""));
        assertThatThrownBy(() -> LayerFiles.read(eps, w))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config epsilon must be a number, got \"small\"");
        Path axis = json(EXAMPLE3_JSON.replace("\"axis\": [2]", "\"axis\": 1.5"));
        assertThatThrownBy(() -> LayerFiles.read(axis, w))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config axis must be an int or a list of ints");
        Path qc = json(EXAMPLE3_JSON.replace("\"quant_config\": {", "\"quant_config\": 3, \"x\": {"));
        assertThatThrownBy(() -> LayerFiles.read(qc, w))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quant_config must be a dict or null");
    }

    @Test
    void refusesAMissingWeightNamingIt() throws IOException {
        Path file = json(EXAMPLE3_JSON);
        for (String key : example3Weights().keySet()) {
            Map<String, NpyArray> m = example3Weights();
            m.remove(key);
            Path w = weights(m);
            assertThatThrownBy(() -> LayerFiles.read(file, w))
                    .as(key)
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining(w.toString())
                    .hasMessageContaining("'" + key + "' is missing");
        }
    }

    @Test
    void refusesAnExtraWeight() throws IOException {
        Path file = json(EXAMPLE3_JSON);
        Map<String, NpyArray> m = example3Weights();
        m.put("kernel", NpyArray.scalarFloat32(1f));
        Path w = weights(m);
        assertThatThrownBy(() -> LayerFiles.read(file, w))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("'kernel' is unexpected");
    }

    @Test
    void refusesOutputQuantizerVariablesWithoutAnOutputQuantizer() throws IOException {
        Path file = json("{\"class_name\": \"QuantizedBatchNormalization\", \"config\": {\"quant_config\": null}}");
        Path w = weights(example3Weights());
        assertThatThrownBy(() -> LayerFiles.read(file, w))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'output_quantizer/range_max' is unexpected (quant_config has no output_quantizer)");
    }

    @Test
    void refusesWeightsOfTheWrongDtypeOrShape() throws IOException {
        Path file = json(EXAMPLE3_JSON);
        Map<String, NpyArray> m = example3Weights();
        m.put("beta", NpyArray.ofFloat64(new int[] {3}, new double[] {0.05, 0.1, -0.02}));
        Path w1 = weights(m);
        assertThatThrownBy(() -> LayerFiles.read(file, w1))
                .isInstanceOf(FileFormatException.class).hasMessageContaining("'beta' must have dtype float32");

        m = example3Weights();
        m.put("moving_mean", NpyArray.ofFloat32(new int[] {2}, new float[] {0.5f, -0.25f}));
        Path w2 = weights(m);
        assertThatThrownBy(() -> LayerFiles.read(file, w2))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'moving_mean' must have shape (3,) like gamma, got (2,)");

        m = example3Weights();
        m.put("output_quantizer/range_max", NpyArray.scalarFloat32(4.5f));
        Path w3 = weights(m);
        assertThatThrownBy(() -> LayerFiles.read(file, w3))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'output_quantizer/range_max' must have shape (3,) for a per-axis output quantizer");
    }

    @Test
    void keepsInvalidWeightValuesAnIllegalArgument() throws IOException {
        Path file = json(EXAMPLE3_JSON);
        Map<String, NpyArray> m = example3Weights();
        m.put("gamma", NpyArray.ofFloat32(new int[] {3}, new float[] {0.8f, Float.NaN, 0.3f}));
        Path w = weights(m);
        assertThatThrownBy(() -> LayerFiles.read(file, w))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("gamma must be finite");
    }

    @Test
    void acceptsNanAndInfinityAsPythonWritesThem() throws IOException {
        // Python's json writes NaN; qbn4j parses it and the layer refuses it as a value
        Path file = json(EXAMPLE3_JSON.replace("\"epsilon\": 0.001", "\"epsilon\": NaN"));
        Path w = weights(example3Weights());
        assertThatThrownBy(() -> LayerFiles.read(file, w))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("epsilon must be finite");
    }

    @Test
    void writesValidUtf8JsonThatPythonCanRead() throws IOException {
        LayerFiles.write(dir, example2().build());
        String text = Files.readString(dir.resolve("layer.json"), StandardCharsets.UTF_8);
        assertThat(text).startsWith("{").contains("\"class_name\" : \"QuantizedBatchNormalization\"")
                .contains("\"epsilon\" : 0.001").contains("\"bitwidth\" : 8,").endsWith("}\n");
    }

    @Test
    void leavesNoTemporaryFilesBehind() throws IOException {
        LayerFiles.write(dir, example2().build());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("layer.json",
                    "weights.npz");
        }
    }

    @Test
    void readsAndWritesTheQuantizemlReleaseMarker() throws IOException {
        // a 0.17.1 layer.json: the marker, no trainable, 0.17.1-only keys and a 40-bit buffer
        String v017 = "{\"class_name\": \"QuantizedBatchNormalization\", \"quantizeml\": \"0.17.1\", \"config\": {"
                + "\"name\": \"bn\", \"dtype\": \"float32\", \"quant_config\": {\"output_quantizer\": {\"bitwidth\": 8,"
                + " \"axis\": \"per-axis\", \"buffer_bitwidth\": 40}, \"a_quantizer\": {\"bitwidth\": 8, \"fp_quantizer\": false},"
                + " \"buffer_bitwidth\": 40}, \"epsilon\": 0.001, \"axis\": [2]}}";
        Path w = weights(example3Weights());
        QuantizedBatchNormalization layer = LayerFiles.read(json(v017), w);
        assertThat(layer.reference().quantizeml()).isEqualTo(Reference.Quantizeml.V0_17_1);
        assertThat(layer.quantConfig().release()).isEqualTo(Reference.Quantizeml.V0_17_1);
        assertThat(layer.quantConfig().bufferValueBits()).isEqualTo(39);
        assertThat(layer.getConfig()).doesNotContainKey("trainable");

        Path copy = dir.resolve("copy");
        LayerFiles.write(copy, layer);
        String written = Files.readString(copy.resolve(LayerFiles.LAYER_JSON), StandardCharsets.UTF_8);
        assertThat(written).contains("\"quantizeml\" : \"0.17.1\"").doesNotContain("trainable");
        QuantizedBatchNormalization back = LayerFiles.read(copy.resolve(LayerFiles.LAYER_JSON),
                copy.resolve(LayerFiles.WEIGHTS_NPZ));
        assertThat(back.quantConfig()).isEqualTo(layer.quantConfig());
        assertThat(back.reference()).isEqualTo(layer.reference());

        // without the marker the same config is quantizeml 0.5.2's, which does not know these keys
        Path unmarked = json(v017.replace("\"quantizeml\": \"0.17.1\", ", ""));
        assertThatThrownBy(() -> LayerFiles.read(unmarked, w)).isInstanceOf(QuantizationException.class)
                .hasMessageContaining("unknown key");
        // a 0.5.2 layer is written without the marker
        Path plain = dir.resolve("plain");
        LayerFiles.write(plain, example2().build());
        assertThat(Files.readString(plain.resolve(LayerFiles.LAYER_JSON), StandardCharsets.UTF_8))
                .doesNotContain("quantizeml").contains("trainable");
        // an unknown release is a format error naming the key
        Path bad = json(v017.replace("0.17.1", "0.9.0"));
        assertThatThrownBy(() -> LayerFiles.read(bad, w)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("key 'quantizeml': quantizeml must be one of [0.5.2, 0.17.1], got \"0.9.0\"");
    }
}
