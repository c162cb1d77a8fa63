package io.github.qbn4j.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.Reference;
import io.github.qbn4j.conformance.ConformanceSuite.CaseResult;
import io.github.qbn4j.io.ReferenceFiles;
import io.github.qbn4j.layer.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceSuiteTest {

    /** Hand-made cases from spec §6, worked out in conformance-mini/README.md. */
    static final Path MINI = Path.of("src/test/resources/conformance-mini");

    @TempDir
    Path tmp;

    private static String failures(List<CaseResult> results) {
        return results.stream().filter(r -> !r.passed()).map(r -> r.name() + ": " + r.message())
                .collect(Collectors.joining("\n"));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private ConformanceSuite scratchSuite(String... cases) throws IOException {
        Path suite = tmp.resolve("suite");
        for (String c : cases) {
            copyTree(MINI.resolve("suite").resolve(c), suite.resolve(c));
        }
        return ConformanceSuite.open(suite);
    }

    @Test
    void findsTheCasesSortedByName() throws IOException {
        ConformanceSuite suite = ConformanceSuite.open(MINI.resolve("suite"));
        assertThat(suite.caseNames()).containsExactly(
                "error-input-value-bits-above-buffer",
                "error-per-axis-qfloat-input",
                "example1-per-tensor-input",
                "example2-per-axis-input-per-tensor-output",
                "example3-per-axis-output-saturates");
        assertThat(suite.directory()).isEqualTo(MINI.resolve("suite"));
    }

    @Test
    void passesEveryHandMadeCase() throws IOException {
        List<CaseResult> results = ConformanceSuite.open(MINI.resolve("suite")).runAll();
        assertThat(results).hasSize(5);
        assertThat(results).as(failures(results)).allMatch(CaseResult::passed);
    }

    @Test
    void checksTheTraceOfAPassingCase() throws IOException {
        CaseResult r = ConformanceSuite.open(MINI.resolve("suite")).run("example2-per-axis-input-per-tensor-output");
        assertThat(r.passed()).as(r.message()).isTrue();
        assertThat(r.message()).startsWith("output matches (call, plan on [SCALAR_FLOAT32, SCALAR_INTEGER"
                + (Plan.vectorKernelsAvailable() ? ", VECTOR_FLOAT32, VECTOR_INTEGER" : "")
                + "]): FixedPoint, shape [1, 2, 2], valueBits 7, fracBits 4")
                .endsWith("; trace matches (27 keys, not compared: [out_scaled])");
    }

    @Test
    void showsBothMessagesWhenACaseIsRejectedAsExpected() throws IOException {
        CaseResult r = ConformanceSuite.open(MINI.resolve("suite")).run("error-input-value-bits-above-buffer");
        assertThat(r.passed()).isTrue();
        assertThat(r.message()).startsWith("rejected as expected")
                .contains("expected ValueError: Exception encountered when calling layer 'bn'")
                .contains("Cannot reduce value bits from 16 to 15")
                .contains("qbn4j: ValueError (QuantizationException): input value bits must be <= the 15 value bits");
    }

    @Test
    void reportsEveryDeliberatelyWrongCaseAsAFailure() throws IOException {
        List<CaseResult> results = ConformanceSuite.open(MINI.resolve("wrong")).runAll();
        assertThat(results).extracting(CaseResult::name).containsExactly("wrong-error-class",
                "wrong-expects-error", "wrong-expects-output", "wrong-output-value", "wrong-trace");
        assertThat(results).noneMatch(CaseResult::passed);
    }

    @Test
    void reportsAWrongOutputValueWithItsCoordinate() throws IOException {
        CaseResult r = ConformanceSuite.open(MINI.resolve("wrong")).run("wrong-output-value");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).isEqualTo("output differs: values: first difference at (0, 1, 1): actual 114, "
                + "expected 113; 1 of 4 values differ");
        assertThat(r.message()).contains("tensors differ (actual vs expected):");
    }

    @Test
    void failsWhenTheReferenceRefusesForAnotherReason() throws IOException {
        CaseResult r = ConformanceSuite.open(MINI.resolve("wrong")).run("wrong-error-class");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).isEqualTo("rejected for another reason: expected TypeError, qbn4j raises ValueError");
        assertThat(r.message()).contains("expected TypeError: a made-up reason")
                .contains("qbn4j: ValueError (QuantizationException)");
    }

    @Test
    void namesTheTraceKeyThatDiffers() throws IOException {
        CaseResult r = ConformanceSuite.open(MINI.resolve("wrong")).run("wrong-trace");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).isEqualTo("trace key 'b_values' differs at index 1: actual 95, expected 96; "
                + "1 of 2 differ (actual [0, 95], expected [0, 96]) (the output matches)");
    }

    @Test
    void failsWhenAnOutputWasExpectedButQbn4jRefuses() throws IOException {
        CaseResult r = ConformanceSuite.open(MINI.resolve("wrong")).run("wrong-expects-output");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).startsWith("expected an output (y.npz), but qbn4j rejected the case; qbn4j: ValueError");
    }

    @Test
    void failsWhenAnErrorWasExpectedButQbn4jProducesAnOutput() throws IOException {
        CaseResult r = ConformanceSuite.open(MINI.resolve("wrong")).run("wrong-expects-error");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).startsWith("expected ValueError, but qbn4j produced an output: QFloat[");
    }

    @Test
    void passesAnErrorCaseOfAnyClassWithAQbn4jOnlyCheck() throws IOException {
        ConformanceSuite suite = scratchSuite("error-per-axis-qfloat-input");
        Path dir = suite.directory().resolve("error-per-axis-qfloat-input");
        // epsilon NaN: qbn4j refuses it on its own (plain IllegalArgumentException), whatever Python said
        Files.writeString(dir.resolve("layer.json"), Files.readString(dir.resolve("layer.json"))
                .replace("\"epsilon\": 0.001", "\"epsilon\": NaN"));
        CaseResult r = suite.run("error-per-axis-qfloat-input");
        assertThat(r.passed()).as(r.message()).isTrue();
        assertThat(r.message()).contains("qbn4j: IllegalArgumentException (a qbn4j-only check): epsilon must be finite");
    }

    @Test
    void passesAnErrorCaseRefusedAsACorruptFile() throws IOException {
        ConformanceSuite suite = scratchSuite("error-per-axis-qfloat-input");
        Files.writeString(suite.directory().resolve("error-per-axis-qfloat-input/x.npz"), "garbage");
        CaseResult r = suite.run("error-per-axis-qfloat-input");
        assertThat(r.passed()).isTrue();
        assertThat(r.message()).contains("qbn4j: FileFormatException: ");
    }

    @Test
    void reportsAnUnexpectedExceptionWithAStackSummary() throws IOException {
        ConformanceSuite suite = scratchSuite("example1-per-tensor-input");
        Files.delete(suite.directory().resolve("example1-per-tensor-input/x.npz"));
        CaseResult r = suite.run("example1-per-tensor-input");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).startsWith("qbn4j failed unexpectedly: java.nio.file.NoSuchFileException: ")
                .contains(" at ");
    }

    @Test
    void failsACaseWithNeitherOrBothExpectedResults() throws IOException {
        ConformanceSuite suite = scratchSuite("example1-per-tensor-input");
        Path dir = suite.directory().resolve("example1-per-tensor-input");
        Files.writeString(dir.resolve("error.txt"), "ValueError\nboth\n");
        assertThat(suite.run("example1-per-tensor-input").summary())
                .isEqualTo("the case must hold exactly one of y.npz and error.txt, it has both");
        Files.delete(dir.resolve("error.txt"));
        Files.delete(dir.resolve("y.npz"));
        assertThat(suite.run("example1-per-tensor-input").summary())
                .isEqualTo("the case must hold exactly one of y.npz and error.txt, it has neither");
    }

    @Test
    void failsACaseWhoseExpectedOutputIsCorrupt() throws IOException {
        ConformanceSuite suite = scratchSuite("example1-per-tensor-input");
        Files.writeString(suite.directory().resolve("example1-per-tensor-input/y.npz"), "garbage");
        CaseResult r = suite.run("example1-per-tensor-input");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).startsWith("cannot read the expected results: io.github.qbn4j.io.FileFormatException");
    }

    @Test
    void failsOnATraceKeyQbn4jDoesNotKnow() throws IOException {
        ConformanceSuite suite = scratchSuite("example1-per-tensor-input");
        Path trace = suite.directory().resolve("example1-per-tensor-input/trace.npz");
        java.util.Map<String, io.github.qbn4j.io.NpyArray> arrays = new java.util.LinkedHashMap<>(
                io.github.qbn4j.io.Npz.read(trace));
        arrays.put("mystery", io.github.qbn4j.io.NpyArray.scalarFloat32(1f));
        io.github.qbn4j.io.Npz.write(trace, arrays);
        CaseResult r = suite.run("example1-per-tensor-input");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).startsWith("trace key 'mystery' is unknown to qbn4j");
    }

    @Test
    void ignoresFoldersWithoutLayerJson() throws IOException {
        ConformanceSuite suite = scratchSuite("example1-per-tensor-input");
        Files.createDirectories(suite.directory().resolve("notes"));
        Files.writeString(suite.directory().resolve("README.md"), "provenance");
        assertThat(ConformanceSuite.open(suite.directory()).caseNames()).containsExactly("example1-per-tensor-input");
    }

    @Test
    void discoversTheSuitesBelowAFolderEachUnderItsOwnReferenceJson() throws IOException {
        // root/reference.json (no case: not a suite), root/a (suite, no reference.json), root/b (suite,
        // amd-zen4), root/b/nested (suite, no reference.json: the default, never b's), root/empty/deeper/c
        Path root = tmp.resolve("root");
        Reference graph = Reference.defaults().withMode(Reference.Mode.GRAPH);
        Reference zen4 = Reference.defaults().withCpu(Reference.Cpu.AMD_ZEN4);
        Files.createDirectories(root);
        ReferenceFiles.write(root, graph);
        String example = "example1-per-tensor-input";
        copyTree(MINI.resolve("suite").resolve(example), root.resolve("a").resolve(example));
        copyTree(MINI.resolve("suite").resolve(example), root.resolve("b").resolve(example));
        ReferenceFiles.write(root.resolve("b"), zen4);
        copyTree(MINI.resolve("suite").resolve(example), root.resolve("b/nested").resolve(example));
        copyTree(MINI.resolve("wrong/wrong-output-value"), root.resolve("empty/deeper/c/wrong-output-value"));
        // not suites: a folder inside a case, and a link back up the tree
        copyTree(MINI.resolve("suite").resolve(example), root.resolve("a").resolve(example).resolve("inner")
                .resolve(example));
        Files.createSymbolicLink(root.resolve("b/loop"), root.toAbsolutePath());

        List<ConformanceSuite> suites = ConformanceSuite.discover(root);
        assertThat(suites).extracting(ConformanceSuite::directory).containsExactly(root.resolve("a"),
                root.resolve("b"), root.resolve("b/nested"), root.resolve("empty/deeper/c"));
        assertThat(suites).extracting(ConformanceSuite::reference).containsExactly(Reference.defaults(), zen4,
                Reference.defaults(), Reference.defaults());
        assertThat(suites.get(2).declaredReference()).isEmpty();
        assertThat(suites.get(0).caseNames()).containsExactly(example);
        assertThat(suites.get(3).caseNames()).containsExactly("wrong-output-value");

        // a suite folder itself comes first, then the suites inside it
        assertThat(ConformanceSuite.discover(root.resolve("b"))).extracting(ConformanceSuite::directory)
                .containsExactly(root.resolve("b"), root.resolve("b/nested"));
        assertThat(ConformanceSuite.discover(MINI.resolve("suite"))).extracting(ConformanceSuite::directory)
                .containsExactly(MINI.resolve("suite"));
        assertThat(ConformanceSuite.discover(tmp.resolve("root/empty/deeper/c/wrong-output-value")))
                .as("a case folder holds no suite").isEmpty();
        assertThatThrownBy(() -> ConformanceSuite.discover(tmp.resolve("absent")))
                .isInstanceOf(NotDirectoryException.class);
    }

    @Test
    void refusesAnUnknownCaseNameAndAMissingFolder() throws IOException {
        ConformanceSuite suite = ConformanceSuite.open(MINI.resolve("suite"));
        assertThatThrownBy(() -> suite.run("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caseName must be one of the 5 cases").hasMessageContaining("got \"nope\"");
        assertThatThrownBy(() -> ConformanceSuite.open(tmp.resolve("absent")))
                .isInstanceOf(NotDirectoryException.class);
    }

    @Test
    void reportsACaseRefusedByTheReadLimitsAsFailedAndGoesOn() throws IOException {
        ConformanceSuite suite = scratchSuite("error-input-value-bits-above-buffer", "example1-per-tensor-input");
        // a 256 KB x.npz whose values honestly inflate to (1, 1024, 1024, 256) int8: 2^28 elements, over the
        // default 2^27; before issue 11 this ran the reader out of memory and stopped the whole run
        Path x = tmp.resolve("suite").resolve("error-input-value-bits-above-buffer").resolve("x.npz");
        String dict = "{'descr': '|i1', 'fortran_order': False, 'shape': (1, 1024, 1024, 256), }";
        byte[] header = (dict + " ".repeat(64 - (10 + dict.length() + 1) % 64) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(x))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("values.npy"));
            zip.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length, 0});
            zip.write(header);
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                zip.write(block);
            }
            zip.closeEntry();
        }
        CaseResult refused = suite.run("error-input-value-bits-above-buffer");
        assertThat(refused.passed()).isFalse();
        assertThat(refused.summary()).startsWith("refused by the read limits: ")
                .contains("268435456 elements, over the limit of 134217728");
        assertThat(suite.run("example1-per-tensor-input").passed()).isTrue();
    }
}
