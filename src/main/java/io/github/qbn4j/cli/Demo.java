package io.github.qbn4j.cli;

import io.github.qbn4j.conformance.TensorComparison;
import io.github.qbn4j.io.FileFormatException;
import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.Folding;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.QTensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The worked example {@code qbn4j} prints without arguments: the bundled model
 * ({@code io/github/qbn4j/demo/demo_model.h5}, conv, ReLU and a batch normalization {@code bn},
 * quantized and calibrated by quantizeml 0.5.2 with a per-axis output quantizer), its folded
 * parameters, and its output for the bundled input, checked against quantizeml's own output.
 */
final class Demo {

    private static final String RESOURCES = "/io/github/qbn4j/demo/";
    static final String MODEL = "demo_model.h5";
    static final String INPUT = "demo_input.npz";
    static final String OUTPUT = "demo_output.npz";
    static final String LAYER = "bn";
    static final String MATCH_LINE = "matches quantizeml 0.5.2: ";

    private Demo() {
    }

    static int run(PrintStream out, PrintStream err) throws IOException {
        Path tmp = Files.createTempDirectory("qbn4j-demo-");
        try {
            // KerasModels and QTensorFiles read files: copy the resources out of the jar
            Path model = extract(MODEL, tmp);
            Path input = extract(INPUT, tmp);
            Path output = extract(OUTPUT, tmp);
            QuantizedBatchNormalization layer = KerasModels.loadQuantized(model, LAYER);
            QTensor x = QTensorFiles.read(input);
            QTensor expected = QTensorFiles.read(output);
            Folding folding = layer.fold(x);
            QTensor y = layer.call(x);

            out.println("qbn4j: quantizeml 0.5.2 QuantizedBatchNormalization, bit for bit. A worked example");
            out.println("(run `qbn4j --help` for the commands).");
            out.println();
            out.println("The bundled " + MODEL + ": conv -> relu -> " + LAYER
                    + ", quantized and calibrated by quantizeml 0.5.2.");
            FoldingReport.printLayer(out, LAYER, "QuantizedBatchNormalization", MODEL, layer, null);
            out.println("Input (" + INPUT + "): " + x);
            out.println();
            FoldingReport.printFolding(out, layer, folding);
            out.println();
            out.println("Output: " + y);
            out.println();
            int channels = layer.channels();
            FloatBatchNorm bn = new FloatBatchNorm(layer.gamma(), layer.beta(), layer.movingMean(),
                    layer.movingVariance(), layer.epsilon(), layer.reference());
            float[] xf = x.toFloat();
            float[] yf = y.toFloat();
            float[] reference = bn.apply(x.shape(), xf);
            out.println("The first pixel, beside Keras' float32 batch normalization of the same x:");
            out.println(String.format(Locale.ROOT, "  %-14s %6s %10s %6s %10s %12s", "index", "x int", "x", "y int", "y",
                    "float BN"));
            long yMin = -(1L << y.valueBits());
            long yMax = (1L << y.valueBits()) - 1;
            for (int i = 0; i < Math.min(channels, xf.length); i++) {
                long yi = y.valueAt(i);
                out.println(String.format(Locale.ROOT, "  %-14s %6d %10s %6d %10s %12s%s", x.shape().coordinates(i),
                        x.valueAt(i), xf[i], yi, yf[i], FoldingReport.g(reference[i]),
                        yi == yMin || yi == yMax ? "  saturated: beyond range_max" : ""));
            }
            out.println("  (x = x int / 2^" + x.fracBits() + "; y = y int / 2^frac_bits[c], frac_bits " + y.fracBits()
                    + ")");
            out.println();
            TensorComparison c = TensorComparison.compare(expected, y);
            if (!c.matches()) {
                out.println(MATCH_LINE + "no");
                err.println("qbn4j: the demo's output differs from quantizeml's (" + OUTPUT + "): " + c.report());
                return Main.EXIT_INTERNAL;
            }
            out.println(MATCH_LINE + "yes (all " + y.shape().size() + " values, the value bits and the frac bits of "
                    + OUTPUT + ")");
            return Main.EXIT_OK;
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static Path extract(String name, Path dir) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = Demo.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new FileFormatException(RESOURCES + name, -1, "the bundled demo resource is missing from the "
                        + "jar");
            }
            Files.copy(in, target);
        }
        return target;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the system cleans it eventually
        }
    }
}
