package io.github.qbn4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.Reference.Cpu;
import io.github.qbn4j.Reference.Mode;
import io.github.qbn4j.Reference.Quantizeml;
import io.github.qbn4j.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeds.class)
class ReferenceTest {

    @Test
    void defaultsAreQuantizeml052IntelEager() {
        Reference d = Reference.defaults();
        assertThat(d.quantizeml()).isEqualTo(Quantizeml.V0_5_2);
        assertThat(d.cpu()).isEqualTo(Cpu.INTEL);
        assertThat(d.mode()).isEqualTo(Mode.EAGER);
        assertThat(d).hasToString("quantizeml 0.5.2, cpu intel, mode eager");
        assertThat(d.withCpu(Cpu.AMD_ZEN4).withMode(Mode.GRAPH))
                .isEqualTo(Reference.of(Quantizeml.V0_5_2, Cpu.AMD_ZEN4, Mode.GRAPH))
                .isNotEqualTo(d);
    }

    @Test
    void namesParseAndRefuseWithTheChoices() {
        assertThat(Cpu.named("AMD-ZEN4")).isSameAs(Cpu.AMD_ZEN4);
        assertThat(Cpu.named("amd-zen3").sameEstimateAs(Cpu.AMD_ZEN4)).isTrue();
        assertThat(Cpu.named("amd-zen3")).isNotEqualTo(Cpu.AMD_ZEN4);
        assertThat(Cpu.INTEL.sameEstimateAs(Cpu.AMD_ZEN4)).isFalse();
        assertThat(Mode.of("Graph")).isEqualTo(Mode.GRAPH);
        assertThat(Quantizeml.of("0.5.2")).isEqualTo(Quantizeml.V0_5_2);
        assertThat(Quantizeml.of("0.17.1")).isEqualTo(Quantizeml.V0_17_1);
        assertThatThrownBy(() -> Cpu.named("arm"))
                .hasMessage("cpu must be one of [intel, amd-zen4, amd-zen3] or a table measured with dump_rsqrtps "
                        + "(see docs/cpus.md), got \"arm\"");
        assertThatThrownBy(() -> Mode.of("jit")).hasMessage("mode must be \"eager\" or \"graph\", got \"jit\"");
        assertThatThrownBy(() -> Quantizeml.of("0.6.0")).hasMessage("quantizeml must be one of [0.5.2, 0.17.1], got \"0.6.0\"");
    }

