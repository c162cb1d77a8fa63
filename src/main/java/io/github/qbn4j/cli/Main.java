package io.github.qbn4j.cli;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.internal.Kernels;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.layer.Plan;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code qbn4j} command-line tool.
 *
 * <pre>
 * qbn4j run --layer layer.json --weights weights.npz --input x.npz --output y.npz [--stats]
 * qbn4j run --model MODEL --layer NAME [--config quant.json] --input x.npz --output y.npz [--stats]
 * qbn4j conformance [--verbose] [--quiet] SUITE_DIR
 * qbn4j inspect MODEL [--layer NAME] [--input-format VB:FB[,FB...][@SCALE]] [--config quant.json]
 * qbn4j calibrate MODEL --layer NAME --samples samples.npz --out DIR [--config quant.json]
 *                 [--axis per-tensor|per-axis] [--equalize BITWIDTH] [--batch-size N]
 * qbn4j quantize MODEL --layer NAME [--config quant.json] --out DIR [--range-max V[,V...]]
 * qbn4j help [COMMAND]
 * qbn4j --version
 * qbn4j                      (the built-in example, checked against quantizeml's output)
 * </pre>
 *
 * <p>Exit status: 0 success; 1 some conformance case failed; 2 the request was refused as
 * quantizeml would refuse it ({@code <PythonClass>: <message>} on standard error), or by a check
 * only qbn4j makes ({@code IllegalArgumentException: <message>}); 3 a file is missing, unreadable,
 * corrupt or cannot be written; 64 usage error; 70 internal error. Files are in the interchange
 * format of {@link LayerFiles} and {@link QTensorFiles}; outputs are written only once everything
 * has succeeded.
 */
public final class Main {

    static final int EXIT_OK = 0;
    static final int EXIT_CASES_FAILED = 1;
    static final int EXIT_REFUSED = 2;
    static final int EXIT_FILE = 3;
    static final int EXIT_USAGE = 64;
    static final int EXIT_INTERNAL = 70;

    static final String EXIT_CODES = String.join("\n",
            "Exit status:",
            "  0   success (conformance: every case passed)",
            "  1   conformance: at least one case failed, or the suite has no case",
            "  2   refused: the layer refused its configuration, parameters or input as quantizeml would;",
            "      standard error shows \"<PythonClass>: <message>\" (ValueError, InvalidArgumentError,",
            "      TypeError), or \"IllegalArgumentException: <message>\" for a check only qbn4j makes",
            "      (e.g. no layer of that name, a tensor with the wrong channel count)",
            "  3   a file is missing, unreadable or corrupt, is not a regular file (a FIFO, a device, a",
            "      directory), is over a read limit (--max-elements, --max-bytes), or an output cannot be",
            "      written (e.g. it is a directory)",
            "  64  usage error: unknown command or option, missing or repeated option, bad option value",
            "  70  internal error (a bug in qbn4j: please report it with the printed stack trace)");

    static final String USAGE = String.join("\n",
            "Usage: qbn4j COMMAND [ARGS]",
            "",
            "Quantized batch normalization for Java, bit-exact with quantizeml 0.5.2.",
            "",
            "Commands:",
            "  run --layer FILE --weights FILE --input FILE --output FILE [--stats]",
            "  run --model MODEL --layer NAME [--config FILE] --input FILE --output FILE [--stats]",
            "        Apply a QuantizedBatchNormalization to a quantized tensor (.npz) and write the",
            "        result (.npz); --stats counts saturations per channel.",
            "  conformance [--verbose] [--quiet] SUITE_DIR",
            "        Run every case of a conformance suite (or of every suite below a folder), print",
            "        one line per failing case and end with \"N passed, M failed\".",
            "  inspect MODEL [--layer NAME] [--input-format VB:FB[,FB...][@SCALE]] [--config FILE]",
            "        Show what each batch normalization folds to: a, b, shifts, scales, the Akida-style",
            "        integer parameters and the quantization error.",
            "  calibrate MODEL --layer NAME --samples FILE --out DIR [--config FILE] [--axis AXIS]",
            "            [--equalize BITWIDTH]",
            "        Find the output quantizer's range_max from float samples, as quantizeml's",
            "        calibrate() does, and write layer.json and weights.npz.",
            "  quantize MODEL --layer NAME [--config FILE] --out DIR [--range-max V[,V...]]",
            "        Write a layer of a Keras or quantizeml model as layer.json and weights.npz.",
            "  help [COMMAND]",
            "        Show this help, or a command's. Every command also takes --help.",
            "  --version",
            "        Print the version, the JDK and the kernel `run` uses.",
            "  (no arguments)",
            "        Run the bundled example: a layer quantized by quantizeml 0.5.2, its folded",
            "        parameters, and its output checked against quantizeml's.",
            "",
            "MODEL: a quantizeml 0.5.2 model (.h5), a Keras 2 .h5 or Keras 3 .keras model, or a folder",
            "with layer.json and weights.npz; a float BatchNormalization without --config gets",
            "quantizeml's default quant_config, as quantize() with quant_config=None. Long commands report",
            "progress, and an uncalibrated output quantizer a warning, on standard error; --quiet silences",
            "them.",
            "",
            EXIT_CODES);

    /** A command's entry point. */
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err) throws CliException, IOException;
    }

    private static final Map<String, Command> COMMANDS = Map.of(
            "run", RunCommand::run,
            "conformance", ConformanceCommand::run,
            "inspect", InspectCommand::run,
            "calibrate", CalibrateCommand::run,
            "quantize", QuantizeCommand::run);

    private static final List<String> ORDER = List.of("run", "conformance", "inspect", "calibrate", "quantize");

    private Main() {
    }

    /**
     * The usage text of a command, or null. A method rather than a map: the commands' usage texts
     * end with {@link #EXIT_CODES}, so a map built while this class initializes could see a
     * command's text still unset.
     */
    static String usageOf(String command) {
        switch (command) {
            case "run":
                return RunCommand.USAGE;
            case "conformance":
                return ConformanceCommand.USAGE;
            case "inspect":
                return InspectCommand.USAGE;
            case "calibrate":
                return CalibrateCommand.USAGE;
            case "quantize":
                return QuantizeCommand.USAGE;
            default:
                return null;
        }
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
        if (args.length == 0) {
            return execute("", "", out, err, (a, o, e) -> Demo.run(o, e), args);
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "help":
            case "--help":
            case "-h":
                return help(rest, out, err);
            case "--version":
            case "version":
                return version(out);
            default:
                Command c = COMMANDS.get(command);
                if (c == null) {
                    err.println("qbn4j: unknown command \"" + command + "\"; the commands are "
                            + String.join(", ", ORDER));
                    err.println("Run `qbn4j --help` for their usage and the exit codes.");
                    return EXIT_USAGE;
                }
                return execute(command, usageOf(command), out, err, c, rest);
        }
    }

    /** Runs a command and turns its exceptions into a message and an exit status. */
    static int execute(String command, String usage, PrintStream out, PrintStream err, Command c,
            String[] args) {
        String who = command.isEmpty() ? "qbn4j" : "qbn4j " + command;
        if (KERNEL_COMMANDS.contains(command)) {
            String hint = kernelHint(Kernels.vectorStatus());
            if (hint != null) {
                err.println(hint);
            }
        }
        try {
            return c.run(args, out, err);
        } catch (CliException e) {
            if (e.status() == EXIT_USAGE) {
                err.println("qbn4j: " + (command.isEmpty() ? "" : command + ": ") + e.getMessage());
                err.println();
                err.println(synopsis(usage));
                err.println("Run `qbn4j " + command + " --help` for the options and the exit codes.");
            } else {
                err.println(who + ": " + e.getMessage());
            }
            return e.status();
        } catch (QuantizationException e) {
            err.println(e.referenceError().pythonName() + ": " + e.getMessage());
            return EXIT_REFUSED;
        } catch (IllegalArgumentException e) {
            err.println("IllegalArgumentException: " + e.getMessage());
            return EXIT_REFUSED;
        } catch (IOException e) {
            err.println(who + ": " + Outputs.describe(e, "cannot read"));
            return EXIT_FILE;
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("not available")) {
                // an optional dependency (Jackson, jhdf) missing: a packaging problem, not a bug
                err.println(who + ": " + e.getMessage());
                return EXIT_INTERNAL;
            }
            return internal(err, e);
        } catch (RuntimeException | OutOfMemoryError e) {
            return internal(err, e);
        }
    }

    /** The commands that apply layers at scale: they say so when the vector kernels are off. */
    private static final List<String> KERNEL_COMMANDS = List.of("run", "conformance");

    /**
     * The one line a plain {@code java -jar} prints before {@code run} or {@code conformance} when
     * the vector kernels are off because {@code jdk.incubator.vector} is not in the JVM.
     *
     * @param vectorStatus {@link Kernels#vectorStatus()}
     * @return the line, or null when there is nothing to say (vector kernels on, or turned off on
     *     purpose with {@code -Dqbn4j.vector=false})
     */
    static String kernelHint(String vectorStatus) {
        if (!vectorStatus.startsWith("module ")) {
            return null;
        }
        return "qbn4j: running the scalar kernels (" + vectorStatus + "); the ./qbn4j launcher, or `java"
                + " --add-modules jdk.incubator.vector -jar qbn4j-cli.jar`, runs the vector kernels, about 35x faster";
    }

    /** {@code qbn4j --version}: the version, the JDK and the kernel {@code run} uses. */
    static int version(PrintStream out) {
        out.println("qbn4j " + projectVersion());
        out.println("JDK: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")");
        boolean vector = Plan.vectorKernelsAvailable();
        out.println("kernel: " + (vector ? Plan.Kernel.VECTOR_INTEGER : Plan.Kernel.SCALAR_INTEGER) + " ("
                + (vector ? Plan.Kernel.VECTOR_FLOAT32 : Plan.Kernel.SCALAR_FLOAT32)
                + " for a layer whose integer bound fails)");
        if (!vector) {
            out.println("vector kernels: " + Kernels.vectorStatus());
        }
        return EXIT_OK;
    }

    /** The project version, from the filtered {@code version.properties}. */
    static String projectVersion() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "(version unknown)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "(version unknown)");
        } catch (IOException e) {
            return "(version unknown: " + e.getMessage() + ")";
        }
    }

    /** The usage text up to its first blank line. */
    private static String synopsis(String usage) {
        int end = usage.indexOf("\n\n");
        return end < 0 ? usage : usage.substring(0, end);
    }

    private static int internal(PrintStream err, Throwable e) {
        err.println("qbn4j: internal error: " + e);
        e.printStackTrace(err);
        return EXIT_INTERNAL;
    }

    private static int help(String[] rest, PrintStream out, PrintStream err) {
        if (rest.length == 0) {
            out.println(USAGE);
            return EXIT_OK;
        }
        if (rest.length == 1 && usageOf(rest[0]) != null) {
            out.println(usageOf(rest[0]));
            return EXIT_OK;
        }
        err.println("qbn4j: help takes one of the commands " + String.join(", ", ORDER) + ", got "
                + Arrays.toString(rest));
        return EXIT_USAGE;
    }
}
