package io.github.qbn4j.cli;

import static io.github.qbn4j.cli.CliRunner.MINI;
import static io.github.qbn4j.cli.CliRunner.MODELS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.layer.SaturationCounts;
import io.github.qbn4j.tensor.QTensor;
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
    void aFloatLayerWithoutConfigIsAUsageErrorAndWritesNothing() {
        Path out = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--model", FLOAT.toString(), "--layer", "bn_add", "--input",
                x("bn_add").toString(), "--output", out.toString());
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("is a float BatchNormalization: give its quant_config with --config quant.json");
        assertThat(tmp).isEmptyDirectory();
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
