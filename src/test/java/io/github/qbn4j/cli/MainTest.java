package io.github.qbn4j.cli;

import static io.github.qbn4j.cli.CliRunner.MINI;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.Reference;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.io.ReferenceFiles;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private static final Path EX2 = MINI.resolve("suite/example2-per-axis-input-per-tensor-output");
    private static final Path VB_ERROR = MINI.resolve("suite/error-input-value-bits-above-buffer");
    private static final List<String> COMMANDS = List.of("run", "conformance", "inspect", "calibrate", "quantize");

    @TempDir
    Path tmp;

    private static String[] runArgs(Path caseDir, Path output) {
        return new String[] {"run", "--layer", caseDir.resolve("layer.json").toString(), "--weights",
            caseDir.resolve("weights.npz").toString(), "--input", caseDir.resolve("x.npz").toString(), "--output",
            output.toString()};
    }

    // ------------------------------------------------------------------ run (layer files)

    @Test
    void runWritesTheOutputTensorAndExitsZero() throws IOException {
        Path y = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run(runArgs(EX2, y));
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(QTensorFiles.read(y)).isEqualTo(
                FixedPoint.of(Shape.of(1, 2, 2), new int[] {20, 8, -14, 114}, 7, FracBits.of(4)));
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEmpty();
    }

    @Test
    void runAcceptsOptionsWithEqualsSignsInAnyOrder() {
        Path y = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run("run", "--output=" + y, "--input=" + EX2.resolve("x.npz"),
                "--weights=" + EX2.resolve("weights.npz"), "--layer=" + EX2.resolve("layer.json"));
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(y).exists();
    }

    @Test
    void runPrintsTheReferenceErrorClassExitsTwoAndWritesNothing() {
        Path y = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run(runArgs(VB_ERROR, y));
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("ValueError: input value bits must be <= the 15 value bits of the buffer");
        assertThat(y).doesNotExist();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void runPrintsIllegalArgumentExceptionForAQbn4jOnlyCheck() throws IOException {
        Path caseDir = tmp.resolve("case");
        Files.createDirectories(caseDir);
        for (String f : new String[] {"weights.npz", "x.npz"}) {
            Files.copy(EX2.resolve(f), caseDir.resolve(f));
        }
        Files.writeString(caseDir.resolve("layer.json"), Files.readString(EX2.resolve("layer.json"))
                .replace("\"epsilon\": 0.001", "\"epsilon\": NaN"));
        Path y = tmp.resolve("y.npz");
        CliRunner r = CliRunner.run(runArgs(caseDir, y));
        assertThat(r.status).isEqualTo(2);
        assertThat(r.err).startsWith("IllegalArgumentException: epsilon must be finite");
        assertThat(y).doesNotExist();
    }

    @Test
    void runExitsThreeForAMissingOrCorruptFileAndWritesNothing() throws IOException {
        Path y = tmp.resolve("y.npz");
        Path absent = tmp.resolve("absent.npz");
        String[] args = runArgs(EX2, y);
        args[6] = absent.toString();
        CliRunner r = CliRunner.run(args);
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).startsWith("qbn4j run: cannot read " + absent).contains("no such file");
        assertThat(y).doesNotExist();

        Path corrupt = tmp.resolve("corrupt.npz");
        Files.writeString(corrupt, "not a zip");
        args[6] = corrupt.toString();
        r = CliRunner.run(args);
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains(corrupt.toString()).contains("not a valid zip archive");
        assertThat(y).doesNotExist();
    }

    @Test
    void runExitsThreeWhenTheOutputCannotBeWritten() {
        Path y = tmp.resolve("no-such-dir").resolve("y.npz");
        CliRunner r = CliRunner.run(runArgs(EX2, y));
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("cannot write " + y);
        assertThat(y).doesNotExist();
    }

    @Test
    void runExits64ForUsageErrorsAndWritesNothing() {
        CliRunner r = CliRunner.run("run", "--layer", "a", "--weights", "b", "--input", "c");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).startsWith("qbn4j: run: missing option --output").contains("Usage: qbn4j run")
                .contains("Run `qbn4j run --help`");

        r = CliRunner.run("run", "--layer", "a", "--colour", "blue");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("unknown option --colour");

        r = CliRunner.run("run", "--layer", "a", "--layer", "b");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --layer is given twice");

        r = CliRunner.run("run", "--output");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --output needs a value");

        r = CliRunner.run("run", "--stats=yes");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --stats takes no value");

        r = CliRunner.run("run", "stray", "--layer", "a");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("unexpected argument \"stray\"");

        r = CliRunner.run("frobnicate");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("unknown command \"frobnicate\"");
        assertThat(tmp).isEmptyDirectory();
    }

    // ------------------------------------------------------------------ conformance

    @Test
    void conformancePrintsFailingCasesAndTheFinalCount() {
        CliRunner r = CliRunner.run("conformance", MINI.resolve("wrong").toString());
        assertThat(r.status).isEqualTo(1);
        String[] lines = r.out.split("\n");
        assertThat(lines).hasSize(7);
        assertThat(lines[0]).isEqualTo("profile: quantizeml 0.5.2, cpu intel, mode eager (default)");
        assertThat(lines[4]).isEqualTo("FAIL wrong-output-value: output differs: values: first difference at "
                + "(0, 1, 1): actual 114, expected 113; 1 of 4 values differ");
        assertThat(lines[6]).isEqualTo("0 passed, 5 failed");
    }

    @Test
    void conformanceExitsZeroWhenEveryCasePasses() {
        CliRunner r = CliRunner.run("conformance", MINI.resolve("suite").toString());
        assertThat(r.status).isZero();
        assertThat(r.out).isEqualTo("profile: quantizeml 0.5.2, cpu intel, mode eager (default)\n5 passed, 0 failed\n");
        assertThat(r.err).as("no progress for a short suite").isEmpty();
    }

    @Test
    void conformanceVerboseListsPassingCasesToo() {
        CliRunner r = CliRunner.run("conformance", "--verbose", MINI.resolve("suite").toString());
        assertThat(r.status).isZero();
        assertThat(r.out).contains("PASS example1-per-tensor-input: output matches").endsWith("5 passed, 0 failed\n");
    }

    @Test
    void conformanceRefusesAMissingSuiteAndEmptySuites() {
        CliRunner r = CliRunner.run("conformance", tmp.resolve("absent").toString());
        assertThat(r.status).isEqualTo(3);
        assertThat(r.err).contains("is not a directory");
        r = CliRunner.run("conformance", tmp.toString());
        assertThat(r.status).isEqualTo(1);
        assertThat(r.err).contains("no case in");
        assertThat(r.out).endsWith("0 passed, 0 failed\n");
        r = CliRunner.run("conformance");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("missing SUITE_DIR");
        r = CliRunner.run("conformance", "a", "b");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("takes one SUITE_DIR");
    }

    @Test
    void conformanceOnAFolderOfSuitesRunsEachUnderItsOwnProfileAndEndsWithTheTotal() throws IOException {
        CliRunner r = CliRunner.run("conformance", MINI.toString());
        assertThat(r.status).isEqualTo(1);
        String[] lines = r.out.split("\n");
        assertThat(lines).hasSize(12);
        assertThat(lines[0]).isEqualTo("suite suite: 5 cases");
        assertThat(lines[1]).isEqualTo("profile: quantizeml 0.5.2, cpu intel, mode eager (default)");
        assertThat(lines[2]).isEqualTo("suite suite: 5 of 5 passed");
        assertThat(lines[3]).isEqualTo("suite wrong: 5 cases");
        assertThat(lines[8]).startsWith("FAIL wrong-output-value: output differs");
        assertThat(lines[10]).isEqualTo("suite wrong: 0 of 5 passed");
        assertThat(lines[11]).isEqualTo("5 passed, 5 failed");

        // a nested suite with its own reference.json runs under it; its parent's never reaches it
        Path root = tmp.resolve("suites");
        for (String suite : List.of("amd", "amd/plain", "intel")) {
            Path c = root.resolve(suite).resolve("example1");
            Files.createDirectories(c);
            try (Stream<Path> files = Files.list(MINI.resolve("suite/example1-per-tensor-input"))) {
                for (Path f : files.toList()) {
                    Files.copy(f, c.resolve(f.getFileName()));
                }
            }
        }
        ReferenceFiles.write(root.resolve("amd"), Reference.defaults().withCpu(Reference.Cpu.AMD_ZEN4));
        r = CliRunner.run("conformance", root.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).isEqualTo(String.join("\n",
                "suite amd: 1 case",
                "profile: quantizeml 0.5.2, cpu amd-zen4, mode eager (reference.json)",
                "suite amd: 1 of 1 passed",
                "suite " + Path.of("amd", "plain") + ": 1 case",
                "profile: quantizeml 0.5.2, cpu intel, mode eager (default)",
                "suite " + Path.of("amd", "plain") + ": 1 of 1 passed",
                "suite intel: 1 case",
                "profile: quantizeml 0.5.2, cpu intel, mode eager (default)",
                "suite intel: 1 of 1 passed",
                "3 passed, 0 failed", ""));

        r = CliRunner.run("conformance", "--mode", "graph", root.toString());
        assertThat(r.out).as("options override each suite's own profile")
                .contains("profile: quantizeml 0.5.2, cpu amd-zen4, mode graph (options over reference.json)")
                .contains("profile: quantizeml 0.5.2, cpu intel, mode graph (options over default)");

        r = CliRunner.run("conformance", "--cpu", "auto", root.toString());
        assertThat(r.out).as("auto diagnoses every suite").contains("suite amd: 1 case\nprofiles tried: ")
                .endsWith("suite intel: 1 of 1 passed\n3 passed, 0 failed\n");
    }

    @Test
    void conformanceReportsProgressOnLongSuitesUnlessQuiet() throws IOException {
        Path suite = tmp.resolve("suite");
        List<Path> cases;
        try (Stream<Path> s = Files.list(MINI.resolve("suite"))) {
            cases = s.sorted().toList();
        }
        for (int copy = 0; copy < 4; copy++) {
            for (Path c : cases) {
                Path target = suite.resolve(copy + "-" + c.getFileName());
                Files.createDirectories(target);
                try (Stream<Path> files = Files.list(c)) {
                    for (Path f : files.toList()) {
                        Files.copy(f, target.resolve(f.getFileName()));
                    }
                }
            }
        }
        CliRunner r = CliRunner.run("conformance", suite.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).endsWith("\n20 passed, 0 failed\n");
        assertThat(r.err.split("\n")).hasSize(9)
                .startsWith("qbn4j conformance: 2 of 20 cases (10%), 0 failed")
                .endsWith("qbn4j conformance: 18 of 20 cases (90%), 0 failed");

        r = CliRunner.run("conformance", "--quiet", suite.toString());
        assertThat(r.status).isZero();
        assertThat(r.out).endsWith("\n20 passed, 0 failed\n");
        assertThat(r.err).isEmpty();
        r = CliRunner.run("conformance", "-q", suite.toString());
        assertThat(r.err).isEmpty();
    }

    // ------------------------------------------------------------------ help and exit codes

    @Test
    void helpDocumentsEveryCommandAndTheExitCodes() {
        for (String[] args : new String[][] {{"--help"}, {"help"}, {"-h"}}) {
            CliRunner r = CliRunner.run(args);
            assertThat(r.status).isZero();
            assertThat(r.out).contains("run --layer FILE --weights FILE").contains("run --model MODEL --layer NAME")
                    .contains("conformance [--verbose] [--quiet] SUITE_DIR").contains("inspect MODEL")
                    .contains("calibrate MODEL --layer NAME --samples FILE --out DIR")
                    .contains("quantize MODEL --layer NAME [--config FILE] --out DIR")
                    .contains("Exit status:").contains("  1   conformance").contains("  2   refused")
                    .contains("  3   a file is missing").contains("  64  usage error").contains("  70  internal error");
        }
    }

    @Test
    void everyCommandHasHelpWithItsExitCodes() {
        for (String command : COMMANDS) {
            CliRunner viaOption = CliRunner.run(command, "--help");
            assertThat(viaOption.status).as(command).isZero();
            assertThat(viaOption.out).as(command).startsWith("Usage: qbn4j " + command).contains("Exit status:")
                    .contains("  64  usage error");
            assertThat(viaOption.err).isEmpty();
            CliRunner viaHelp = CliRunner.run("help", command);
            assertThat(viaHelp.status).isZero();
            assertThat(viaHelp.out).isEqualTo(viaOption.out);
            CliRunner shortOption = CliRunner.run(command, "-h");
            assertThat(shortOption.out).isEqualTo(viaOption.out);
            CliRunner amidOthers = CliRunner.run(command, "--bogus-before", "--help");
            assertThat(amidOthers.status).as("--help wins").isZero();
        }
        CliRunner r = CliRunner.run("help", "frobnicate");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("help takes one of the commands run, conformance, inspect, calibrate, quantize");
    }

    @Test
    void internalErrorsExit70WithAStackTrace() {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        int status = Main.execute("run", RunCommand.USAGE, System.out, err, (a, o, e) -> {
            throw new NullPointerException("boom");
        }, new String[0]);
        assertThat(status).isEqualTo(70);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).startsWith("qbn4j: internal error: "
                + "java.lang.NullPointerException: boom").contains("at io.github.qbn4j.cli.MainTest");

        errBytes.reset();
        status = Main.execute("inspect", InspectCommand.USAGE, System.out, err, (a, o, e) -> {
            throw new IllegalStateException("Keras files need jhdf (io.jhdf:jhdf), which is not available: add it");
        }, new String[0]);
        assertThat(status).as("a missing optional dependency").isEqualTo(70);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEqualTo("qbn4j inspect: Keras files need jhdf "
                + "(io.jhdf:jhdf), which is not available: add it\n");
    }

    @Test
    void referenceErrorsExit2WithThePythonClass() {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        int status = Main.execute("run", RunCommand.USAGE, System.out, err, (a, o, e) -> {
            throw new QuantizationException(QuantizationException.ReferenceError.INVALID_ARGUMENT, "spread");
        }, new String[0]);
        assertThat(status).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEqualTo("InvalidArgumentError: spread\n");
    }

    // ------------------------------------------------------------------ the demo

    @Test
    void demoRunsTheBundledModelAndMatchesQuantizeml() {
        CliRunner r = CliRunner.run();
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out)
                .contains("The bundled demo_model.h5: conv -> relu -> bn")
                .contains("Layer \"bn\" (QuantizedBatchNormalization, demo_model.h5): 8 channels, epsilon 0.001")
                .contains("output quantizer: 8 bits signed, per-axis")
                .contains("Input (demo_input.npz): FixedPoint[shape=[1, 4, 4, 8], valueBits=8, fracBits=5")
                .contains("    ch       a float   a_q")
                .contains("Output: FixedPoint[shape=[1, 4, 4, 8], valueBits=7, fracBits=[5, 4, 6, 5, 4, 4, 5, 5]")
                .containsPattern("\\(0, 0, 0, 2\\)\\s+219\\s+6\\.84375\\s+-128\\s+-2\\.0\\s+-4\\.9\\d+\\s+saturated")
                .contains("matches quantizeml 0.5.2: yes");
        assertThat(r.out.lines().filter(l -> l.startsWith("matches quantizeml 0.5.2: ")))
                .containsExactly("matches quantizeml 0.5.2: yes (all 128 values, the value bits and the frac bits "
                        + "of demo_output.npz)");
    }

    @Test
    void versionPrintsTheVersionTheJdkAndTheKernelRunUses() {
        CliRunner r = CliRunner.run("--version");
        assertThat(r.status).isZero();
        assertThat(r.err).isEmpty();
        String[] lines = r.out.split("\n");
        assertThat(lines[0]).matches("qbn4j \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(lines[1]).startsWith("JDK: ").contains(System.getProperty("java.runtime.version"));
        // the tests run with --add-modules jdk.incubator.vector (pom.xml, surefire argLine)
        assertThat(lines[2]).isEqualTo("kernel: VECTOR_INTEGER (VECTOR_FLOAT32 for a layer whose integer bound fails)");
        assertThat(CliRunner.run("version").out).isEqualTo(r.out);
    }

    @Test
    void withoutTheVectorModuleRunAndConformanceSayOnceHowToGetIt() {
        String hint = Main.kernelHint("module jdk.incubator.vector not present (run with --add-modules "
                + "jdk.incubator.vector)");
        assertThat(hint).isEqualTo("qbn4j: running the scalar kernels (module jdk.incubator.vector not present (run"
                + " with --add-modules jdk.incubator.vector)); the ./qbn4j launcher, or `java --add-modules"
                + " jdk.incubator.vector -jar qbn4j-cli.jar`, runs the vector kernels, about 35x faster");
        assertThat(Main.kernelHint("available")).isNull();
        assertThat(Main.kernelHint("disabled or unsupported on this JVM")).as("-Dqbn4j.vector=false").isNull();
        // with the module (as here), nothing is said
        assertThat(CliRunner.run("conformance", "--quiet", MINI.resolve("suite").toString()).err).isEmpty();
    }
}
