package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.Reference;
import io.github.qbn4j.Reference.Cpu;
import io.github.qbn4j.Reference.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceFilesTest {

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve(ReferenceFiles.REFERENCE_JSON), json);
    }

    @Test
    void readsABuiltInProfileAndWritesItBack() throws IOException {
        write("{\"quantizeml\": \"0.5.2\", \"cpu\": \"amd-zen3\", \"mode\": \"graph\", \"description\": \"EPYC\"}");
        Reference r = ReferenceFiles.readIfPresent(dir).orElseThrow();
        assertThat(r).isEqualTo(Reference.defaults().withCpu(Cpu.named("amd-zen3")).withMode(Mode.GRAPH));
        Path other = dir.resolve("copy");
        ReferenceFiles.write(other, r);
        assertThat(ReferenceFiles.read(other.resolve(ReferenceFiles.REFERENCE_JSON))).isEqualTo(r);
        assertThat(Files.readString(other.resolve(ReferenceFiles.REFERENCE_JSON)))
                .contains("\"quantizeml\" : \"0.5.2\"").contains("\"cpu\" : \"amd-zen3\"").contains("\"mode\" : \"graph\"");
    }

    @Test
    void aSuiteWithoutTheFileHasNoDeclaredProfile() throws IOException {
        assertThat(ReferenceFiles.readIfPresent(dir)).isEmpty();
    }

    @Test
    void readsAUserMeasuredTableInsideTheSuite() throws IOException {
        Files.createDirectories(dir.resolve("tables"));
        Files.writeString(dir.resolve("tables/lab-cpu.txt"), "0 0 3f400000\n1 0 3f000000\n");
        write("{\"quantizeml\": \"0.5.2\", \"cpu_table\": \"tables/lab-cpu.txt\", \"mode\": \"eager\"}");
        Reference r = ReferenceFiles.readIfPresent(dir).orElseThrow();
        assertThat(r.cpu().name()).isEqualTo("lab-cpu");
        assertThat(r.cpu().rsqrtEstimate(1f)).isEqualTo(0.75f);
    }

    @Test
    void refusesWhatItCannotTakeExactly() throws IOException {
        String file = dir.resolve(ReferenceFiles.REFERENCE_JSON).toString();
        assertRefused("{\"quantizeml\": \"0.5.2\", \"cpu\": \"intel\", \"mode\": \"eager\", \"tf\": \"2.12\"}",
                file + ": key 'tf' is unknown; the keys are quantizeml, mode, cpu or cpu_table, and description");
        assertRefused("{\"cpu\": \"intel\", \"mode\": \"eager\"}", file + ": key 'quantizeml' is missing");
        assertRefused("{\"quantizeml\": \"0.5.2\", \"mode\": \"eager\"}",
                file + ": exactly one of 'cpu' and 'cpu_table' must be given, got neither");
        assertRefused("{\"quantizeml\": \"0.5.2\", \"cpu\": \"intel\", \"cpu_table\": \"t.txt\", \"mode\": \"eager\"}",
                file + ": exactly one of 'cpu' and 'cpu_table' must be given, got both");
        assertRefused("{\"quantizeml\": \"0.5.2\", \"cpu\": \"m1\", \"mode\": \"eager\"}", file
                + ": cpu must be one of [intel, amd-zen4, amd-zen3] or a table measured with dump_rsqrtps "
                + "(see docs/cpus.md), got \"m1\"");
        assertRefused("{\"quantizeml\": \"0.5.2\", \"cpu\": \"intel\", \"mode\": \"lazy\"}",
                file + ": mode must be \"eager\" or \"graph\", got \"lazy\"");
        assertRefused("{\"quantizeml\": 0.5, \"cpu\": \"intel\", \"mode\": \"eager\"}", file + ": quantizeml must be a string, got 0.5");
        assertRefused("[1, 2]", file + ": the top level must be a JSON object, got [1, 2]");
        assertRefused("{\"quantizeml\": \"0.5.2\", \"cpu_table\": \"../outside.txt\", \"mode\": \"eager\"}",
                file + ": cpu_table must be a path inside the suite folder, got \"../outside.txt\"");
        assertRefused("{\"quantizeml\": \"0.5.2\", \"cpu_table\": \"/etc/passwd\", \"mode\": \"eager\"}",
                file + ": cpu_table must be a path inside the suite folder, got \"/etc/passwd\"");
    }

    private void assertRefused(String json, String message) throws IOException {
        write(json);
        assertThatThrownBy(() -> ReferenceFiles.readIfPresent(dir)).isInstanceOf(FileFormatException.class)
                .hasMessage(message);
    }

    @Test
    void refusesAnOversizedFileBeforeReadingIt() throws IOException {
        write("{\"description\": \"" + "x".repeat(ReferenceFiles.MAX_BYTES) + "\"}");
        assertThatThrownBy(() -> ReferenceFiles.readIfPresent(dir)).isInstanceOf(FileFormatException.class)
                .hasMessageEndingWith(": a reference.json must be at most 65536 bytes, got " + (ReferenceFiles.MAX_BYTES + 19)); // 17 + 2 characters around the x s
    }
}
