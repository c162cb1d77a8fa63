package io.github.qbn4j.cli;

import static io.github.qbn4j.cli.CliRunner.FIXTURES;
import static io.github.qbn4j.cli.CliRunner.MODELS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.NpyArray;
import io.github.qbn4j.io.Npz;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {

    private static final Path FLOAT = MODELS.resolve("keras2_model.h5");
    private static final Path QUANTIZED = MODELS.resolve("quantized_model.h5");

    @TempDir
    Path tmp;

    private static QuantizedBatchNormalization read(Path dir) throws IOException {
        return LayerFiles.read(dir.resolve("layer.json"), dir.resolve("weights.npz"));
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return v;
    }

    @Test
    void reproducesQuantizemlsCalibrationAndEqualisationOfBnAdd() throws IOException {
        Path out = tmp.resolve("bn_add");
        CliRunner r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples",
                FIXTURES.resolve("bn_add_samples.npz").toString(), "--equalize", "8", "--out", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).startsWith("Calibrated layer \"bn_add\" (BatchNormalization, keras2_model.h5) on 8 samples in 2 "
                + "batches: per-axis OutputObserver, momentum 0.9\n")
                .contains("(quantizeml's automatic output quantizer)").contains("equalized for 8 bits: range_max [7.96875")
                .endsWith("Wrote " + out.resolve("layer.json") + " and " + out.resolve("weights.npz") + "\n");

        QuantizedBatchNormalization written = read(out);
        QuantizedBatchNormalization reference = KerasModels.loadQuantized(QUANTIZED, "bn_add");
        assertThat(written.outputQuantizer()).isEqualTo(reference.outputQuantizer());
        assertThat(written.outputQuantizer().rescalingRate(10)).isEqualTo(reference.outputQuantizer().rescalingRate(10))
                .isNotEqualTo(ones(10));
        assertThat(written.getConfig()).isEqualTo(reference.getConfig());
        // and the layer then gives quantizeml's outputs
        Path y = tmp.resolve("y.npz");
        Path x = MODELS.resolve("quantized/bn_add/x.npz");
        CliRunner run = CliRunner.run("run", "--model", out.toString(), "--input", x.toString(), "--output", y.toString());
        assertThat(run.status).as(run.describe()).isZero();
        assertThat(QTensorFiles.read(y)).isEqualTo(QTensorFiles.read(MODELS.resolve("quantized/bn_add/y.npz")));
    }

    @Test
    void reproducesAPerTensorCalibrationWithoutEqualisation() throws IOException {
        Path config = tmp.resolve("quant.json");
        Files.writeString(config, "{\"relu3\": {}, \"bn_relu\": {\"output_quantizer\": {\"bitwidth\": 8, "
                + "\"axis\": \"per-tensor\"}}}");
        Path out = tmp.resolve("bn_relu");
        CliRunner r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_relu", "--samples",
                FIXTURES.resolve("bn_relu_samples.npz").toString(), "--config", config.toString(), "--axis",
                "per-tensor", "--out", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("observed range_max [19.816883]").doesNotContain("equalized");
        OutputQuantizer written = read(out).outputQuantizer();
        assertThat(written).isEqualTo(KerasModels.loadQuantized(QUANTIZED, "bn_relu").outputQuantizer());
        assertThat(written.rescalingRate(10)).containsExactly(1f);
    }

    @Test
    void splitsASingleArrayIntoBatches() throws IOException {
        Map<String, NpyArray> batches = Npz.read(FIXTURES.resolve("bn_add_samples.npz"));
        float[] b0 = batches.get("batch0").toFloatArray();
        float[] b1 = batches.get("batch1").toFloatArray();
        float[] all = Arrays.copyOf(b0, b0.length + b1.length);
        System.arraycopy(b1, 0, all, b0.length, b1.length);
        Path samples = tmp.resolve("x.npz");
        Npz.write(samples, Map.of("x", NpyArray.ofFloat32(new int[] {8, 4, 4, 10}, all)));

        Path split = tmp.resolve("split");
        CliRunner r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", samples.toString(),
                "--batch-size", "4", "--equalize", "8", "--out", split.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(read(split).outputQuantizer()).isEqualTo(KerasModels.loadQuantized(QUANTIZED, "bn_add").outputQuantizer());

        // by default x is one batch of up to 32 samples: the range is the largest |output| of each channel
        Path whole = tmp.resolve("whole");
        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", samples.toString(),
                "--quiet", "--out", whole.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("on 8 samples in 1 batch: ");
        Map<String, NpyArray> observed = Npz.read(MODELS.resolve("calibration.npz"));
        float[] expected = new float[10];
        for (String key : new String[] {"bn_add/batch0", "bn_add/batch1"}) {
            float[] y = observed.get(key).toFloatArray();
            for (int i = 0; i < y.length; i++) {
                expected[i % 10] = Math.max(expected[i % 10], Math.abs(y[i]));
            }
        }
        assertThat(read(whole).outputQuantizer().rangeMax(10)).containsExactly(expected);
    }

    @Test
    void reportsEachBatchUnlessQuiet() {
        String samples = FIXTURES.resolve("bn_relu_samples.npz").toString();
        CliRunner r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_relu", "--samples", samples, "--axis",
                "per-tensor", "--out", tmp.resolve("a").toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEqualTo("qbn4j calibrate: batch 1 of 2 (4 samples)\nqbn4j calibrate: batch 2 of 2 (4 samples)\n");
        for (String quiet : new String[] {"--quiet", "-q"}) {
            r = CliRunner.run("calibrate", quiet, FLOAT.toString(), "--layer", "bn_relu", "--samples", samples, "--axis",
                    "per-tensor", "--out", tmp.resolve("b").toString());
            assertThat(r.status).isZero();
            assertThat(r.err).isEmpty();
        }
    }

    @Test
    void recalibratesAQuantizedLayerKeepingItsConfig() throws IOException {
        Path out = tmp.resolve("out");
        CliRunner r = CliRunner.run("calibrate", QUANTIZED.toString(), "--layer", "bn_add", "--samples",
                FIXTURES.resolve("bn_add_samples.npz").toString(), "--equalize", "8", "--out", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("(the layer's own)");
        assertThat(read(out).outputQuantizer()).isEqualTo(KerasModels.loadQuantized(QUANTIZED, "bn_add").outputQuantizer());
    }

    @Test
    void rank2SamplesCalibrateAsTheirRank3ReshapeAndSaySo() throws IOException {
        // after a Dense layer the samples are (N, C); the quantized layer will need (N, 1, C)
        NpyArray x = Npz.read(FIXTURES.resolve("bn_add_samples.npz")).values().iterator().next();
        int[] dims = x.shape();
        int channels = dims[dims.length - 1];
        int n = x.toFloatArray().length / channels;
        Path flat = tmp.resolve("flat.npz");
        Npz.write(flat, Map.of("x", NpyArray.ofFloat32(new int[] {n, channels}, x.toFloatArray())));
        Path reshaped = tmp.resolve("reshaped.npz");
        Npz.write(reshaped, Map.of("x", NpyArray.ofFloat32(new int[] {n, 1, channels}, x.toFloatArray())));

        CliRunner r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--axis", "per-tensor",
                "--samples", flat.toString(), "--out", tmp.resolve("flat").toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).endsWith("qbn4j calibrate: note: the samples have shape (N, C), as after a Dense layer; the "
                + "layer written takes rank 3 or 4, as quantizeml 0.5.2's QuantizedBatchNormalization does: run it on "
                + "inputs reshaped to (N, 1, C) (their float outputs, and so range_max, are the same)\n");
        CliRunner r3 = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--axis", "per-tensor",
                "--samples", reshaped.toString(), "--out", tmp.resolve("reshaped").toString());
        assertThat(r3.status).as(r3.describe()).isZero();
        assertThat(r3.err).doesNotContain("note:");
        assertThat(read(tmp.resolve("flat")).outputQuantizer()).isEqualTo(read(tmp.resolve("reshaped")).outputQuantizer());
        assertThat(read(tmp.resolve("flat")).outputQuantizer().isCalibrationRequired()).isFalse();

        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--axis", "per-tensor", "--quiet",
                "--samples", flat.toString(), "--out", tmp.resolve("flat").toString());
        assertThat(r.err).isEmpty();
    }

    @Test
    void refusalsWriteNothing() throws IOException {
        Path out = tmp.resolve("out");
        String add = FIXTURES.resolve("bn_add_samples.npz").toString();

        // per-axis needs rank >= 3: quantizeml's ValueError
        Path rank2 = tmp.resolve("rank2.npz");
        Npz.write(rank2, Map.of("x", NpyArray.ofFloat32(new int[] {4, 10}, new float[40])));
        CliRunner r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", rank2.toString(),
                "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("ValueError: input rank must be >= 3 for a per-axis OutputObserver");

        Path wrongChannels = tmp.resolve("c.npz");
        Npz.write(wrongChannels, Map.of("x", NpyArray.ofFloat32(new int[] {1, 2, 2, 3}, new float[12])));
        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", wrongChannels.toString(),
                "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("IllegalArgumentException: samples have 3 channels, expected 10");

        Path config = tmp.resolve("quant.json");
        Files.writeString(config, "{\"buffer_bitwidth\": 32}");
        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", add, "--config",
                config.toString(), "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("quant_config must have an output_quantizer to calibrate");

        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", add, "--equalize", "4",
                "--out", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("quantizer bitwidth must be 4, got 8");

        Files.writeString(config, "{\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-axis\"}}");
        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", add, "--config",
                config.toString(), "--axis", "per-tensor", "--out", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --axis per-tensor must match the output_quantizer of the quant_config");

        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", add, "--axis", "diagonal",
                "--out", out.toString());
        assertThat(r.status).isEqualTo(64);

        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", add, "--batch-size", "0",
                "--out", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --batch-size must be in [1, ");

        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--out", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("missing option --samples");

        r = CliRunner.run("calibrate", FLOAT.toString(), "--samples", add, "--out", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("missing option --layer");

        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples",
                tmp.resolve("absent.npz").toString(), "--out", out.toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("no such file");

        Path empty = tmp.resolve("empty.npz");
        Npz.write(empty, new LinkedHashMap<>());
        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", empty.toString(),
                "--out", out.toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("must hold at least one array");

        assertThat(out).doesNotExist();

        Path file = tmp.resolve("a-file");
        Files.writeString(file, "");
        r = CliRunner.run("calibrate", FLOAT.toString(), "--layer", "bn_add", "--samples", add, "--out",
                file.toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("cannot write " + file + ": it exists and is not a directory");
        assertThat(Files.readString(file)).isEmpty();
    }
}