    /** The table file, run by run: parity, first mantissa, output bits. */
    private static List<long[]> runs(String resource) throws IOException {
        List<long[]> runs = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Reference.class.getResourceAsStream("internal/" + resource))) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.trim().split(" ");
                    runs.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2], 16)});
                }
            }
        }
        return runs;
    }

    /**
     * The table's definition, read literally: x = (1 + m / 2^23) * 2^p * 4^k has the estimate of the
     * last run of parity p starting at or below m, times 2^-k.
     */
    private static float byDefinition(List<long[]> runs, float x) {
        int e = Math.getExponent(x);
        int p = Math.floorMod(e, 2);
        int k = (e - p) / 2;
        long m = Float.floatToRawIntBits(x) & 0x7fffff;
        long bits = -1;
        for (long[] r : runs) {
            if (r[0] == p && r[1] <= m) {
                bits = r[2];
            }
        }
        return Math.scalb(Float.intBitsToFloat((int) bits), -k);
    }

    @Test
    void amdEstimateEqualsTheTableFileOnRunEdgesAndSampledFloats() throws IOException {
        checkAgainstDefinition(Cpu.AMD_ZEN4, runs("rsqrtps-amd-zen4.txt.gz"));
    }

    @Test
    void intelEstimateEqualsItsTableFile() throws IOException {
        checkAgainstDefinition(Cpu.INTEL, runs("rsqrtps-intel.txt.gz"));
    }

    private static void checkAgainstDefinition(Cpu cpu, List<long[]> runs) {
        String run = "ReferenceTest/rsqrtps-" + cpu;
        SplittableRandom random = Seeds.random(run);
        List<Float> xs = new ArrayList<>();
        // Both edges of 150 runs spread over the table, in a random binade each.
        for (int i = 0; i < 150; i++) {
            long[] r = runs.get(1 + i * (runs.size() - 2) / 150);
            int scale = random.nextInt(-60, 60);
            float start = Math.scalb(1f + r[1] / 8388608f, (int) r[0] + 2 * scale);
            xs.add(start);
            xs.add(Math.nextDown(start));
        }
        // 300 random positive normal floats.
        for (int i = 0; i < 300; i++) {
            xs.add(Float.intBitsToFloat(random.nextInt(0x00800000, 0x7f800000)));
        }
        assertThat(xs).hasSizeGreaterThanOrEqualTo(600);
        for (float x : xs) {
            assertThat(cpu.rsqrtEstimate(x)).as("%s rsqrtps(%s) (%s)", cpu, x, Seeds.describe(run))
                    .isEqualTo(byDefinition(runs, x));
        }
    }

    @Test
    void specialsFollowTheInstruction() {
        for (Cpu cpu : List.of(Cpu.INTEL, Cpu.AMD_ZEN4)) {
            assertThat(cpu.rsqrtEstimate(0f)).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(cpu.rsqrtEstimate(-0f)).isEqualTo(Float.NEGATIVE_INFINITY);
            assertThat(cpu.rsqrtEstimate(Float.POSITIVE_INFINITY)).isZero();
            assertThat(cpu.rsqrtEstimate(-1f)).isNaN();
            assertThat(cpu.rsqrtEstimate(Float.NaN)).isNaN();
            assertThat(cpu.rsqrtEstimate(1e-40f)).as("DAZ: a subnormal reads as +0").isEqualTo(Float.POSITIVE_INFINITY);
        }
    }

    @Test
    void loadsAUserMeasuredTablePlainOrGzipped(@TempDir Path dir) throws IOException {
        // A made-up CPU whose estimate is 0.75 on [1, 1.5) and 0.625 above, 0.5 on [2, 4).
        String text = "# parity mantissa_start output_bits\n0 0 3f400000\n0 4194304 3f200000\n1 0 3f000000\n";
        Path plain = Files.writeString(dir.resolve("my-cpu.txt"), text);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        }
        Path zipped = Files.write(dir.resolve("my-cpu.txt.gz"), gz.toByteArray());
        for (Path p : List.of(plain, zipped)) {
            Cpu cpu = Cpu.load(p);
            assertThat(cpu.name()).isEqualTo("my-cpu");
            assertThat(cpu.rsqrtEstimate(1.25f)).isEqualTo(0.75f);
            assertThat(cpu.rsqrtEstimate(1.5f)).isEqualTo(0.625f);
            assertThat(cpu.rsqrtEstimate(3f)).isEqualTo(0.5f);
            assertThat(cpu.rsqrtEstimate(12f)).isEqualTo(0.25f); // 3 * 4^1: 0.5 * 2^-1
        }
        assertThat(Cpu.load(plain)).isEqualTo(Cpu.load(zipped));
    }

    @Test
    void refusesMalformedTablesNamingFileAndLine(@TempDir Path dir) throws IOException {
        assertRefused(dir, "0 5 3f400000\n1 0 3f000000\n", "line 1: the first run of parity 0 must start at mantissa 0, got \"5\"");
        assertRefused(dir, "0 0 3f400000\n0 0 3f300000\n1 0 3f000000\n",
                "line 2: mantissa_start must increase within a parity and be in [0, 2^23), got \"0\"");
        assertRefused(dir, "0 0 3f400000\n2 0 3f000000\n", "line 2: parity must be 0 or 1, got \"2\"");
        assertRefused(dir, "0 0 7f800000\n1 0 3f000000\n", "line 1: output_bits must be a positive normal float, got \"7f800000\"");
        assertRefused(dir, "0 0 3f4\n", "line 1: output_bits must be 8 hex digits, got \"3f4\"");
        assertRefused(dir, "0 0\n", "line 1: must be \"parity mantissa_start output_bits\", got \"0 0\"");
        assertRefused(dir, "0 0 3f400000\n", ": the table must have runs for parity 1 (inputs in [2, 4)), got none");
    }

    private static void assertRefused(Path dir, String text, String messageEnd) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.txt"), text);
        assertThatThrownBy(() -> Cpu.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + messageEnd.replaceFirst("^line", " line"));
    }

    @Test
    void refusesAGzipBombPastTheBudget(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            byte[] comment = ("#" + " ".repeat(1 << 20) + "\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i <= Cpu.MAX_TABLE_BYTES >> 20; i++) {
                out.write(comment);
            }
        }
        Path bomb = Files.write(dir.resolve("bomb.txt.gz"), gz.toByteArray());
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        assertThatThrownBy(() -> Cpu.load(bomb)).isInstanceOf(IOException.class)
                .hasMessage(bomb + ": a rsqrtps table must be at most " + Cpu.MAX_TABLE_BYTES
                        + " bytes once decompressed, got more");
    }
}
