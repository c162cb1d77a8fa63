package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.io.FileFormatException;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.NpyArray;
import io.github.qbn4j.io.Npz;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputObserver;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code qbn4j calibrate}: finds the output quantizer's range from float samples. */
final class CalibrateCommand {

    /** Keras' {@code predict} batch size when none is given, which quantizeml's calibrate uses. */
    static final int DEFAULT_BATCH_SIZE = 32;

    static final String USAGE = String.join("\n",
            "Usage: qbn4j calibrate MODEL --layer NAME --samples samples.npz --out DIR",
            "                       [--config quant.json] [--axis per-tensor|per-axis]",
            "                       [--equalize BITWIDTH] [--batch-size N] [--quiet]",
            "",
            "Calibrates the layer's output quantizer as quantizeml 0.5.2's calibrate() does: runs the",
            "float batch normalization on the samples, batch by batch, feeds each batch of outputs to an",
            "OutputObserver (momentum 0.9), and writes DIR/layer.json and DIR/weights.npz with the",
            "observed range_max (and rescaling_rate 1, unless --equalize). Both files are written only",
            "after everything succeeded.",
            "",
            "The float batch normalization is Keras 2.12's in inference, in float32 as TensorFlow 2.12",
            "computes it on x86-64 Linux (oneDNN on, its default), every operation rounded to float32:",
            "  rank 4:     y = (x - mean) * (gamma / sqrt(var + eps)) + beta",
            "  rank 2, 3:  inv = rsqrt(var + eps) * gamma;  y = x * inv + (beta - mean * inv)",
            "with eps = float32(epsilon) and TensorFlow's own rsqrt. These outputs are what the",
            "OutputObserver sees.",
            "",
            "Samples: an .npz with one array x of shape (N, ..., C), split along N into batches of",
            "--batch-size (default " + DEFAULT_BATCH_SIZE + ", Keras' predict default, which calibrate() uses), or",
            "several arrays, each one batch (split too if --batch-size is given), in archive order.",
            "float32 is used as it is; other numeric dtypes are cast to float32 as Keras casts inputs.",
            "Samples of shape (N, C) (after a Dense layer) calibrate the same range_max as (N, 1, C), the",
            "shape the quantized layer then needs: quantizeml 0.5.2's takes rank 3 or 4 only.",
            "",
            "Options:",
            "  --layer NAME         the layer (or its path in nested models)",
            "  --samples FILE       the float inputs of the layer (see above)",
            "  --out DIR            the folder to write (created if needed; files in it are replaced)",
            "  --config FILE        quant_config JSON (a quant_config, or a q_config by layer name); it must",
            "                       have an output_quantizer. Default for a float layer: quantizeml's",
            "                       automatic one, {\"output_quantizer\": {\"bitwidth\": 8, \"axis\": AXIS}};",
            "                       a quantized layer keeps its own",
            "  --axis AXIS          per-tensor or per-axis (default per-axis): the observer's and, without",
            "                       --config, the output quantizer's axis; must match the config's",
            "  --equalize BITWIDTH  also equalise the range as calibrate() does when a convolution or",
            "                       dense layer follows: range_max becomes the largest value of a",
            "                       BITWIDTH-bit output (the output quantizer's bitwidth) and",
            "                       rescaling_rate the ratio, which the next layer must absorb",
            "  --batch-size N       samples per batch (N >= 1)",
            "  --quiet, -q          no progress (otherwise one line per batch on standard error) and no",
            "                       notes",
            Limits.HELP,
            "",
            Main.EXIT_CODES);

    private static final Set<String> VALUES = RunCommand.union(Set.of("--layer", "--samples", "--out", "--config", "--axis",
            "--equalize", "--batch-size"), Limits.OPTIONS);

    private CalibrateCommand() {
    }

    /** One batch of samples. */
    private static final class Batch {
        final Shape shape;
        final float[] values;

