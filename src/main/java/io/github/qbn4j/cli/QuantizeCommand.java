package io.github.qbn4j.cli;

import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code qbn4j quantize}: writes a layer in the interchange format. */
final class QuantizeCommand {

    static final String USAGE = String.join("\n",
            "Usage: qbn4j quantize MODEL --layer NAME [--config quant.json] --out DIR [--range-max V[,V...]]",
            "",
            "Builds the QuantizedBatchNormalization that quantizeml 0.5.2's quantize() makes of a float",
            "BatchNormalization (same name, epsilon, axis and float32 variables, the given quant_config,",
            "or quantizeml's defaults without --config)",
            "and writes DIR/layer.json and DIR/weights.npz, the interchange files `qbn4j run` and any",
            "Python user read. From a quantizeml model (or a layer folder) the quantized layer is written",
            "as it is, with its calibrated output-quantizer variables, unless --config or --range-max",
            "replaces them. Both files are written only after everything succeeded.",
            "",
            "Options:",
            "  --layer NAME          the layer (or its path in nested models)",
            "  --config FILE         quant_config JSON: a quant_config object, or a quantizeml q_config",
            "                        mapping layer names to quant_configs. Without it a float layer gets",
            "                        quantizeml's defaults, as quantize() with quant_config=None (8-bit a",
            "                        and b, 32-bit buffer, no output quantizer), as run and inspect do;",
            "                        for a quantized layer it replaces its own, range_max then 1.0",
            "  --out DIR             the folder to write (created if needed; files in it are replaced)",
            "  --range-max V[,V...]  the output quantizer's range_max (one value per-tensor, one per",
            "                        channel per-axis); without it, a float layer's stays 1.0 (not",
            "                        calibrated), with a warning: see qbn4j calibrate. Resets",
            "                        rescaling_rate to 1",
            "  --quiet, -q           no warnings on standard error",
            "",
            Main.EXIT_CODES);

    private static final Set<String> VALUES = Set.of("--layer", "--config", "--out", "--range-max");

    private QuantizeCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws CliException, IOException {
        Args a = Args.parse(argv, VALUES, Set.of("--quiet"));
        if (a.help()) {
            out.println(USAGE);
            return Main.EXIT_OK;
        }
        Path model = Path.of(a.single("MODEL"));
        Path dir = Path.of(a.require("--out"));
        float[] rangeMax = a.floats("--range-max");
        LayerSource source = LayerSource.one(model, a.get("--layer"));
        LayerPolicy.Choice choice = LayerPolicy.configFor(a, source);
        QuantizedBatchNormalization layer = source.quantize(choice.config(), rangeMax, null);
        Outputs.writeLayer(dir, layer);
        out.println("Wrote " + dir.resolve(LayerFiles.LAYER_JSON) + " and " + dir.resolve(LayerFiles.WEIGHTS_NPZ)
                + ": layer \"" + layer.name() + "\", " + layer.channels() + " channels, epsilon " + layer.epsilon());
        out.println("  quant_config " + QuantConfigFile.toJson(layer.quantConfig())
                + (choice.origin() == null ? "" : " (" + choice.origin() + ")"));
        OutputQuantizer oq = layer.outputQuantizer();
        if (oq != null) {
            out.println("  range_max " + FoldingReport.floats(oq.rangeMax(layer.channels())) + ", rescaling_rate "
                    + FoldingReport.floats(oq.rescalingRate(layer.channels())));
        }
        LayerPolicy.warnIfUncalibrated(err, "quantize", layer, rangeMax != null, true, a.has("--quiet"));
        return Main.EXIT_OK;
    }
}
