package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.Plan;
import io.github.qbn4j.layer.QuantConfig;
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
            "  --config FILE    quant_config JSON for a float BatchNormalization (required for one; for a",
            "                   quantized layer it replaces the layer's own, and range_max is 1.0 unless",
            "                   --range-max is given): a quant_config object, or a quantizeml q_config",
            "                   mapping layer names to quant_configs",
            "  --range-max V    the output quantizer's range_max (one value, or one per channel",
            "                   per-axis), e.g. from qbn4j calibrate; resets rescaling_rate to 1",
            "  --input FILE     the input tensor .npz",
            "  --output FILE    the output tensor .npz to write (replaced if it exists); optional with",
            "                   --stats",
            "  --stats          run through the compiled plan with saturation counters and print, per",
            "                   channel, how many outputs saturated in the buffer and at the output",
            "                   quantizer, and the totals",
            ProfileOptions.HELP,
            "  --quiet, -q      accepted for symmetry; run prints no progress",
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

        QuantizedBatchNormalization layer;
        if (fromModel) {
            Path model = Path.of(a.get("--model"));
            LayerSource source = LayerSource.one(model, a.get("--layer"));
            QuantConfig config = a.has("--config") ? QuantConfigFile.read(Path.of(a.get("--config")), source.name()) : null;
            if (source.isFloat() && config == null) {
                throw CliException.usage("layer \"" + source.name() + "\" of " + model + " is a float "
                        + "BatchNormalization: give its quant_config with --config quant.json");
            }
            layer = source.quantize(config, rangeMax, null);
        } else {
            layer = LayerFiles.read(Path.of(a.get("--layer")), Path.of(a.get("--weights")), limits.weights);
            // the release the layer file names (its "quantizeml" key) unless --quantizeml says otherwise
            reference = ProfileOptions.resolve(a, Reference.defaults().withQuantizeml(layer.reference().quantizeml()));
        }
        QTensor x = QTensorFiles.read(input, limits.activations);
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
        out.println("Saturation in layer \"" + layer.name() + "\": " + n + " outputs (" + (n / channels) + " pixels x "
                + channels + " channels), buffer of " + layer.quantConfig().bufferBitwidth() + " bits"
                + (hasOutput ? ", output quantizer of " + layer.outputQuantizer().bitwidth() + " bits" : ""));
        out.println(String.format(Locale.ROOT, "  %7s %10s %10s", "channel", "buffer", "output"));
        for (int c = 0; c < channels; c++) {
            out.println(String.format(Locale.ROOT, "  %7d %10d %10s", c, counts.buffer(c),
                    hasOutput ? Long.toString(counts.output(c)) : "-"));
        }
        out.println(String.format(Locale.ROOT, "  %7s %10d %10s", "total", counts.bufferTotal(),
                hasOutput ? Long.toString(counts.outputTotal()) : "-"));
        out.println(String.format(Locale.ROOT, "  (of %d outputs: %.2f%% saturated in the buffer%s)", n,
                100.0 * counts.bufferTotal() / n, hasOutput
                        ? String.format(Locale.ROOT, ", %.2f%% at the output quantizer", 100.0 * counts.outputTotal() / n)
                        : ""));
    }
}
