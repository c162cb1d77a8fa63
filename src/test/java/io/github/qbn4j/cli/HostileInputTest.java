package io.github.qbn4j.cli;

import static io.github.qbn4j.cli.CliRunner.MINI;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, class 8: special paths given to {@code run}. Every special file is made inside the test's
 * temporary folder (a FIFO with {@code mkfifo}, symbolic links, directories); no system file is touched.
 */
class HostileInputTest {

    private static final Path CASE = MINI.resolve("suite").resolve("example1-per-tensor-input");

    @TempDir
    Path tmp;

    private static CliRunner run(Path output, Path layer) {
        return CliRunner.run("run", "--layer", layer.toString(), "--weights", CASE.resolve("weights.npz").toString(),
                "--input", CASE.resolve("x.npz").toString(), "--output", output.toString());
    }

    private static Path fifo(Path dir, String name) throws IOException, InterruptedException {
        Path f = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return f;
    }

    private byte[] expectedBytes() throws IOException {
        Path regular = tmp.resolve("regular.npz");
        CliRunner r = run(regular, CASE.resolve("layer.json"));
        assertThat(r.status).as(r.describe()).isZero();
        return Files.readAllBytes(regular);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void writesThroughAFifoInsteadOfReplacingIt() throws Exception {
        byte[] want = expectedBytes();
        Path fifo = fifo(tmp, "out.fifo");
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CliRunner r = run(fifo, CASE.resolve("layer.json"));
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(reader.get(30, TimeUnit.SECONDS)).isEqualTo(want);
        // before: the FIFO was replaced by a regular file
        assertThat(Files.isRegularFile(fifo)).isFalse();
        assertThat(Files.exists(fifo)).isTrue();
        try (var files = Files.list(tmp)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count()).isZero();
        }
    }