        Batch(Shape shape, float[] values) {
            this.shape = shape;
            this.values = values;
        }
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws CliException, IOException {
        Args a = Args.parse(argv, VALUES, Set.of("--quiet"));
        if (a.help()) {
            out.println(USAGE);
            return Main.EXIT_OK;
        }
        Path model = Path.of(a.single("MODEL"));
        Path samples = Path.of(a.require("--samples"));
        Path dir = Path.of(a.require("--out"));
        OutputQuantizer.Axis axis = null;
        if (a.has("--axis")) {
            String v = a.get("--axis");
            if (v.equals("per-tensor")) {
                axis = OutputQuantizer.Axis.PER_TENSOR;
            } else if (v.equals("per-axis")) {
                axis = OutputQuantizer.Axis.PER_AXIS;
            } else {
                throw CliException.usage("option --axis must be per-tensor or per-axis, got \"" + v + "\"");
            }
        }
        int equalize = a.intValue("--equalize", 0, 1, 31);
        int batchSize = a.intValue("--batch-size", 0, 1, Integer.MAX_VALUE);
        Limits limits = Limits.from(a);

        LayerSource source = LayerSource.one(model, a.get("--layer"));
        QuantConfig config;
        String configOrigin;
        if (a.has("--config")) {
            config = QuantConfigFile.read(Path.of(a.get("--config")), source.name());
            configOrigin = "from " + a.get("--config");
        } else if (source.isFloat()) {
            Map<String, Object> oq = new LinkedHashMap<>();
            oq.put("bitwidth", 8);
            oq.put("axis", (axis == null ? OutputQuantizer.Axis.PER_AXIS : axis).configName());
            config = QuantConfig.fromMap(Map.of("output_quantizer", oq));
            configOrigin = "quantizeml's automatic output quantizer";
        } else {
            config = source.quantConfig();
            configOrigin = "the layer's own";
        }
        OutputQuantizer quantizer = config.outputQuantizer();
        if (quantizer == null) {
            throw new IllegalArgumentException("quant_config must have an output_quantizer to calibrate, got "
                    + QuantConfigFile.toJson(config) + " (layer \"" + source.name() + "\")");
        }
        if (axis != null && axis != quantizer.axis()) {
            throw CliException.usage("option --axis " + axis.configName() + " must match the output_quantizer of the "
                    + "quant_config (" + configOrigin + "), which is " + quantizer.axis().configName());
        }

        List<Batch> batches = readBatches(samples, batchSize, limits.activations);
        FloatBatchNorm bn = source.floatBatchNorm(Reference.defaults());
        OutputObserver observer = OutputObserver.of(quantizer.axis(), source.channels());
        Progress progress = Progress.everyItem(err, "calibrate", "batch", batches.size(), a.has("--quiet"));
        long sampleCount = 0;
        int batchIndex = 0;
        for (Batch b : batches) {
            // the observer sees the layer's outputs: name what is not finite, the user's sample or the output
            for (int i = 0; i < b.values.length; i++) {
                if (!Float.isFinite(b.values[i])) {
                    throw new IllegalArgumentException("samples must be finite, got " + b.values[i] + " at "
                            + b.shape.coordinates(i) + " of batch " + batchIndex + " (" + samples + ")");
                }
            }
            float[] y = bn.apply(b.shape, b.values);
            for (int i = 0; i < y.length; i++) {
                if (!Float.isFinite(y[i])) {
                    throw new IllegalArgumentException("the layer's float outputs must be finite to calibrate, got "
                            + y[i] + " at " + b.shape.coordinates(i) + " of batch " + batchIndex + " for the finite"
                            + " sample " + b.values[i] + " (layer \"" + Text.escape(source.name()) + "\", " + samples + ")");
                }
            }
            batchIndex++;
            observer = observer.observe(b.shape, y);
            sampleCount += b.shape.dim(0);
            progress.step(" (" + b.shape.dim(0) + " samples)");
        }
        float[] observed = observer.rangeMax();
        float[] rangeMax = observed;
        float[] rate = new float[observed.length];
        Arrays.fill(rate, 1f);
        if (equalize > 0) {
            OutputObserver.Equalization eq = OutputObserver.equalize(equalize, observed);
            eq.applyTo(quantizer); // refuses another bitwidth, or a range too small to equalise
            rangeMax = eq.rangeMax();
            rate = eq.rescalingRate();
        }
        QuantizedBatchNormalization layer = source.quantize(config, rangeMax, rate);
        Outputs.writeLayer(dir, layer);
        if (!a.has("--quiet") && batches.stream().anyMatch(b -> b.shape.rank() == 2)) {
            err.println("qbn4j calibrate: note: the samples have shape (N, C), as after a Dense layer; the layer "
                    + "written takes rank 3 or 4, as quantizeml 0.5.2's QuantizedBatchNormalization does: run it on "
                    + "inputs reshaped to (N, 1, C) (their float outputs, and so range_max, are the same)");
        }

        out.println("Calibrated layer \"" + Text.escape(source.name()) + "\" (" + source.className() + ", " + source.origin() + ") on "
                + sampleCount + " samples in " + batches.size() + (batches.size() == 1 ? " batch" : " batches") + ": "
                + quantizer.axis().configName() + " OutputObserver, momentum " + observer.momentum());
        out.println("  quant_config " + QuantConfigFile.toJson(config) + " (" + configOrigin + ")");
        out.println("  observed range_max " + FoldingReport.floats(observed));
        if (equalize > 0) {
            out.println("  equalized for " + equalize + " bits: range_max " + FoldingReport.floats(rangeMax)
                    + ", rescaling_rate " + FoldingReport.floats(rate));
        }
        out.println("Wrote " + dir.resolve(LayerFiles.LAYER_JSON) + " and " + dir.resolve(LayerFiles.WEIGHTS_NPZ));
        return Main.EXIT_OK;
    }

