package io.github.qbn4j.cli;

import static io.github.qbn4j.cli.CliRunner.MINI;
import static io.github.qbn4j.cli.CliRunner.MODELS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.layer.SaturationCounts;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunCommandTest {

    private static final Path QUANTIZED = MODELS.resolve("quantized_model.h5");
    private static final Path FLOAT = MODELS.resolve("keras2_model.h5");

    @TempDir
    Path tmp;

    private static Path x(String layer) {
        return MODELS.resolve("quantized").resolve(layer).resolve("x.npz");
    }

    private static Path y(String layer) {
        return MODELS.resolve("quantized").resolve(layer).resolve("y.npz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bn_add", "bn_relu", "bn_last"})
    void runsALayerOfAQuantizemlModelAsQuantizemlDoes(String layer) throws IOException {
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", QUANTIZED.toString(), "--layer", layer, "--input",
                x(layer).toString(), "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        assertThat(QTensorFiles.read(out)).isEqualTo(QTensorFiles.read(y(layer)));
    }

    @Test
    void readsAConfigWithTheKeysOfTheChosenRelease() throws IOException {
        // output_quantizer.buffer_bitwidth exists from quantizeml 0.8.0 on: refused under 0.5.2 (an unknown
        // OutputQuantizer argument, as 0.5.2's constructor raises), read under 0.17.1.
        Path config = tmp.resolve("quant17.json");
        Files.writeString(config, "{\"bn_relu\": {\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-tensor\", "
                + "\"buffer_bitwidth\": 32}}}");
        Path out = tmp.resolve("y17.npz");
        String[] args = {"run", "--model", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString(),
            "--range-max", "19.816883", "--input", x("bn_relu").toString(), "--output", out.toString()};
        CliRunner r = CliRunner.run(args);
        assertThat(r.status).as(r.describe()).isEqualTo(2);
        assertThat(r.err).contains("buffer_bitwidth");
        assertThat(Files.exists(out)).isFalse();
        String[] with17 = java.util.Arrays.copyOf(args, args.length + 2);
        with17[args.length] = "--quantizeml";
        with17[args.length + 1] = "0.17.1";
        r = CliRunner.run(with17);
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(Files.exists(out)).isTrue();
    }

    @Test
    void runsAFloatKerasLayerWithAConfigAndARange() throws IOException {
        // bn_relu of the quantized model: a per-tensor 8-bit output quantizer, range_max 19.816883, not equalised
        Path config = tmp.resolve("quant.json");
        Files.writeString(config, "{\"bn_relu\": {\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-tensor\"}}}");
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", FLOAT.toString(), "--layer", "bn_relu", "--config",
                config.toString(), "--range-max", "19.816883", "--input", x("bn_relu").toString(), "--output",
                out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(QTensorFiles.read(out)).isEqualTo(QTensorFiles.read(y("bn_relu")));
    }

    @Test
    void runsALayerFolderGivenAsModel() throws IOException {
        Path caseDir = MINI.resolve("suite/example2-per-axis-input-per-tensor-output");
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", caseDir.toString(), "--input", caseDir.resolve("x.npz").toString(),
                "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(QTensorFiles.read(out)).isEqualTo(QTensorFiles.read(caseDir.resolve("y.npz")));
    }

    @Test
    void aFloatLayerWithoutConfigGetsQuantizemlsDefaultsAsInspectAndQuantizeDo() throws IOException {
        // quantizeml's quantize() gave bn_last (not in its q_config, nothing after it) quant_config=None:
        // its output in quantized_model.h5 is the reference for the float bn_last under the defaults
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", FLOAT.toString(), "--layer", "bn_last", "--input",
                x("bn_last").toString(), "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(QTensorFiles.read(out)).isEqualTo(QTensorFiles.read(y("bn_last")));
        assertThat(r.err).isEqualTo("qbn4j run: note: layer \"bn_last\" is a float BatchNormalization and no --config "
                + "is given: quantized with quantizeml's default quant_config {\"a_quantizer\":{\"bitwidth\":8},"
                + "\"buffer_bitwidth\":32} (no output quantizer), as quantize() does with quant_config=None\n");

        CliRunner inspect = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_last");
        assertThat(inspect.out).as("inspect shows the same quant_config")
                .contains("quant_config {\"a_quantizer\":{\"bitwidth\":8},\"buffer_bitwidth\":32} (quantizeml's defaults: "
                        + "no --config)");

        Files.delete(out);
        r = CliRunner.run("run", "--quiet", "--model", FLOAT.toString(), "--layer", "bn_last", "--input",
                x("bn_last").toString(), "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        assertThat(QTensorFiles.read(out)).isEqualTo(QTensorFiles.read(y("bn_last")));
    }

    @Test
    void anUncalibratedOutputQuantizerIsNeverUsedSilently() throws IOException {
        Path config = tmp.resolve("quant.json");
        Files.writeString(config, "{\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-tensor\"}}");
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", FLOAT.toString(), "--layer", "bn_relu", "--config",
                config.toString(), "--input", x("bn_relu").toString(), "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        String warning = "qbn4j run: warning: layer \"bn_relu\" has an output quantizer whose range_max is 1.0, as "
                + "before calibration: outputs beyond 1.0 saturate. Find the range with qbn4j calibrate MODEL --layer "
                + "bn_relu --samples FILE --out DIR";
        assertThat(r.err).isEqualTo(warning + ", then give it with --range-max\n");
        Files.delete(out);

        // the same layer written by quantize, then run from its files: the same warning, without --range-max
        Path dir = tmp.resolve("layer");
        CliRunner q = CliRunner.run("quantize", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString(),
                "--out", dir.toString());
        assertThat(q.err).isEqualTo(warning.replace("qbn4j run:", "qbn4j quantize:") + ", then give it with --range-max\n");
        r = CliRunner.run("run", "--layer", dir.resolve("layer.json").toString(), "--weights",
                dir.resolve("weights.npz").toString(), "--input", x("bn_relu").toString(), "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEqualTo(warning + " and run the layer it writes\n");
        Files.delete(out);

        r = CliRunner.run("run", "-q", "--model", FLOAT.toString(), "--layer", "bn_relu", "--config",
                config.toString(), "--input", x("bn_relu").toString(), "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).as("--quiet").isEmpty();
        Files.delete(out);

        r = CliRunner.run("run", "--model", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString(),
                "--range-max", "1", "--input", x("bn_relu").toString(), "--output", out.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).as("range_max 1.0 given on purpose").isEmpty();
    }

    @Test
    void aRank2InputIsRefusedWithTheShapeToReshapeToBeforeTheLayerRuns() throws IOException {
        // bn_flat follows Flatten -> Dense (Keras 2 saved its axis as [1]): it sees (N, C), a rank quantizeml 0.5.2
        // refuses (ValueError)
        Path nested = MODELS.resolve("keras2_nested.h5");
        int[] values = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16, 17, -18};
        Path rank2 = tmp.resolve("x2.npz");
        QTensorFiles.write(rank2, FixedPoint.of(Shape.of(3, 6), values, 8, FracBits.of(0)));
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", nested.toString(), "--layer", "bn_flat", "--input",
                rank2.toString(), "--output", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).isEqualTo("ValueError: input rank must be 3 (N, W, C) or 4 (N, H, W, C), got 2 (shape "
                + "[3, 6], " + rank2 + "): a BatchNormalization after a Dense layer sees (N, C), which quantizeml "
                + "0.5.2 takes as (N, 1, C); reshape the input to [3, 1, 6]\n");
        assertThat(out).doesNotExist();

        // reshaped as the message says, it runs: the same values as the library's layer gives for them
        // (quantizeml 0.5.2 accepts the single axis [1] on rank 3 and normalizes the last)
        Path rank3 = tmp.resolve("x3.npz");
        QTensorFiles.write(rank3, FixedPoint.of(Shape.of(3, 1, 6), values, 8, FracBits.of(0)));
        r = CliRunner.run("run", "--model", nested.toString(), "--layer", "bn_flat", "--input", rank3.toString(),
                "--output", out.toString(), "--quiet");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(QTensorFiles.read(out)).isEqualTo(KerasModels.load(nested, "bn_flat").toQuantized(QuantConfig.defaults())
                .call(QTensorFiles.read(rank3)));
        assertThat(QTensorFiles.read(out).shape()).isEqualTo(Shape.of(3, 1, 6));

        Path rank1 = tmp.resolve("x1.npz");
        QTensorFiles.write(rank1, FixedPoint.of(Shape.of(6), new int[6], 8, FracBits.of(0)));
        r = CliRunner.run("run", "--model", nested.toString(), "--layer", "bn_flat", "--input", rank1.toString(),
                "--stats", "--quiet");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).isEqualTo("ValueError: input rank must be 3 (N, W, C) or 4 (N, H, W, C), got 1 (shape "
                + "[6], " + rank1 + ")\n");
        assertThat(r.out).as("no statistics").isEmpty();
    }

    @Test
    void statsCountSaturationsPerChannelAsThePlanDoes() throws IOException {
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", QUANTIZED.toString(), "--layer", "bn_add", "--input",
                x("bn_add").toString(), "--output", out.toString(), "--stats");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(QTensorFiles.read(out)).as("the plan's output is quantizeml's").isEqualTo(QTensorFiles.read(y("bn_add")));

        QuantizedBatchNormalization layer = KerasModels.loadQuantized(QUANTIZED, "bn_add");
        QTensor input = QTensorFiles.read(x("bn_add"));
        SaturationCounts expected = new SaturationCounts(layer.channels());
        layer.compile(input).counting(expected).apply(input);
        assertThat(r.out).startsWith("Saturation in layer \"bn_add\": 320 outputs (32 pixels x 10 channels), buffer of "
                + "32 bits, output quantizer of 8 bits\n  channel     buffer     output\n");
        for (int c = 0; c < layer.channels(); c++) {
            assertThat(r.out).containsPattern("\n\\s+" + c + "\\s+" + expected.buffer(c) + "\\s+" + expected.output(c) + "\n");
        }
        Matcher total = Pattern.compile("\n\\s+total\\s+(\\d+)\\s+(\\d+)\n").matcher(r.out);
        assertThat(total.find()).isTrue();
        assertThat(Long.parseLong(total.group(1))).isEqualTo(expected.bufferTotal());
        assertThat(Long.parseLong(total.group(2))).isEqualTo(expected.outputTotal()).isPositive();
        assertThat(r.out).contains("at the output quantizer)");
    }

    @Test
    void statsWithoutOutputOnlyPrintAndWithoutOutputQuantizerShowDashes() {
        CliRunner r = CliRunner.run("run", "--model", QUANTIZED.toString(), "--layer", "bn_last", "--input",
                x("bn_last").toString(), "--stats");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("buffer of 32 bits\n").containsPattern("\n\\s+total\\s+\\d+\\s+-\n");
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void refusesMixedFormsAndUnknownLayersWithoutWriting() {
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", QUANTIZED.toString(), "--layer", "bn_add", "--weights", "w.npz",
                "--input", x("bn_add").toString(), "--output", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --weights goes with --layer layer.json, not with --model");

        r = CliRunner.run("run", "--layer", "l.json", "--weights", "w.npz", "--config", "q.json", "--input", "x.npz",
                "--output", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --config needs --model");

        r = CliRunner.run("run", "--model", QUANTIZED.toString(), "--layer", "nope", "--input", x("bn_add").toString(),
                "--output", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("IllegalArgumentException: layer \"nope\" must exist in " + QUANTIZED)
                .contains("its QuantizedBatchNormalization layers are [bn_add, bn_relu, bn_last]");

        r = CliRunner.run("run", "--model", tmp.resolve("absent.h5").toString(), "--layer", "bn", "--input",
                x("bn_add").toString(), "--output", out.toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("no such file");
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void aRangeOfTheWrongLengthIsRefusedWithoutWriting() {
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", QUANTIZED.toString(), "--layer", "bn_add", "--range-max", "1,2,3",
                "--input", x("bn_add").toString(), "--output", out.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("IllegalArgumentException: ").contains("one element per channel (10), got 3");
        assertThat(out).doesNotExist();

        r = CliRunner.run("run", "--model", QUANTIZED.toString(), "--layer", "bn_add", "--range-max", "x",
                "--input", x("bn_add").toString(), "--output", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --range-max must be a comma-separated list of numbers, got \"x\"");
    }
}
