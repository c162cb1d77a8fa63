package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, class 2: {@code .keras} archives that lie. A central directory may declare any compressed
 * size; the reader believes only the file's real size and the bytes it actually inflates, and it no longer
 * extracts the weights to disk.
 */
class HostileInputTest {

    @TempDir
    Path tmp;

    private static final String WEIGHTS = "model.weights.h5";

    /** Sets the compressed size the central directory declares for {@code name}. */
    private static byte[] lieAboutCompressedSize(byte[] zip, String name, long size) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int at = 0; at + 46 < zip.length; at++) {
            if (b.getInt(at) == 0x02014b50 && (b.getShort(at + 28) & 0xffff) == n.length
                    && java.util.Arrays.equals(java.util.Arrays.copyOfRange(zip, at + 46, at + 46 + n.length), n)) {
                b.putInt(at + 20, (int) size);
                return zip;
            }
        }
        throw new AssertionError("no central directory entry " + name);
    }

    private static Set<String> tempWeights() throws IOException {
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")),
                "qbn4j-*.weights.h5")) {
            d.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Test
    void refusesAStoredWeightsEntryTheDirectoryClaimsIsFourGigabytes() throws IOException {
        byte[] zip = Files.readAllBytes(BadInputTest.model("keras3_model.keras"));
        Path lying = tmp.resolve("lying.keras");
        Files.write(lying, lieAboutCompressedSize(zip, WEIGHTS, 0xF0000000L));
        Set<String> before = tempWeights();
        // before: 1 GiB written to the temporary folder in 12.6 s, and the model loaded
        assertThatThrownBy(() -> KerasModels.loadAll(lying))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("entry 'model.weights.h5' must lie inside the file");
        assertThat(tempWeights()).isEqualTo(before);
    }

    @Test
    void believesADeflatedEntrysRatioOnlyUpToTheFileSize() throws IOException {
        // a deflated weights entry of 40 MiB of zeros (40 KB), its compressed size declared as ~4 GB, which the
        // 100:1 ratio guard believed: now the ratio counts the file's real size, 16 MiB floor
        Path lying = tmp.resolve("deflated.keras");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(BadInputTest.model("keras3_model.keras")));
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(WEIGHTS)) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(WEIGHTS));
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < 40; i++) {
                out.write(block);
            }
            out.closeEntry();
        }
        Files.write(lying, lieAboutCompressedSize(bytes.toByteArray(), WEIGHTS, 0xF0000000L));
        assertThat(Files.size(lying)).isLessThan(1 << 20);
        Set<String> before = tempWeights();
        assertThatThrownBy(() -> KerasModels.loadAll(lying))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("entry 'model.weights.h5' must inflate to at most 16777216 bytes, got more");
        assertThat(tempWeights()).isEqualTo(before);
    }

    @Test
    void loadsAStoredArchiveWithoutATemporaryFile() throws IOException {
        Set<String> before = tempWeights();
        assertThat(KerasModels.loadAll(BadInputTest.model("keras3_model.keras"))).isNotEmpty();
        assertThat(tempWeights()).isEqualTo(before);
    }
}