    private static List<Batch> readBatches(Path file, int batchSize, io.github.qbn4j.io.ReadLimits limits)
            throws IOException {
        Map<String, NpyArray> arrays = Npz.read(file, limits);
        if (arrays.isEmpty()) {
            throw new FileFormatException(file.toString(), -1, "the samples archive must hold at least one array, "
                    + "got none");
        }
        int size = batchSize > 0 ? batchSize
                : arrays.size() == 1 && arrays.containsKey("x") ? DEFAULT_BATCH_SIZE : Integer.MAX_VALUE;
        List<Batch> batches = new ArrayList<>();
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            NpyArray array = e.getValue();
            int[] dims = array.shape();
            if (dims.length < 2 || dims.length > 4) {
                throw new IllegalArgumentException("samples must have shape (N, ..., C) of rank 2 to 4, got "
                        + Arrays.toString(dims) + " for key '" + e.getKey() + "' (" + file + ")");
            }
            if (dims[0] == 0) {
                throw new IllegalArgumentException("samples must not be empty, got shape " + Arrays.toString(dims)
                        + " for key '" + e.getKey() + "' (" + file + ")");
            }
            float[] values = toFloat32(file, e.getKey(), array);
            int perSample = values.length / dims[0];
            for (int from = 0; from < dims[0]; from += size) {
                int n = Math.min(size, dims[0] - from);
                int[] batchDims = dims.clone();
                batchDims[0] = n;
                batches.add(new Batch(Shape.of(batchDims),
                        Arrays.copyOfRange(values, from * perSample, (from + n) * perSample)));
            }
        }
        return batches;
    }

    /** float32 as it is; other numeric types rounded to the nearest float32, as tf.cast does. */
    private static float[] toFloat32(Path file, String key, NpyArray array) throws FileFormatException {
        NpyArray.DType type = array.dtype();
        if (type == NpyArray.DType.FLOAT32 || type == NpyArray.DType.FLOAT16) {
            return array.toFloatArray();
        }
        if (type == NpyArray.DType.BOOL) {
            throw new FileFormatException(file.toString(), -1, "key '" + key + "' must hold numbers, got dtype "
                    + type.code());
        }
        double[] d = array.toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
