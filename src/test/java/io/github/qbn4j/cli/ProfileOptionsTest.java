package io.github.qbn4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.tensor.QTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --cpu, --mode and --quantizeml on conformance, run and inspect, against cases quantizeml 0.5.2
 * computed on an AMD EPYC (the golden suite bn-0.5.2-amd-eager): one where only the buffer scale
 * depends on the CPU, one where integers do too.
 */
class ProfileOptionsTest {

    private static final Path AMD = Path.of("src/test/resources/golden/bn-0.5.2-amd-eager");
    /** 8 channels, a QFloat input: Intel's packet rsqrt gives another last bit of the scale. */
    private static final String SCALE_CASE = "0070-qf-pt-c8-r4-nooq";
    /** 16 channels at a rounding tie: Intel's rsqrt changes an output integer (-693 vs -704). */
    private static final String VALUE_CASE = "1096-fp-pt-c16-r3-nooq-pow2-tie";

    @TempDir
    Path tmp;

    /** A suite of the two cases, with the AMD suite's reference.json. */
    private Path suite() throws IOException {
        Path suite = tmp.resolve("suite");
        for (String c : List.of(SCALE_CASE, VALUE_CASE)) {
            Path target = Files.createDirectories(suite.resolve(c));
            try (Stream<Path> files = Files.list(AMD.resolve(c))) {
                for (Path f : files.toList()) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
        }
        Files.copy(AMD.resolve("reference.json"), suite.resolve("reference.json"));
        return suite;
    }

    @Test
    void conformanceTakesTheSuitesProfileAndTheOptionsOverrideIt() throws IOException {
        Path suite = suite();
        CliRunner r = CliRunner.run("conformance", suite.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).isEqualTo("profile: quantizeml 0.5.2, cpu amd-zen3, mode eager (reference.json)\n"
                + "2 passed, 0 failed\n");

        r = CliRunner.run("conformance", "--cpu", "amd-zen4", suite.toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).endsWith("2 passed, 0 failed\n").startsWith(
                "profile: quantizeml 0.5.2, cpu amd-zen4, mode eager (options over reference.json)\n");

        r = CliRunner.run("conformance", "--cpu", "intel", suite.toString());
        assertThat(r.status).isEqualTo(1);
        assertThat(r.out).contains("FAIL " + SCALE_CASE + ": output differs: scales:")
                .contains("FAIL " + VALUE_CASE + ": output differs: values: first difference at (0, 0, 15): "
                        + "actual -693, expected -704")
                .endsWith("0 passed, 2 failed\n");
    }

    @Test
    void autoReportsWhichProfilesReproduceEachCase() throws IOException {
        CliRunner r = CliRunner.run("conformance", "--cpu", "auto", "--mode", "auto", suite().toString());
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out.split("\n")).containsSubsequence(
                "profiles tried: 4",
                "  [1] quantizeml 0.5.2, cpu intel, mode eager",
                "  [2] quantizeml 0.5.2, cpu intel, mode graph",
                "  [3] quantizeml 0.5.2, cpu amd-zen4, mode eager",
                "  [4] quantizeml 0.5.2, cpu amd-zen4, mode graph",
                "profile [1] quantizeml 0.5.2, cpu intel, mode eager: 0 of 2 cases",
                "profile [3] quantizeml 0.5.2, cpu amd-zen4, mode eager: 2 of 2 cases",
                "2 passed, 0 failed");
        assertThat(r.out).contains("MATCH " + VALUE_CASE + ": [3]");
    }

    @Test
    void runAndInspectTakeTheProfile() throws IOException {
        Path c = AMD.resolve(VALUE_CASE);
        QTensor expected = QTensorFiles.read(c.resolve("y.npz"));
        for (String cpu : List.of("amd-zen4", "intel")) {
            Path out = tmp.resolve(cpu + ".npz");
            CliRunner r = CliRunner.run("run", "--layer", c.resolve("layer.json").toString(), "--weights",
                    c.resolve("weights.npz").toString(), "--input", c.resolve("x.npz").toString(), "--output",
                    out.toString(), "--cpu", cpu);
            assertThat(r.status).as(r.describe()).isZero();
            assertThat(QTensorFiles.read(out).equals(expected)).as(cpu).isEqualTo(cpu.equals("amd-zen4"));
        }
        CliRunner r = CliRunner.run("inspect", c.toString(), "--input-format", "7:3", "--cpu", "amd-zen3", "--mode",
                "graph");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).contains("Reference profile: quantizeml 0.5.2, cpu amd-zen3, mode graph");
    }

    @Test
    void badProfileOptionsAreUsageErrors() {
        Path c = AMD.resolve(VALUE_CASE);
        CliRunner r = CliRunner.run("inspect", c.toString(), "--cpu", "m68k");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --cpu must be one of [intel, amd-zen4, amd-zen3] or a table file measured "
                + "with dump_rsqrtps, got \"m68k\"");
        r = CliRunner.run("inspect", c.toString(), "--mode", "lazy");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --mode: mode must be \"eager\" or \"graph\", got \"lazy\"");
        r = CliRunner.run("inspect", c.toString(), "--mode", "auto");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --mode auto is for conformance only; name one value");
        r = CliRunner.run("inspect", c.toString(), "--quantizeml", "0.4.2");
        assertThat(r.status).isEqualTo(64);
        assertThat(r.err).contains("option --quantizeml: quantizeml must be one of [0.5.2");
    }
}
