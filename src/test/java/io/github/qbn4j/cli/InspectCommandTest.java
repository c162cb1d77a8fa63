package io.github.qbn4j.cli;

import static io.github.qbn4j.cli.CliRunner.MINI;
import static io.github.qbn4j.cli.CliRunner.MODELS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.layer.Folding;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    private static final Path QUANTIZED = MODELS.resolve("quantized_model.h5");
    private static final Path FLOAT = MODELS.resolve("keras2_model.h5");

    @TempDir
    Path tmp;

    /** The per-channel rows of the first table: ch, a float, a_q, a_q*scale, b float, b_q, fb_b, b real, ... */
    private static List<String[]> rows(String out) {
        List<String[]> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : out.split("\n")) {
            if (line.trim().startsWith("ch ")) {
                inTable = true;
            } else if (inTable && line.startsWith("Quantization error")) {
                break;
            } else if (inTable) {
                rows.add(line.trim().split("\\s+"));
            }
        }
        return rows;
    }

    @Test
    void inspectsEveryLayerOfAQuantizemlModel() {
        CliRunner r = CliRunner.run("inspect", QUANTIZED.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out.lines().filter(l -> l.startsWith("Layer ")))
                .containsExactly("Layer \"bn_add\" (QuantizedBatchNormalization, quantized_model.h5): 10 channels, "
                                + "epsilon 0.01",
                        "Layer \"bn_relu\" (QuantizedBatchNormalization, quantized_model.h5): 10 channels, epsilon 0.001",
                        "Layer \"bn_last\" (QuantizedBatchNormalization, quantized_model.h5): 10 channels, epsilon 0.001");
        assertThat(r.out).contains("Input format 8:0: FixedPoint, 8 value bits, frac bits 0 (per-tensor)")
                .contains("output quantizer: 8 bits signed, per-axis, scale_bits 8; range_max [7.96875, 7.96875, "
                        + "3.984375");
    }

    @Test
    void printsTheFoldedAndAkidaParametersOfTheInputFormat() throws IOException {
        // the per-axis input format of quantized/bn_add/x.npz
        String format = "7:2,3,4,5,3,4,2,5,4,3";
        CliRunner r = CliRunner.run("inspect", QUANTIZED.toString(), "--layer", "bn_add", "--input-format", format);
        assertThat(r.status).as(r.describe()).isZero();
        QuantizedBatchNormalization layer = KerasModels.loadQuantized(QUANTIZED, "bn_add");
        Folding f = layer.fold(7, FracBits.perAxis(2, 3, 4, 5, 3, 4, 2, 5, 4, 3), null);
        FixedPoint qs = f.quantizedOutputScales();
        List<String[]> rows = rows(r.out);
        assertThat(rows).hasSize(10);
        double aMax = 0;
        double bMax = 0;
        for (int c = 0; c < 10; c++) {
            String[] row = rows.get(c);
            assertThat(row).hasSize(12);
            assertThat(Integer.parseInt(row[0])).isEqualTo(c);
            assertThat(Float.parseFloat(row[1])).isCloseTo(f.aFloat()[c], withinPercentage(1e-4));
            long aQ = Long.parseLong(row[2]);
            long bQ = Long.parseLong(row[5]);
            int bShift = Integer.parseInt(row[9]);
            assertThat(aQ).isEqualTo(f.a().valueAt(c)).isBetween(-128L, 127L);
            assertThat(bQ).isEqualTo(f.bUnaligned().valueAt(c)).isBetween(-128L, 127L);
            assertThat(Integer.parseInt(row[6])).isEqualTo(f.bUnaligned().fracBits().get(c));
            assertThat(Integer.parseInt(row[8])).isEqualTo(f.inputShift()[c]);
            // Akida: b_q shifted left by b_shift = F - fb_b is the b the buffer adds
            assertThat(bShift).isEqualTo(f.bufferFracBits().get(c) - f.bUnaligned().fracBits().get(c));
            assertThat(bQ << bShift).isEqualTo(f.bAligned().valueAt(c));
            assertThat(Long.parseLong(row[10])).isEqualTo(qs.valueAt(c)).isBetween(0L, 255L);
            assertThat(Integer.parseInt(row[11])).isEqualTo(f.outputShift()[c]);
            aMax = Math.max(aMax, Math.abs((double) f.a().toFloat()[c] - f.aFloat()[c]));
            bMax = Math.max(bMax, Math.abs((double) f.bUnaligned().toFloat()[c] - f.bFloat()[c]));
        }
        assertThat(rows.stream().mapToInt(row -> Integer.parseInt(row[8])).max().getAsInt())
                .as("a per-axis input is shifted onto one frac bits").isPositive();
        assertThat(r.out).contains(String.format(Locale.ROOT, "  a: max %.3e, mean ", aMax))
                .contains(String.format(Locale.ROOT, "  b: max %.3e, mean ", bMax))
                .contains("Akida buffer_bits 33");
    }

    @Test
    void aFloatLayerUsesQuantizemlsDefaultsWithoutConfig() {
        CliRunner r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_relu");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("Layer \"bn_relu\" (BatchNormalization, keras2_model.h5): 10 channels")
                .contains("quant_config {\"a_quantizer\":{\"bitwidth\":8},\"buffer_bitwidth\":32} (quantizeml's defaults: "
                        + "no --config)")
                .contains("output quantizer: none").doesNotContain("q_s with frac bits");
        assertThat(rows(r.out)).allSatisfy(row -> assertThat(row[10]).isEqualTo("-"));
    }

    @Test
    void warnsAboutAnUncalibratedOutputQuantizerAsRunAndQuantizeDo() throws IOException {
        Path config = tmp.resolve("quant.json");
        Files.writeString(config, "{\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-tensor\"}}");
        CliRunner r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("range_max [1.0] (not calibrated)");
        assertThat(r.err).isEqualTo("qbn4j inspect: warning: layer \"bn_relu\" has an output quantizer whose range_max "
                + "is 1.0, as before calibration: outputs beyond 1.0 saturate. Find the range with qbn4j calibrate MODEL "
                + "--layer bn_relu --samples FILE --out DIR, then give it with --range-max\n");

        r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString(), "--quiet");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_relu", "--config", config.toString(),
                "--range-max", "19.816883");
        assertThat(r.err).as("calibrated").isEmpty();
        r = CliRunner.run("inspect", MODELS.resolve("quantized_model.h5").toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).as("quantizeml's calibrated layers").isEmpty();
    }

    @Test
    void aKeras3ArchiveGivesTheSameFoldingAsKeras2() {
        CliRunner k2 = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_add");
        CliRunner k3 = CliRunner.run("inspect", MODELS.resolve("keras3_model.keras").toString(), "--layer", "bn_add");
        assertThat(k3.status).as(k3.describe()).isZero();
        assertThat(k3.out.substring(k3.out.indexOf('\n')))
                .as("the same weights: everything but the file name agrees").isEqualTo(k2.out.substring(k2.out.indexOf('\n')));
    }

    @Test
    void takesAConfigARangeAQFloatFormatAndNestedPaths() throws IOException {
        Path config = tmp.resolve("quant.json");
        Files.writeString(config, "{\"output_quantizer\": {\"bitwidth\": 8, \"axis\": \"per-tensor\"}}");
        CliRunner r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString(),
                "--range-max", "4", "--input-format", "7:3@0.0123");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("(from " + config + ")").contains("range_max [4.0], rescaling_rate [1.0]")
                .doesNotContain("not calibrated")
                .contains("Input format 7:3@0.0123: QFloat, 7 value bits, frac bits 3 (per-tensor), scale 0.0123")
                .contains("buffer frac bits F = 3");

        r = CliRunner.run("inspect", MODELS.resolve("keras2_nested.h5").toString(), "--layer", "seq/inner_bn");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).startsWith("Layer \"seq/inner_bn\" (BatchNormalization, keras2_nested.h5): 3 channels");

        Path caseDir = MINI.resolve("suite/example2-per-axis-input-per-tensor-output");
        r = CliRunner.run("inspect", caseDir.toString(), "--input-format", "7:2,4");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(rows(r.out)).hasSize(2);
        assertThat(rows(r.out).get(0)[2]).isEqualTo("32");
        assertThat(rows(r.out).get(1)[2]).isEqualTo("127");
    }

    @Test
    void exitCodesForBadRequests() throws IOException {
        CliRunner r = CliRunner.run("inspect", QUANTIZED.toString(), "--input-format", "eight");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --input-format must be VB:FB[,FB...][@SCALE]");

        r = CliRunner.run("inspect", QUANTIZED.toString(), "--layer", "bn_add", "--input-format", "7:1,2,3");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("IllegalArgumentException: ");

        r = CliRunner.run("inspect", QUANTIZED.toString(), "--layer", "bn_add", "--input-format", "40:0");
        assertThat(r.status).isEqualTo(2);

        r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "conv1");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("must be a BatchNormalization, got a Conv2D");

        r = CliRunner.run("inspect", FLOAT.toString(), "--range-max", "2");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --range-max needs --layer");

        r = CliRunner.run("inspect");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("missing MODEL");

        r = CliRunner.run("inspect", tmp.resolve("absent.h5").toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).startsWith("qbn4j inspect: cannot read ").contains("no such file");

        Path corrupt = tmp.resolve("corrupt.h5");
        Files.writeString(corrupt, "not HDF5");
        r = CliRunner.run("inspect", corrupt.toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("a Keras model must be an HDF5 file or a .keras (zip) archive");

        r = CliRunner.run("inspect", MODELS.resolve("keras2_nested.h5").toString());
        assertThat(r.status).as("every layer, one of them unsupported").isEqualTo(3);
        assertThat(r.err).contains("bn_axis1");
    }

    @Test
    void exitCodesForBadConfigs() throws IOException {
        Path config = tmp.resolve("quant.json");
        Files.writeString(config, "{\"output_quantizer\": ");
        CliRunner r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains(config.toString()).contains("malformed JSON");

        Files.writeString(config, "{\"output_quantizer\": {\"bitwidth\": 0}}");
        r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).isEqualTo("ValueError: OutputQuantizer bitwidth must be an int >= 2, got 0\n");

        Files.writeString(config, "{\"a_quantizer\": {\"bitwidth\": 8, \"foo\": 1}}");
        r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("TypeError: ");

        Files.writeString(config, "{\"bn_relu\": {}}");
        r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString());
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).contains("must be a quant_config or a q_config with an entry for layer \"bn_add\", got a "
                + "q_config for [bn_relu]");

        Files.writeString(config, "[1, 2]");
        r = CliRunner.run("inspect", FLOAT.toString(), "--layer", "bn_add", "--config", config.toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("must hold a JSON object");
    }
}
