package io.github.qbn4j.cli;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.conformance.ConformanceSuite;
import io.github.qbn4j.io.FileFormatException;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.Folding;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code qbn4j} command-line tool.
 *
 * <pre>
 * qbn4j run --layer layer.json --weights weights.npz --input x.npz --output y.npz
 * qbn4j conformance SUITE_DIR
 * qbn4j help [COMMAND]
 * qbn4j                      (prints a worked example)
 * </pre>
 *
 * <p>Exit status: 0 success; 1 some conformance case failed; 2 the layer refused the input or its
 * configuration, as quantizeml would ({@code <PythonClass>: <message>} on standard error); 3 a file
 * is missing, unreadable, corrupt or cannot be written; 64 usage error; 70 internal error. Files are
 * in the interchange format of {@link LayerFiles} and {@link QTensorFiles}; the output of {@code run}
 * is written only once everything has succeeded.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_CASES_FAILED = 1;
    static final int EXIT_REFUSED = 2;
    static final int EXIT_FILE = 3;
    static final int EXIT_USAGE = 64;
    static final int EXIT_INTERNAL = 70;

    private static final String EXIT_CODES = String.join("\n",
            "Exit status:",
            "  0   success (conformance: every case passed)",
            "  1   conformance: at least one case failed, or the suite has no case",
            "  2   run: the layer refused its configuration or the input, as quantizeml would; standard",
            "      error shows \"<PythonClass>: <message>\" (ValueError, InvalidArgumentError, TypeError), or",
            "      \"IllegalArgumentException: <message>\" for a check that only qbn4j makes",
            "  3   a file is missing, unreadable or corrupt, or the output cannot be written",
            "  64  usage error: unknown command or option, missing or repeated option",
            "  70  internal error (a bug in qbn4j: please report it with the printed stack trace)");

    private static final String USAGE = String.join("\n",
            "Usage: qbn4j COMMAND [ARGS]",
            "",
            "Quantized batch normalization for Java, bit-exact with quantizeml 0.5.2.",
            "",
            "Commands:",
            "  run --layer FILE --weights FILE --input FILE --output FILE",
            "        Apply a QuantizedBatchNormalization (layer.json + weights.npz) to a quantized",
            "        tensor (.npz) and write the result (.npz). Nothing is written on error.",
            "  conformance SUITE_DIR",
            "        Run every case of a conformance suite, print one line per failing case and",
            "        end with \"N passed, M failed\".",
            "  help [COMMAND]",
            "        Show this help, or a command's. Every command also takes --help.",
            "  (no arguments)",
            "        Print a worked example: a small layer, its folded integer parameters, and its",
            "        output next to float batch normalization.",
            "",
            EXIT_CODES);

    private static final String RUN_USAGE = String.join("\n",
            "Usage: qbn4j run --layer layer.json --weights weights.npz --input x.npz --output y.npz",
            "",
            "Reads the layer (its quantizeml config and float32 weights) and the input quantized tensor",
            "(values, value_bits, frac_bits[, scales]), applies the layer exactly as quantizeml 0.5.2",
            "does, and writes the output tensor in the same format. The output file is written only",
            "after everything succeeded; on error nothing is written.",
            "",
            "Options (each exactly once; --name=value also works):",
            "  --layer FILE    the layer.json",
            "  --weights FILE  the weights.npz",
            "  --input FILE    the input tensor .npz",
            "  --output FILE   the output tensor .npz to write (replaced if it exists)",
            "",
            EXIT_CODES);

    private static final String CONFORMANCE_USAGE = String.join("\n",
            "Usage: qbn4j conformance [--verbose] SUITE_DIR",
            "",
            "Runs every case of SUITE_DIR (each sub-folder with a layer.json: weights.npz, x.npz, and",
            "y.npz or error.txt, optionally trace.npz). Outputs are compared exactly: values, value",
            "bits, frac bits and scales. An error.txt case passes when qbn4j refuses the case for the",
            "same reason. Prints one line per failing case with the first mismatch and ends with the",
            "line \"N passed, M failed\".",
            "",
            "Options:",
            "  --verbose, -v   also print passing cases, and the full message of failing ones",
            "",
            EXIT_CODES);

    private static final List<String> RUN_OPTIONS = List.of("--layer", "--weights", "--input", "--output");

    private Main() {
    }

    /**
     * Runs the tool and exits with its status.
     *
     * @param args the command line; none for the worked example
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool; returns the exit status instead of exiting. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0) {
                return demo(out);
            }
            String command = args[0];
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            switch (command) {
                case "run":
                    return runCommand(rest, out, err);
                case "conformance":
                    return conformanceCommand(rest, out, err);
                case "help":
                case "--help":
                case "-h":
                    return help(rest, out, err);
                default:
                    return usageError(err, "unknown command \"" + command + "\"", USAGE);
            }
        } catch (RuntimeException e) {
            err.println("qbn4j: internal error: " + e);
            e.printStackTrace(err);
            return EXIT_INTERNAL;
        }
    }

    private static int help(String[] rest, PrintStream out, PrintStream err) {
        if (rest.length == 0) {
            out.println(USAGE);
            return EXIT_OK;
        }
        if (rest.length == 1 && rest[0].equals("run")) {
            out.println(RUN_USAGE);
            return EXIT_OK;
        }
        if (rest.length == 1 && rest[0].equals("conformance")) {
            out.println(CONFORMANCE_USAGE);
            return EXIT_OK;
        }
        return usageError(err, "help takes one of the commands run, conformance, got " + Arrays.toString(rest),
                USAGE);
    }

    private static int usageError(PrintStream err, String problem, String usage) {
        err.println("qbn4j: " + problem);
        err.println();
        err.println(usage);
        return EXIT_USAGE;
    }

    private static int runCommand(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                out.println(RUN_USAGE);
                return EXIT_OK;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!RUN_OPTIONS.contains(name)) {
                return usageError(err, "run: " + (arg.startsWith("-") ? "unknown option " + name
                        : "unexpected argument \"" + arg + "\""), RUN_USAGE);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    return usageError(err, "run: option " + name + " needs a file name", RUN_USAGE);
                }
                value = args[++i];
            }
            if (options.put(name, value) != null) {
                return usageError(err, "run: option " + name + " is given twice", RUN_USAGE);
            }
        }
        for (String name : RUN_OPTIONS) {
            if (!options.containsKey(name)) {
                return usageError(err, "run: missing option " + name, RUN_USAGE);
            }
        }
        Path output = Path.of(options.get("--output"));
        QTensor y;
        try {
            QuantizedBatchNormalization layer = LayerFiles.read(Path.of(options.get("--layer")),
                    Path.of(options.get("--weights")));
            y = layer.call(QTensorFiles.read(Path.of(options.get("--input"))));
        } catch (QuantizationException e) {
            err.println(e.referenceError().pythonName() + ": " + e.getMessage());
            return EXIT_REFUSED;
        } catch (IllegalArgumentException e) {
            err.println("IllegalArgumentException: " + e.getMessage());
            return EXIT_REFUSED;
        } catch (IOException e) {
            err.println("qbn4j run: " + describe(e, "cannot read"));
            return EXIT_FILE;
        } catch (IllegalStateException e) {
            // Jackson missing: a packaging problem, not a bug
            err.println("qbn4j run: " + e.getMessage());
            return EXIT_INTERNAL;
        }
        try {
            QTensorFiles.write(output, y);
        } catch (IOException e) {
            err.println("qbn4j run: cannot write " + output + ": " + describe(e, "cannot write"));
            return EXIT_FILE;
        }
        return EXIT_OK;
    }

    private static String describe(IOException e, String verb) {
        if (e instanceof FileFormatException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException) {
            return verb + " " + e.getMessage() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return verb + " " + e.getMessage() + ": permission denied";
        }
        return verb + ": " + e;
    }

    private static int conformanceCommand(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = false;
        String dir = null;
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                out.println(CONFORMANCE_USAGE);
                return EXIT_OK;
            } else if (arg.equals("--verbose") || arg.equals("-v")) {
                verbose = true;
            } else if (arg.startsWith("-")) {
                return usageError(err, "conformance: unknown option " + arg, CONFORMANCE_USAGE);
            } else if (dir != null) {
                return usageError(err, "conformance: takes one SUITE_DIR, got \"" + dir + "\" and \"" + arg + "\"",
                        CONFORMANCE_USAGE);
            } else {
                dir = arg;
            }
        }
        if (dir == null) {
            return usageError(err, "conformance: missing SUITE_DIR", CONFORMANCE_USAGE);
        }
        ConformanceSuite suite;
        try {
            suite = ConformanceSuite.open(Path.of(dir));
        } catch (NotDirectoryException e) {
            err.println("qbn4j conformance: " + dir + " is not a directory");
            return EXIT_FILE;
        } catch (IOException e) {
            err.println("qbn4j conformance: " + describe(e, "cannot list"));
            return EXIT_FILE;
        }
        int passed = 0;
        int failed = 0;
        for (ConformanceSuite.CaseResult r : suite.runAll()) {
            if (r.passed()) {
                passed++;
                if (verbose) {
                    out.println("PASS " + r.name() + ": " + r.summary());
                }
            } else {
                failed++;
                out.println("FAIL " + r.name() + ": " + (verbose ? r.message() : r.summary()));
            }
        }
        if (passed + failed == 0) {
            err.println("qbn4j conformance: no case in " + dir + " (a case is a sub-folder with a layer.json)");
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 && passed > 0 ? EXIT_OK : EXIT_CASES_FAILED;
    }

    // ------------------------------------------------------------------ the worked example

    /**
     * The worked example printed when the tool runs without arguments: the layer of the
     * specification's Example 2 (per-axis input, per-tensor 8-bit output quantizer), its folded
     * integer parameters, and each output next to float batch normalization.
     */
    static int demo(PrintStream out) {
        float[] gamma = {1f, 2f};
        float[] beta = {0.5f, -1f};
        float[] mean = {1f, -2f};
        float[] variance = {3.999f, 0.999f};
        double epsilon = 1e-3;
        QuantizedBatchNormalization layer = QuantizedBatchNormalization.builder()
                .name("demo")
                .quantConfig(QuantConfig.defaults().withOutputQuantizer(
                        OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_TENSOR, 8)))
                .gamma(gamma).beta(beta).movingMean(mean).movingVariance(variance).epsilon(epsilon)
                .rangeMax(8f)
                .build();
        FixedPoint x = FixedPoint.of(Shape.of(1, 2, 2), new int[] {10, -20, -7, 33}, 7, FracBits.perAxis(2, 4));

        Folding f = layer.fold(x);
        QTensor y = layer.call(x);

        out.println("qbn4j: quantizeml 0.5.2 QuantizedBatchNormalization, bit for bit. A worked example");
        out.println("(run `qbn4j --help` for the commands).");
        out.println();
        out.println("Layer \"" + layer.name() + "\": gamma " + Arrays.toString(gamma) + ", beta " + Arrays.toString(beta)
                + ", moving_mean " + Arrays.toString(mean) + ",");
        out.println("  moving_variance " + Arrays.toString(variance) + ", epsilon " + epsilon
                + "; output quantizer 8 bits signed, per-tensor, range_max 8.0");
        out.println("Input: FixedPoint, shape " + x.shape() + ", " + x.valueBits() + " value bits, frac bits "
                + x.fracBits() + " (per-axis)");
        out.println();
        out.println("Folded for this input format (y = a * x + b in a " + layer.quantConfig().bufferBitwidth()
                + "-bit buffer, then requantized):");
        out.println("  a              " + Arrays.toString(f.a().copyValues()) + " x scale " + f.a().scales()
                + " (frac bits " + f.a().fracBits() + ")");
        out.println("  input shift    " + Arrays.toString(f.inputShift()) + " -> buffer frac bits "
                + f.bufferFracBits() + ", buffer scale " + f.bufferScales());
        out.println("  b              " + Arrays.toString(f.bUnaligned().copyValues()) + " with frac bits "
                + f.bUnaligned().fracBits() + ", shifted left by " + Arrays.toString(f.bShift()) + " -> "
                + Arrays.toString(f.bAligned().copyValues()));
        FixedPoint qs = f.quantizedOutputScales();
        out.println("  output scale   " + Arrays.toString(qs.copyValues()) + " with frac bits " + qs.fracBits()
                + " (scale_bits 8), output shift " + Arrays.toString(f.outputShift()) + ", output frac bits "
                + f.outputFracBits());
        out.println();
        out.println("Output: " + y);
        out.println();
        out.println(String.format("  %-10s %10s %8s %8s %10s %14s", "index", "x", "x int", "y int", "y",
                "float BN"));
        float[] xf = x.toFloat();
        float[] yf = y.toFloat();
        int channels = x.shape().channels();
        for (int i = 0; i < xf.length; i++) {
            int c = i % channels;
            double bn = (xf[i] - (double) mean[c]) * gamma[c] / Math.sqrt(variance[c] + epsilon) + beta[c];
            out.println(String.format("  %-10s %10s %8d %8d %10s %14.8f", x.shape().coordinates(i), xf[i],
                    x.valueAt(i), y.valueAt(i), yf[i], bn));
        }
        out.println();
        out.println("x = x int * 2^-frac_bits[c]; y = y int * 2^-" + y.fracBits()
                + "; float BN = (x - mean) * gamma / sqrt(var + eps) + beta, in double.");
        return EXIT_OK;
    }
}
