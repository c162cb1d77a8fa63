package io.github.qbn4j.cli;

import static io.github.qbn4j.cli.CliRunner.MODELS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {

    private static final Path FLOAT = MODELS.resolve("keras2_model.h5");
    private static final Path QUANTIZED = MODELS.resolve("quantized_model.h5");

    @TempDir
    Path tmp;

    private static QuantizedBatchNormalization read(Path dir) throws IOException {
        return LayerFiles.read(dir.resolve("layer.json"), dir.resolve("weights.npz"));
    }

    private Path config(String json) throws IOException {
        Path config = tmp.resolve("quant.json");
        Files.writeString(config, json);
        return config;
    }

    @Test
    void writesWhatQuantizemlsQuantizeBuildsFromAFloatLayer() throws IOException {
        Path config = config("{\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-tensor\"}}");
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString(),
                "--range-max", "19.816883", "--out", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).startsWith("Wrote " + out.resolve("layer.json") + " and " + out.resolve("weights.npz")
                + ": layer \"bn_relu\", 10 channels, epsilon 0.001\n").contains("range_max [19.816883]");
        QuantizedBatchNormalization written = read(out);
        QuantizedBatchNormalization reference = KerasModels.loadQuantized(QUANTIZED, "bn_relu");
        assertThat(written.getConfig()).isEqualTo(reference.getConfig());
        assertThat(written.outputQuantizer()).isEqualTo(reference.outputQuantizer());
        for (float[][] pair : new float[][][] {{written.gamma(), reference.gamma()}, {written.beta(), reference.beta()},
            {written.movingMean(), reference.movingMean()}, {written.movingVariance(), reference.movingVariance()}}) {
            assertThat(pair[0]).containsExactly(pair[1]);
        }
        Path y = tmp.resolve("y.npz");
        CliRunner run = CliRunner.run("run", "--layer", out.resolve("layer.json").toString(), "--weights",
                out.resolve("weights.npz").toString(), "--input", MODELS.resolve("quantized/bn_relu/x.npz").toString(),
                "--output", y.toString());
        assertThat(run.status).as(run.describe()).isZero();
        assertThat(QTensorFiles.read(y)).isEqualTo(QTensorFiles.read(MODELS.resolve("quantized/bn_relu/y.npz")));
    }

    @Test
    void exportsAQuantizemlLayerAsItIs() throws IOException {
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run("quantize", QUANTIZED.toString(), "--layer", "bn_add", "--out", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        QuantizedBatchNormalization reference = KerasModels.loadQuantized(QUANTIZED, "bn_add");
        assertThat(read(out).outputQuantizer()).isEqualTo(reference.outputQuantizer());
        Path y = tmp.resolve("y.npz");
        CliRunner run = CliRunner.run("run", "--model", out.toString(), "--input",
                MODELS.resolve("quantized/bn_add/x.npz").toString(), "--output", y.toString());
        assertThat(run.status).as(run.describe()).isZero();
        assertThat(QTensorFiles.read(y)).isEqualTo(QTensorFiles.read(MODELS.resolve("quantized/bn_add/y.npz")));
    }

    @Test
    void aQConfigEntryIsPickedByLayerNameAndAnUncalibratedRangeIsNoted() throws IOException {
        Path config = config("{\"bn_add\": {\"output_quantizer\": {\"bitwidth\": 4, \"axis\": \"per-axis\"}, "
                + "\"buffer_bitwidth\": 24}, \"bn_relu\": {}}");
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString(),
                "--out", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEqualTo("qbn4j quantize: warning: layer \"bn_add\" has an output quantizer whose range_max "
                + "is 1.0, as before calibration: outputs beyond 1.0 saturate. Find the range with qbn4j calibrate MODEL "
                + "--layer bn_add --samples FILE --out DIR, then give it with --range-max\n");
        QuantizedBatchNormalization written = read(out);
        assertThat(written.quantConfig().bufferBitwidth()).isEqualTo(24);
        assertThat(written.outputQuantizer().bitwidth()).isEqualTo(4);
        assertThat(written.outputQuantizer().axis()).isEqualTo(OutputQuantizer.Axis.PER_AXIS);
        float[] ones = new float[10];
        Arrays.fill(ones, 1f);
        assertThat(written.outputQuantizer().rangeMax(10)).containsExactly(ones);

        r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString(), "--quiet",
                "--out", tmp.resolve("relu").toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        assertThat(read(tmp.resolve("relu")).quantConfig()).isEqualTo(QuantConfig.defaults());
    }

    @Test
    void aFloatLayerWithoutConfigGetsQuantizemlsDefaultsAsRunAndInspectDo() throws IOException {
        // quantizeml's quantize() gave bn_last (not in its q_config, nothing after it) quant_config=None
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_last", "--out", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).contains("  quant_config {\"a_quantizer\":{\"bitwidth\":8},\"buffer_bitwidth\":32} (quantizeml's "
                + "defaults: no --config)\n");
        QuantizedBatchNormalization written = read(out);
        QuantizedBatchNormalization reference = KerasModels.loadQuantized(QUANTIZED, "bn_last");
        assertThat(written.getConfig()).isEqualTo(reference.getConfig());
        assertThat(written.outputQuantizer()).isNull();
        for (float[][] pair : new float[][][] {{written.gamma(), reference.gamma()}, {written.beta(), reference.beta()},
            {written.movingMean(), reference.movingMean()}, {written.movingVariance(), reference.movingVariance()}}) {
            assertThat(pair[0]).containsExactly(pair[1]);
        }
    }

    @Test
    void refusalsWriteNothing() throws IOException {
        Path out = tmp.resolve("out");
        Path config = config("{\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-axis\"}}");
        CliRunner r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString(),
                "--range-max", "1,2", "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("IllegalArgumentException: ");

        r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString(),
                "--range-max", "-1", "--out", out.toString());
        assertThat(r.status).isEqualTo(2);

        r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_nope", "--config", config.toString(), "--out",
                out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("layer \"bn_nope\" must exist");

        r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("missing option --out");

        r = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_add", "--config",
                tmp.resolve("absent.json").toString(), "--out", out.toString());
        assertThat(r.status).isEqualTo(3);

        r = CliRunner.run("quantize", config.toString(), "--layer", "bn_add", "--out", out.toString());
        assertThat(r.status).as("a JSON file is not a model").isEqualTo(64);
        assertThat(r.err).contains("MODEL must be a model file or the folder holding layer.json and weights.npz");
        assertThat(out).doesNotExist();
    }
}
