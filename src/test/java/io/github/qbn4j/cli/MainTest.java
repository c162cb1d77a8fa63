package io.github.qbn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private static final Path MINI = Path.of("src/test/resources/conformance-mini");
    private static final Path EX2 = MINI.resolve("suite/example2-per-axis-input-per-tensor-output");
    private static final Path VB_ERROR = MINI.resolve("suite/error-input-value-bits-above-buffer");

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            return Main.run(args, out, err);
        }
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private String[] runArgs(Path caseDir, Path output) {
        return new String[] {"run", "--layer", caseDir.resolve("layer.json").toString(), "--weights",
            caseDir.resolve("weights.npz").toString(), "--input", caseDir.resolve("x.npz").toString(), "--output",
            output.toString()};
    }

    @Test
    void runWritesTheOutputTensorAndExitsZero() throws IOException {
        Path y = tmp.resolve("y.npz");
        assertThat(run(runArgs(EX2, y))).as(err()).isZero();
        assertThat(QTensorFiles.read(y)).isEqualTo(
                FixedPoint.of(Shape.of(1, 2, 2), new int[] {20, 8, -14, 114}, 7, FracBits.of(4)));
        assertThat(err()).isEmpty();
    }

    @Test
    void runAcceptsOptionsWithEqualsSignsInAnyOrder() {
        Path y = tmp.resolve("y.npz");
        int status = run("run", "--output=" + y, "--input=" + EX2.resolve("x.npz"),
                "--weights=" + EX2.resolve("weights.npz"), "--layer=" + EX2.resolve("layer.json"));
        assertThat(status).as(err()).isZero();
        assertThat(y).exists();
    }

    @Test
    void runPrintsTheReferenceErrorClassExitsTwoAndWritesNothing() {
        Path y = tmp.resolve("y.npz");
        assertThat(run(runArgs(VB_ERROR, y))).isEqualTo(2);
        assertThat(err()).startsWith("ValueError: input value bits must be <= the 15 value bits of the buffer");
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
        assertThat(run(runArgs(caseDir, y))).isEqualTo(2);
        assertThat(err()).startsWith("IllegalArgumentException: epsilon must be finite");
        assertThat(y).doesNotExist();
    }

    @Test
    void runExitsThreeForAMissingOrCorruptFileAndWritesNothing() throws IOException {
        Path y = tmp.resolve("y.npz");
        Path absent = tmp.resolve("absent.npz");
        String[] args = runArgs(EX2, y);
        args[6] = absent.toString();
        assertThat(run(args)).isEqualTo(3);
        assertThat(err()).contains(absent.toString()).contains("no such file");
        assertThat(y).doesNotExist();

        Path corrupt = tmp.resolve("corrupt.npz");
        Files.writeString(corrupt, "not a zip");
        args[6] = corrupt.toString();
        errBytes.reset();
        assertThat(run(args)).isEqualTo(3);
        assertThat(err()).contains(corrupt.toString()).contains("not a valid zip archive");
        assertThat(y).doesNotExist();
    }

    @Test
    void runExitsThreeWhenTheOutputCannotBeWritten() {
        Path y = tmp.resolve("no-such-dir").resolve("y.npz");
        assertThat(run(runArgs(EX2, y))).isEqualTo(3);
        assertThat(err()).contains("cannot write " + y);
        assertThat(y).doesNotExist();
    }

    @Test
    void runExits64ForUsageErrorsAndWritesNothing() {
        Path y = tmp.resolve("y.npz");
        String[] missing = {"run", "--layer", "a", "--weights", "b", "--input", "c"};
        assertThat(run(missing)).isEqualTo(64);
        assertThat(err()).contains("missing option --output").contains("Usage: qbn4j run");

        errBytes.reset();
        assertThat(run("run", "--layer", "a", "--colour", "blue")).isEqualTo(64);
        assertThat(err()).contains("unknown option --colour");

        errBytes.reset();
        assertThat(run("run", "--layer", "a", "--layer", "b")).isEqualTo(64);
        assertThat(err()).contains("option --layer is given twice");

        errBytes.reset();
        assertThat(run("run", "--output")).isEqualTo(64);
        assertThat(err()).contains("option --output needs a file name");

        errBytes.reset();
        assertThat(run("frobnicate")).isEqualTo(64);
        assertThat(err()).contains("unknown command \"frobnicate\"");
        assertThat(y).doesNotExist();
    }

    @Test
    void conformancePrintsFailingCasesAndTheFinalCount() {
        assertThat(run("conformance", MINI.resolve("wrong").toString())).isEqualTo(1);
        String[] lines = out().split("\n");
        assertThat(lines).hasSize(6);
        assertThat(lines[3]).isEqualTo("FAIL wrong-output-value: output differs: values: first difference at "
                + "(0, 1, 1): actual 114, expected 113; 1 of 4 values differ");
        assertThat(lines[5]).isEqualTo("0 passed, 5 failed");
    }

    @Test
    void conformanceExitsZeroWhenEveryCasePasses() {
        assertThat(run("conformance", MINI.resolve("suite").toString())).isZero();
        assertThat(out()).isEqualTo("5 passed, 0 failed\n");
    }

    @Test
    void conformanceVerboseListsPassingCasesToo() {
        assertThat(run("conformance", "--verbose", MINI.resolve("suite").toString())).isZero();
        assertThat(out()).contains("PASS example1-per-tensor-input: output matches").endsWith("5 passed, 0 failed\n");
    }

    @Test
    void conformanceRefusesAMissingSuiteAndEmptySuites() {
        assertThat(run("conformance", tmp.resolve("absent").toString())).isEqualTo(3);
        assertThat(err()).contains("is not a directory");
        errBytes.reset();
        assertThat(run("conformance", tmp.toString())).isEqualTo(1);
        assertThat(err()).contains("no case in");
        assertThat(out()).endsWith("0 passed, 0 failed\n");
        errBytes.reset();
        assertThat(run("conformance")).isEqualTo(64);
        assertThat(err()).contains("missing SUITE_DIR");
    }

    @Test
    void helpDocumentsCommandsAndExitCodes() {
        for (String[] args : new String[][] {{"--help"}, {"help"}, {"-h"}}) {
            outBytes.reset();
            assertThat(run(args)).isZero();
            assertThat(out()).contains("run --layer FILE --weights FILE").contains("conformance SUITE_DIR")
                    .contains("Exit status:").contains("  2   run: the layer refused").contains("  64  usage error");
        }
        outBytes.reset();
        assertThat(run("run", "--help")).isZero();
        assertThat(out()).startsWith("Usage: qbn4j run --layer layer.json").contains("Exit status:");
        outBytes.reset();
        assertThat(run("help", "conformance")).isZero();
        assertThat(out()).startsWith("Usage: qbn4j conformance");
        outBytes.reset();
        assertThat(run("conformance", "--help")).isZero();
        assertThat(out()).startsWith("Usage: qbn4j conformance");
    }

    @Test
    void demoRunsWithoutArgumentsAndPrintsTheFoldingAndOutputs() {
        assertThat(run()).isZero();
        assertThat(out())
                .contains("a              [32, 127] x scale 0.015748031")
                .contains("input shift    [2, 0] -> buffer frac bits 4")
                .contains("b              [0, 95] with frac bits -1, shifted left by [5, 5] -> [0, 3040]")
                .contains("output scale   [129] with frac bits 13")
                .contains("output frac bits 4")
                .contains("values=[20, 8, -14, 114]")
                .containsPattern("\\(0, 1, 1\\)\\s+2\\.0625\\s+33\\s+114\\s+7\\.125\\s+7\\.1249");
        assertThat(err()).isEmpty();
    }
}
