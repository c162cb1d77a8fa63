package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.Plan;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.layer.SaturationCounts;
import io.github.qbn4j.tensor.QTensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** {@code qbn4j run}: applies a layer to a quantized tensor. */
final class RunCommand {

    static final String USAGE = String.join("\n",
            "Usage: qbn4j run --layer layer.json --weights weights.npz --input x.npz --output y.npz",
            "       qbn4j run --model MODEL --layer NAME [--config quant.json] [--range-max V[,V...]]",
            "                 --input x.npz --output y.npz",
            "       (either form) [--cpu CPU] [--mode MODE] [--quantizeml V] [--stats] [--quiet]",
            "",
            "Reads the layer and the input quantized tensor (values, value_bits, frac_bits[, scales]),",
            "applies the layer exactly as quantizeml 0.5.2 does (on the CPU and in the execution mode the",
            "profile options name), and writes the output tensor in the same",
            "format. The output file is written only after everything succeeded; on error nothing is",
            "written.",
            "",
            "Options (--name=value also works):",
            "  --layer FILE     the layer.json (first form)",
            "  --weights FILE   the weights.npz (first form)",
            "  --model MODEL    a quantizeml 0.5.2 model (.h5), a Keras model (.h5, .keras), or a folder",
            "                   with layer.json and weights.npz (second form); --layer then names the layer",
            "                   (or its path in nested models, e.g. seq/inner_bn)",
            "  --config FILE    quant_config JSON: a quant_config object, or a quantizeml q_config mapping",
            "                   layer names to quant_configs. Without it a float BatchNormalization is",
            "                   quantized with quantizeml's defaults, as quantize() with quant_config=None",
            "                   ({\"a_quantizer\":{\"bitwidth\":8},\"buffer_bitwidth\":32}: 8-bit a and b,",
            "                   32-bit buffer, no output quantizer; a note says so). For a quantized layer",
            "                   it replaces the layer's own, and range_max is 1.0 unless --range-max is given",
            "  --range-max V    the output quantizer's range_max (one value, or one per channel",
            "                   per-axis), e.g. from qbn4j calibrate; resets rescaling_rate to 1. An output",
            "                   quantizer left at range_max 1.0 (as before calibration) is used with a",
            "                   warning: outputs beyond 1.0 saturate",
            "  --input FILE     the input tensor .npz, of rank 3 (N, W, C) or 4 (N, H, W, C) as quantizeml",
            "                   0.5.2 requires; after a Dense layer, reshape (N, C) to (N, 1, C)",
            "  --output FILE    the output tensor .npz to write (replaced if it exists); optional with",
            "                   --stats",
            "  --stats          run through the compiled plan with saturation counters and print, per",
            "                   channel, how many outputs saturated in the buffer and at the output",
            "                   quantizer, and the totals",
            ProfileOptions.HELP,
            "  --quiet, -q      no notes or warnings on standard error (run prints no progress)",
            Limits.HELP,
            "",
            Main.EXIT_CODES);

    private static final Set<String> VALUES = union(union(Set.of("--layer", "--weights", "--model", "--config",
            "--range-max", "--input", "--output"), Limits.OPTIONS), ProfileOptions.OPTIONS);

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }
    private static final Set<String> FLAGS = Set.of("--stats", "--quiet");

    private RunCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws CliException, IOException {
        Args a = Args.parse(argv, VALUES, FLAGS);
        if (a.help()) {
            out.println(USAGE);
            return Main.EXIT_OK;
        }
        a.noPositionals();
        boolean stats = a.has("--stats");
        boolean fromModel = a.has("--model");
        if (fromModel) {
            a.forbid("--weights", "goes with --layer layer.json, not with --model");
        } else {
            a.require("--layer");
            a.require("--weights");
            a.forbid("--config", "needs --model");
            a.forbid("--range-max", "needs --model");
        }
        Path input = Path.of(a.require("--input"));
        Path output = stats && !a.has("--output") ? null : Path.of(a.require("--output"));
        float[] rangeMax = a.floats("--range-max");
        Reference reference = ProfileOptions.resolve(a, Reference.defaults());
        Limits limits = Limits.from(a);

        boolean quiet = a.has("--quiet");

        QuantizedBatchNormalization layer;
        LayerSource source = null;
        LayerPolicy.Choice choice = null;
        if (fromModel) {
            source = LayerSource.one(Path.of(a.get("--model")), a.get("--layer"));
            choice = LayerPolicy.configFor(a, source, reference.quantizeml());
            layer = source.quantize(choice.config(), rangeMax, null, reference);
        } else {
            layer = LayerFiles.read(Path.of(a.get("--layer")), Path.of(a.get("--weights")), limits.weights);
            // the release the layer file names (its "quantizeml" key) unless --quantizeml says otherwise
            reference = ProfileOptions.resolve(a, Reference.defaults().withQuantizeml(layer.reference().quantizeml()));
        }
        QTensor x = QTensorFiles.read(input, limits.activations);
        LayerPolicy.checkInputRank(input, x.shape());
        // notes once the inputs are read and checked, before the layer is applied
        if (source != null) {
            LayerPolicy.noteDefaults(err, "run", source, choice, quiet);
        }
        LayerPolicy.warnIfUncalibrated(err, "run", layer, rangeMax != null, fromModel, quiet);
        QTensor y;
        if (stats) {
            Plan plan = layer.compile(x, reference);
            SaturationCounts counts = new SaturationCounts(layer.channels());
            y = plan.counting(counts).apply(x);
            printStats(out, layer, x, counts);
        } else {
            y = layer.call(x, reference);
        }
        if (output != null) {
            Outputs.writeTensor(output, y);
        }
        return Main.EXIT_OK;
    }

    private static void printStats(PrintStream out, QuantizedBatchNormalization layer, QTensor x,
            SaturationCounts counts) {
        int channels = layer.channels();
        int n = x.shape().size();
        boolean hasOutput = layer.outputQuantizer() != null;
        out.println("Saturation in layer \"" + Text.escape(layer.name()) + "\": " + n + " outputs (" + (n / channels) + " pixels x "
                + channels + " channels), buffer of " + layer.quantConfig().bufferBitwidth() + " bits"
                + (hasOutput ? ", output quantizer of " + layer.outputQuantizer().bitwidth() + " bits" : ""));
        out.println(String.format(Locale.ROOT, "  %7s %10s %10s", "channel", "buffer", "output"));
        for (int c = 0; c < channels; c++) {
            out.println(String.format(Locale.ROOT, "  %7d %10d %10s", c, counts.buffer(c),
                    hasOutput ? Long.toString(counts.output(c)) : "-"));
        }
        out.println(String.format(Locale.ROOT, "  %7s %10d %10s", "total", counts.bufferTotal(),
                hasOutput ? Long.toString(counts.outputTotal()) : "-"));
        if (n == 0) {
            // an empty batch: no percentage to give (it printed NaN%)
            out.println("  (no outputs: the input is an empty batch)");
            return;
        }
        out.println(String.format(Locale.ROOT, "  (of %d outputs: %.2f%% saturated in the buffer%s)", n,
                100.0 * counts.bufferTotal() / n, hasOutput
                        ? String.format(Locale.ROOT, ", %.2f%% at the output quantizer", 100.0 * counts.outputTotal() / n)
                        : ""));
    }
}
