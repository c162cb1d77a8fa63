package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What {@code run}, {@code inspect} and {@code quantize} do alike with a layer named on the command
 * line, so that they never disagree:
 * <ul>
 *   <li>a float {@code BatchNormalization} without {@code --config} is quantized with quantizeml's
 *       default quant_config, as {@code quantize()} does with {@code quant_config=None};</li>
 *   <li>an output quantizer whose {@code range_max} is still 1.0 (never calibrated) is never used
 *       silently: the same warning, pointing at {@code qbn4j calibrate}, on standard error;</li>
 *   <li>an input of a rank quantizeml's layer refuses is refused before the layer is applied, with
 *       the shape to reshape it to.</li>
 * </ul>
 */
final class LayerPolicy {

    /** How {@link #configFor} describes quantizeml's defaults. */
    static final String DEFAULTS_ORIGIN = "quantizeml's defaults: no --config";

    private LayerPolicy() {
    }

    /**
     * A quant_config and where it comes from.
     *
     * @param config the quant_config, or null to keep a quantized layer's own
     * @param origin e.g. {@code from quant.json}, or null for a quantized layer's own
     */
    record Choice(QuantConfig config, String origin) {
    }

    /**
     * The quant_config for a layer: {@code --config}'s when given; else, for a float layer,
     * quantizeml's defaults ({@link QuantConfig#defaults()}: 8-bit a and b, 32-bit buffer, no output
     * quantizer); else null, the quantized layer's own.
     *
     * @param a the options
     * @param source the layer
     * @return the choice
     * @throws IOException if the --config file cannot be read
     * @throws CliException if the --config file is not a quant_config
     */
    static Choice configFor(Args a, LayerSource source) throws IOException, CliException {
        return configFor(a, source, Reference.Quantizeml.V0_5_2);
    }

    /** {@link #configFor(Args, LayerSource)}, a {@code --config} file read with the keys of {@code release}. */
    static Choice configFor(Args a, LayerSource source, Reference.Quantizeml release) throws IOException, CliException {
        if (a.has("--config")) {
            return new Choice(QuantConfigFile.read(Path.of(a.get("--config")), source.name(), release),
                    "from " + a.get("--config"));
        }
        if (source.isFloat()) {
            return new Choice(QuantConfig.defaults(), DEFAULTS_ORIGIN);
        }
        return new Choice(null, null);
    }

    /**
     * Says on standard error that a float layer is quantized with quantizeml's defaults (unless quiet);
     * {@code inspect} and {@code quantize} print the quant_config on standard output instead.
     *
     * @param err standard error
     * @param command e.g. {@code run}
     * @param source the layer
     * @param choice what {@link #configFor} chose
     * @param quiet whether --quiet was given
     */
    static void noteDefaults(PrintStream err, String command, LayerSource source, Choice choice, boolean quiet) {
        if (quiet || !source.isFloat() || !DEFAULTS_ORIGIN.equals(choice.origin())) {
            return;
        }
        err.println("qbn4j " + command + ": note: layer \"" + source.name() + "\" is a float BatchNormalization and "
                + "no --config is given: quantized with quantizeml's default quant_config "
                + QuantConfigFile.toJson(QuantConfig.defaults()) + " (no output quantizer), as quantize() does "
                + "with quant_config=None");
    }

    /**
     * Warns, unless quiet, when the layer has an output quantizer whose {@code range_max} is still
     * 1.0, its value before calibration, and {@code --range-max} did not set it: outputs beyond 1.0
     * saturate, which is rarely what a float model's layer wants.
     *
     * @param err standard error
     * @param command e.g. {@code run}
     * @param layer the layer about to be used
     * @param rangeMaxGiven whether --range-max set range_max
     * @param takesRangeMax whether the command has a --range-max option to suggest
     * @param quiet whether --quiet was given
     * @return whether it warned (or would have, but for quiet)
     */
    static boolean warnIfUncalibrated(PrintStream err, String command, QuantizedBatchNormalization layer,
            boolean rangeMaxGiven, boolean takesRangeMax, boolean quiet) {
        OutputQuantizer oq = layer.outputQuantizer();
        if (oq == null || rangeMaxGiven || !oq.isCalibrationRequired()) {
            return false;
        }
        if (!quiet) {
            err.println("qbn4j " + command + ": warning: layer \"" + layer.name() + "\" has an output quantizer whose "
                    + "range_max is 1.0, as before calibration: outputs beyond 1.0 saturate. Find the range with "
                    + "qbn4j calibrate MODEL --layer " + layer.name() + " --samples FILE --out DIR"
                    + (takesRangeMax ? ", then give it with --range-max" : " and run the layer it writes"));
        }
        return true;
    }

    /**
     * Refuses, before the layer is applied, an input that quantizeml 0.5.2's
     * {@code QuantizedBatchNormalization} refuses for its rank (it takes rank 3 or 4), saying how to
     * reshape it: a BatchNormalization after a Dense layer sees {@code (N, C)}, which quantizeml
     * takes as {@code (N, 1, C)}.
     *
     * @param input the input file, to name it
     * @param shape the input's shape
     * @throws QuantizationException ({@code ValueError}, as quantizeml raises; exit 2) for a rank
     *     other than 3 or 4
     */
    static void checkInputRank(Path input, Shape shape) {
        int rank = shape.rank();
        if (rank == 3 || rank == 4) {
            return;
        }
        String hint = "";
        if (rank == 2) {
            hint = ": a BatchNormalization after a Dense layer sees (N, C), which quantizeml 0.5.2 takes as "
                    + "(N, 1, C); reshape the input to " + Shape.of(shape.dim(0), 1, shape.dim(1));
        }
        throw new QuantizationException(QuantizationException.ReferenceError.VALUE_ERROR, "input rank must be 3 "
                + "(N, W, C) or 4 (N, H, W, C), got " + rank + " (shape " + shape + ", " + input + ")" + hint);
    }
}