    @Test
    void followsASymbolicLinkAndKeepsTheTargetsPermissions() throws IOException {
        byte[] want = expectedBytes();
        Path target = tmp.resolve("target.npz");
        Files.write(target, new byte[] {1, 2, 3});
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
        Path link = Files.createSymbolicLink(tmp.resolve("link.npz"), Path.of("target.npz"));
        CliRunner r = run(link, CASE.resolve("layer.json"));
        assertThat(r.status).as(r.describe()).isZero();
        // before: the link was replaced by a regular file and the target left as it was
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readAllBytes(target)).isEqualTo(want);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
    }

    @Test
    void refusesADirectoryAsOutputInOneLine() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("outdir"));
        CliRunner r = run(dir, CASE.resolve("layer.json"));
        assertThat(r.status).isEqualTo(Main.EXIT_FILE);
        assertThat(r.err.strip()).isEqualTo("qbn4j run: cannot write " + dir + ": cannot write " + dir
                + ": is a directory");
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isZero();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void refusesAFifoAsLayerFileWithoutOpeningIt() throws Exception {
        // opening a FIFO with no writer blocks forever; a device of zeros reads forever
        Path fifo = fifo(tmp, "layer.json");
        CliRunner r = run(tmp.resolve("y.npz"), fifo);
        assertThat(r.status).isEqualTo(Main.EXIT_FILE);
        assertThat(r.err.strip()).isEqualTo("qbn4j run: " + fifo + ": must be a regular file, got a FIFO, device or"
                + " socket");
        assertThat(Files.exists(tmp.resolve("y.npz"))).isFalse();
    }

    private static final Path QUANTIZED = CliRunner.MODELS.resolve("quantized_model.h5");

    private static CliRunner quantize(Path out, String layer) {
        return CliRunner.run("quantize", QUANTIZED.toString(), "--layer", layer, "--out", out.toString());
    }

    private static byte[][] pair(Path dir) throws IOException {
        return new byte[][] {Files.readAllBytes(dir.resolve("layer.json")), Files.readAllBytes(dir.resolve("weights.npz"))};
    }

    /** Runs {@code quantize} with every move into {@code dir/layer.json} failing: the pair's second move. */
    private static CliRunner quantizeFailingTheSecondMove(Path out, String layer) {
        Outputs.Mover real = Outputs.mover;
        Outputs.mover = (from, to) -> {
            if (to.getFileName().toString().equals("layer.json") || Files.isSymbolicLink(from)) {
                throw new IOException("injected failure moving " + from.getFileName());
            }
            real.move(from, to);
        };
        try {
            return quantize(out, layer);
        } finally {
            Outputs.mover = real;
        }
    }

    @Test
    void aFailedSecondMoveLeavesTheOldPairInAFolderQbn4jCreated() throws IOException {
        Path out = tmp.resolve("out");
        CliRunner first = quantize(out, "bn_add");
        assertThat(first.status).as(first.describe()).isZero();
        assertThat(Files.isSymbolicLink(out)).isTrue();
        byte[][] old = pair(out);
        CliRunner failed = quantizeFailingTheSecondMove(out, "bn_relu");
        assertThat(failed.status).isEqualTo(Main.EXIT_FILE);
        assertThat(pair(out)).isEqualTo(old);
        // the next run switches to the new pair and removes the old folder and every hidden leftover
        CliRunner second = quantize(out, "bn_relu");
        assertThat(second.status).as(second.describe()).isZero();
        assertThat(pair(out)[0]).isNotEqualTo(old[0]);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out.")).count())
                    .isEqualTo(1);
        }
    }

    @Test
    void aFailedSecondMoveLeavesTheOldPairInAnExistingFolder() throws IOException {
        Path out = Files.createDirectory(tmp.resolve("real"));
        CliRunner first = quantize(out, "bn_add");
        assertThat(first.status).as(first.describe()).isZero();
        assertThat(Files.isSymbolicLink(out)).isFalse();
        byte[][] old = pair(out);
        // before: weights.npz had already been replaced when layer.json failed
        CliRunner failed = quantizeFailingTheSecondMove(out, "bn_relu");
        assertThat(failed.status).isEqualTo(Main.EXIT_FILE);
        assertThat(pair(out)).isEqualTo(old);
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("layer.json", "weights.npz");
        }
    }

    @Test
    void statsOnABatchOfZeroPrintNoPercentage() throws IOException {
        io.github.qbn4j.tensor.QTensor x = io.github.qbn4j.io.QTensorFiles.read(CASE.resolve("x.npz"));
        io.github.qbn4j.tensor.Shape s = x.shape();
        io.github.qbn4j.tensor.FixedPoint empty = io.github.qbn4j.tensor.FixedPoint.of(
                io.github.qbn4j.tensor.Shape.of(0, s.dim(1), s.dim(2), s.channels()), new int[0], x.valueBits(),
                x.fracBits());
        Path input = tmp.resolve("empty.npz");
        io.github.qbn4j.io.QTensorFiles.write(input, x instanceof io.github.qbn4j.tensor.QFloat
                ? io.github.qbn4j.tensor.QFloat.of(empty, ((io.github.qbn4j.tensor.QFloat) x).scales()) : empty);
        CliRunner r = CliRunner.run("run", "--layer", CASE.resolve("layer.json").toString(), "--weights",
                CASE.resolve("weights.npz").toString(), "--input", input.toString(), "--stats");
        assertThat(r.status).as(r.describe()).isZero();
        // before: "(of 0 outputs: NaN% saturated in the buffer, NaN% at the output quantizer)"
        assertThat(r.out).doesNotContain("NaN").contains("(no outputs: the input is an empty batch)");
    }

    @Test
    void escapesControlCharactersOfLayerNames() {
        assertThat(Text.escape("bn\u001b[2J\nFAIL x\u0085\\")).isEqualTo("bn\\u001b[2J\\nFAIL x\\u0085\\\\");
        assertThat(Text.escape("plain_name/ok")).isEqualTo("plain_name/ok");
    }

    @Test
    void printsAnEscapedLayerNameInStats() throws IOException {
        Path layer = tmp.resolve("layer.json");
        Files.writeString(layer, Files.readString(CASE.resolve("layer.json"))
                .replaceFirst("\"name\": \"[^\"]*\"", "\"name\": \"bn\\\\u001b[31m\\\\nfake\""));
        CliRunner r = CliRunner.run("run", "--layer", layer.toString(), "--weights",
                CASE.resolve("weights.npz").toString(), "--input", CASE.resolve("x.npz").toString(), "--stats");
        assertThat(r.status).as(r.describe()).isZero();
        assertThat(r.out).startsWith("Saturation in layer \"bn\\u001b[31m\\nfake\": ");
        assertThat(r.out).doesNotContain("\u001b");
    }

    @Test
    void namesTheUsersSampleWhenASampleIsNotFinite() throws IOException {
        float[] values = new float[1 * 4 * 4 * 10];
        values[13] = Float.NaN;
        Path samples = tmp.resolve("nan.npz");
        io.github.qbn4j.io.Npz.write(samples, java.util.Map.of("x",
                io.github.qbn4j.io.NpyArray.ofFloat32(new int[] {1, 4, 4, 10}, values)));
        CliRunner r = CliRunner.run("calibrate", CliRunner.MODELS.resolve("keras2_model.h5").toString(), "--layer",
                "bn_add", "--samples", samples.toString(), "--out", tmp.resolve("out").toString());
        assertThat(r.status).isEqualTo(Main.EXIT_REFUSED);
        // before: the message described the layer's outputs as "samples"
        assertThat(r.err.strip()).isEqualTo("IllegalArgumentException: samples must be finite, got NaN at (0, 0, 1, 3)"
                + " of batch 0 (" + samples + ")");
    }
}
