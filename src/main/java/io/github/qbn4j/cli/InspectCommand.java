package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.layer.Folding;
import io.github.qbn4j.tensor.Format;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code qbn4j inspect}: shows what a layer folds to. */
final class InspectCommand {

    /** The default input format: 8 value bits, 0 fractional bits, FixedPoint. */
    static final String DEFAULT_FORMAT = "8:0";

    static final String USAGE = String.join("\n",
            "Usage: qbn4j inspect MODEL [--layer NAME] [--input-format VB:FB[,FB...][@SCALE]]",
            "                     [--config quant.json] [--range-max V[,V...]] [--cpu CPU] [--mode MODE]",
            "                     [--quantizeml V]",
            "",
            "For each BatchNormalization and QuantizedBatchNormalization layer of MODEL (or the one named",
            "by --layer), prints its configuration and what it folds to for one input format: the float",
            "a = gamma * rsqrt(var + eps) and b = beta - mean * a, their quantized integers, frac bits,",
            "shifts and scales; the Akida-style integer parameters (a_q int8; b_q int8 with b_shift =",
            "F - fb_b, F the buffer's frac bits; input_shift; output scale q_s uint8 and out_shift); and",
            "the quantization error of a and b against float (max and mean of |a_q * scale - a| and of",
            "|b_q * 2^-fb_b * S - b|).",
            "",
            "MODEL is a quantizeml 0.5.2 model (.h5), a Keras 2 .h5 or Keras 3 .keras model, or a folder",
            "with layer.json and weights.npz (the interchange format).",
            "",
            "Options:",
            "  --layer NAME          the layer (or its path in nested models, e.g. seq/inner_bn)",
            "  --input-format F      the input's format: VB value bits (quantizeml's value_bits, sign",
            "                        excluded), FB frac bits (one: per-tensor; one per channel: per-axis),",
            "                        @SCALE for a QFloat input. Default " + DEFAULT_FORMAT
                    + ": 8 value bits, frac bits 0, per-tensor",
            "                        (e.g. the output of an 8-bit unsigned ReLU quantizer)",
            "  --config FILE         quant_config JSON (a quant_config, or a q_config by layer name);",
            "                        without it a float layer uses quantizeml's defaults, as quantize()",
            "                        with quant_config=None (8-bit a and b, 32-bit buffer, no output",
            "                        quantizer), as run and quantize do; for a quantized layer it replaces",
            "                        the layer's own (range_max then 1.0 unless given)",
            "  --range-max V[,V...]  the output quantizer's range_max (with --layer). An output quantizer",
            "                        left at range_max 1.0 (as before calibration) is shown with a",
            "                        warning on standard error: see qbn4j calibrate",
            ProfileOptions.HELP,
            "  --quiet, -q           no warnings on standard error (inspect prints no progress)",
            "",
            Main.EXIT_CODES);

    /** {@link Format#parse}, its syntax errors as usage errors naming the option. */
    static Format parseFormat(String option, String text) throws CliException {
        try {
            return Format.parse(text);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("format must")) {
                throw CliException.usage("option " + option + " must be VB:FB[,FB...][@SCALE], e.g. 8:0, 7:2,4 or "
                        + "7:4@0.05, got \"" + text + "\"");
            }
            if (e.getMessage().startsWith("format's SCALE")) {
                throw CliException.usage("option " + option + ": " + e.getMessage());
            }
            throw e; // a value the layer cannot take (e.g. 40 value bits): refused, as before
        }
    }

    private static final Set<String> VALUES = Set.of("--layer", "--input-format", "--config", "--range-max",
            ProfileOptions.CPU, ProfileOptions.MODE, ProfileOptions.QUANTIZEML);

    private InspectCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws CliException, IOException {
        Args a = Args.parse(argv, VALUES, Set.of("--quiet"));
        if (a.help()) {
            out.println(USAGE);
            return Main.EXIT_OK;
        }
        Path model = Path.of(a.single("MODEL"));
        String formatText = a.has("--input-format") ? a.get("--input-format") : DEFAULT_FORMAT;
        Format format = parseFormat("--input-format", formatText);
        float[] rangeMax = a.floats("--range-max");
        String name = a.get("--layer");
        Reference reference = ProfileOptions.resolve(a, Reference.defaults());
        if (rangeMax != null && name == null && !Files.isDirectory(model)) {
            throw CliException.usage("option --range-max needs --layer");
        }
        List<LayerSource> sources = name != null || Files.isDirectory(model)
                ? List.of(LayerSource.one(model, name)) : LayerSource.all(model);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("MODEL must have a BatchNormalization or QuantizedBatchNormalization "
                    + "layer, got none in " + model);
        }
        boolean first = true;
        for (LayerSource source : sources) {
            LayerPolicy.Choice choice = LayerPolicy.configFor(a, source, reference.quantizeml());
            QuantizedBatchNormalization layer = source.quantize(choice.config(), rangeMax, null, reference);
            Folding folding = layer.fold(format, reference);
            LayerPolicy.warnIfUncalibrated(err, "inspect", layer, rangeMax != null, true, a.has("--quiet"));
            if (!first) {
                out.println();
            }
            first = false;
            FoldingReport.printLayer(out, source.name(), source.className(), source.origin(), layer, choice.origin());
            out.println("Input format " + formatText.trim() + ": " + format.describe());
            out.println("Reference profile: " + reference);
            FoldingReport.printFolding(out, layer, folding);
        }
        return Main.EXIT_OK;
    }
}
