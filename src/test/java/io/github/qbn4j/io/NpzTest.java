package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {

    @TempDir
    Path dir;

    static Map<String, NpyArray> sampleArrays() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("weights", NpyArray.ofFloat32(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        m.put("output_quantizer/range_max", NpyArray.ofFloat32(new int[] {3},
                new float[] {1.5f, 2.5f, 3.5f}));
        m.put("frac_bits", NpyArray.scalarInt64(7));
        m.put("flags", NpyArray.ofBool(new int[] {2}, new boolean[] {true, false}));
        m.put("empty", NpyArray.ofInt8(new int[] {2, 0}, new byte[0]));
        m.put("half", NpyTest.sample(NpyArray.DType.FLOAT16));
        m.put("big", NpyTest.sample(NpyArray.DType.UINT64));
        return m;
    }

    static byte[] npyBytes(NpyArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        return out.toByteArray();
    }

    /** Writes a zip with the given raw entries, all deflated unless {@code stored}. */
    static void zip(Path file, boolean stored, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    static FileFormatException readFails(Path file) {
        return catchThrowableOfType(FileFormatException.class, () -> Npz.read(file));
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void roundTripsStoredArchivesLikeSavez() throws IOException {
        Path f = dir.resolve("a.npz");
        Npz.write(f, sampleArrays());
        Map<String, NpyArray> back = Npz.read(f);
        assertThat(back).containsExactlyEntriesOf(sampleArrays());
        try (ZipFile z = new ZipFile(f.toFile())) {
            List<String> names = new ArrayList<>();
            z.stream().forEach(e -> {
                names.add(e.getName());
                assertThat(e.getMethod()).isEqualTo(ZipEntry.STORED);
            });
            assertThat(names).containsExactly("weights.npy", "output_quantizer/range_max.npy",
                    "frac_bits.npy", "flags.npy", "empty.npy", "half.npy", "big.npy");
        }
    }

    @Test
    void roundTripsDeflatedArchivesLikeSavezCompressed() throws IOException {
        Path f = dir.resolve("c.npz");
        Map<String, NpyArray> arrays = new LinkedHashMap<>(sampleArrays());
        arrays.put("zeros", NpyArray.ofFloat64(new int[] {100, 100}, new double[10_000]));
        Npz.writeCompressed(f, arrays);
        assertThat(Npz.read(f)).containsExactlyEntriesOf(arrays);
        try (ZipFile z = new ZipFile(f.toFile())) {
            z.stream().forEach(e -> assertThat(e.getMethod()).isEqualTo(ZipEntry.DEFLATED));
            assertThat(z.getEntry("zeros.npy").getCompressedSize()).isLessThan(2_000);
        }
    }

    @Test
    void keysWithSlashesBecomeEntryNamesWithSlashes() throws IOException {
        Path f = dir.resolve("k.npz");
        Npz.write(f, Map.of("output_quantizer/range_max", NpyArray.scalarFloat32(4f)));
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertThat(z.getEntry("output_quantizer/range_max.npy")).isNotNull();
        }
        assertThat(Npz.read(f)).containsOnlyKeys("output_quantizer/range_max");
    }

    @Test
    void readReturnsAnUnmodifiableMapInArchiveOrder() throws IOException {
        Path f = dir.resolve("o.npz");
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (String k : new String[] {"z", "a", "m/x", "b"}) {
            arrays.put(k, NpyArray.scalarInt64(k.length()));
        }
        Npz.writeCompressed(f, arrays);
        Map<String, NpyArray> back = Npz.read(f);
        assertThat(back.keySet()).containsExactly("z", "a", "m/x", "b");
        assertThatThrownBy(() -> back.put("q", NpyArray.scalarInt64(1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void emptyMapGivesAnEmptyArchive() throws IOException {
        Path f = dir.resolve("e.npz");
        Npz.write(f, Collections.emptyMap());
        assertThat(Npz.read(f)).isEmpty();
    }

    @Test
    void writingIsDeterministic() throws IOException {
        Path a = dir.resolve("1.npz");
        Path b = dir.resolve("2.npz");
        Npz.writeCompressed(a, sampleArrays());
        Npz.writeCompressed(b, sampleArrays());
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void refusesEmptyAndNullKeys() {
        Path f = dir.resolve("bad.npz");
        assertThatThrownBy(() -> Npz.write(f, Map.of("", NpyArray.scalarInt64(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key must be non-empty, got \"\"");
        Map<String, NpyArray> nullKey = new java.util.HashMap<>();
        nullKey.put(null, NpyArray.scalarInt64(1));
        assertThatThrownBy(() -> Npz.write(f, nullKey)).isInstanceOf(NullPointerException.class);
        assertThat(Files.exists(f)).isFalse();
    }

    // ------------------------------------------------------------------ atomic writing

    @Test
    void aFailedWriteLeavesTheExistingTargetUntouchedAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("keep.npz");
        Npz.write(f, sampleArrays());
        byte[] before = Files.readAllBytes(f);
        assertThatThrownBy(() -> AtomicFile.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThatThrownBy(() -> AtomicFile.write(f, out -> {
            throw new IllegalStateException("bug");
        })).hasMessage("bug");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void writtenFilesGetTheSamePermissionsAsOrdinaryNewFiles() throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        org.junit.jupiter.api.Assumptions.assumeTrue(view != null, "not a POSIX file system");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path f = dir.resolve("p.npz");
        Npz.write(f, sampleArrays());
        assertThat(Files.getPosixFilePermissions(f))
                .isEqualTo(Files.getPosixFilePermissions(plain));
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void refusesEntriesThatAreNotNpyFiles() throws IOException {
        Path f = dir.resolve("mixed.npz");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a.npy", npyBytes(NpyArray.scalarInt64(1)));
        entries.put("readme.txt", "hello".getBytes(StandardCharsets.US_ASCII));
        zip(f, false, entries);
        FileFormatException e = readFails(f);
        assertThat(e.fileName()).isEqualTo(f.toString());
        assertThat(e).hasMessageContaining("entry 'readme.txt' is not a .npy file");
    }

    @Test
    void skipsDirectoryEntries() throws IOException {
        Path f = dir.resolve("dirs.npz");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("output_quantizer/", new byte[0]);
        entries.put("output_quantizer/range_max.npy", npyBytes(NpyArray.scalarFloat32(2f)));
        zip(f, true, entries);
        assertThat(Npz.read(f)).containsOnlyKeys("output_quantizer/range_max");
    }

    @Test
    void refusesDuplicateEntries() throws IOException {
        Path f = dir.resolve("dup.npz");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a.npy", npyBytes(NpyArray.scalarInt64(1)));
        entries.put("b.npy", npyBytes(NpyArray.scalarInt64(2)));
        zip(f, true, entries);
        byte[] bytes = Files.readAllBytes(f);
        byte[] b = "b.npy".getBytes(StandardCharsets.US_ASCII);
        for (int i = indexOf(bytes, b, 0); i >= 0; i = indexOf(bytes, b, i + 1)) {
            bytes[i] = 'a';
        }
        Files.write(f, bytes);
        assertThat(readFails(f)).hasMessageContaining("duplicate entry 'a.npy'");
    }

    @Test
    void refusesFilesThatAreNotZipArchives() throws IOException {
        Path f = dir.resolve("not.npz");
        Files.write(f, npyBytes(NpyArray.scalarInt64(1)));
        FileFormatException e = readFails(f);
        assertThat(e.fileName()).isEqualTo(f.toString());
        assertThat(e).hasMessageContaining("not a valid zip archive");
        Files.write(f, new byte[0]);
        assertThat(readFails(f)).hasMessageContaining("not a valid zip archive");
    }

    @Test
    void missingFileIsAnIoErrorButNotAFormatError() {
        assertThatThrownBy(() -> Npz.read(dir.resolve("nope.npz")))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(FileFormatException.class);
    }

    @Test
    void reportsACorruptEntryNamingArchiveAndEntry() throws IOException {
        Path f = dir.resolve("trunc.npz");
        byte[] full = npyBytes(NpyArray.ofFloat32(new int[] {4}, new float[] {1, 2, 3, 4}));
        zip(f, true, Map.of("w.npy", java.util.Arrays.copyOf(full, full.length - 3)));
        FileFormatException e = readFails(f);
        assertThat(e.fileName()).isEqualTo(f.toString());
        assertThat(e).hasMessageContaining("entry 'w.npy'").hasMessageContaining("fewer than");

        Path bad = dir.resolve("badmagic.npz");
        zip(bad, false, Map.of("x.npy", "garbage, not an array".getBytes(StandardCharsets.US_ASCII)));
        assertThat(readFails(bad)).hasMessageContaining("entry 'x.npy': not a .npy file: bad magic")
                .hasMessageContaining("(at byte 0 of the entry)");
    }

    @Test
    void reportsCorruptDeflateDataNamingTheEntry() throws IOException {
        Path f = dir.resolve("deflate.npz");
        float[] data = new float[4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i);
        }
        zip(f, false, Map.of("s.npy", npyBytes(NpyArray.ofFloat32(new int[] {4096}, data))));
        byte[] bytes = Files.readAllBytes(f);
        for (int i = 200; i < 400; i++) {
            bytes[i] ^= (byte) 0x5A;
        }
        Files.write(f, bytes);
        FileFormatException e = readFails(f);
        assertThat(e).hasMessageContaining("entry 's.npy'");
    }

    @Test
    void refusesAnEntryWhoseDataDoNotMatchItsCrc() throws IOException {
        Path f = dir.resolve("crc.npz");
        byte[] npy = npyBytes(NpyArray.ofUInt8(new int[] {4}, new byte[] {11, 22, 33, 44}));
        zip(f, true, Map.of("u.npy", npy));
        byte[] bytes = Files.readAllBytes(f);
        int at = indexOf(bytes, new byte[] {11, 22, 33, 44}, 0);
        bytes[at + 1] = 23;
        Files.write(f, bytes);
        assertThat(readFails(f)).hasMessageContaining("entry 'u.npy'")
                .hasMessageContaining("CRC-32 mismatch");
    }

    @Test
    void refusesObjectArraysInsideArchives() throws IOException {
        Path f = dir.resolve("obj.npz");
        byte[] header = NpyTest.npy(NpyTest.dict("|O", false, "(2,)"), new byte[] {(byte) 0x80,
            4, 'N', '.'});
        zip(f, false, Map.of("o.npy", header));
        assertThat(readFails(f)).hasMessageContaining("entry 'o.npy'")
                .hasMessageContaining("object/pickled arrays are not supported");
    }

    // ------------------------------------------------------------------ zip bombs

    /** Writes one deflated entry: a valid .npy of 4 bytes followed by {@code extra} zeros. */
    static void bomb(Path f, String name, byte[] npy, long extra) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new ZipEntry(name));
            z.write(npy);
            byte[] zeros = new byte[1 << 20];
            for (long left = extra; left > 0; left -= zeros.length) {
                z.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            z.closeEntry();
        }
    }

    @Test
    void refusesAnEntryThatInflatesBeyondItsNpyHeader() throws IOException {
        Path f = dir.resolve("bomb.npz");
        byte[] npy = npyBytes(NpyArray.ofUInt8(new int[] {4}, new byte[] {1, 2, 3, 4}));
        bomb(f, "x.npy", npy, 64L << 20);
        assertThat(Files.size(f)).isLessThan(1L << 20);
        FileFormatException e = readFails(f);
        assertThat(e).hasMessageContaining("entry 'x.npy'")
                .hasMessageContaining("declares " + (npy.length + (64L << 20)))
                .hasMessageContaining("more than the " + npy.length + " bytes");
    }

    @Test
    void refusesAnEntryThatInflatesBeyondItsNpyHeaderEvenWhenTheDirectoryLies()
            throws IOException {
        Path f = dir.resolve("liar.npz");
        byte[] npy = npyBytes(NpyArray.ofUInt8(new int[] {4}, new byte[] {1, 2, 3, 4}));
        long extra = 16L << 20;
        bomb(f, "x.npy", npy, extra);
        // patch the central directory's uncompressed size to what the header accounts for
        byte[] bytes = Files.readAllBytes(f);
        int cen = indexOf(bytes, new byte[] {'P', 'K', 1, 2}, 0);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.getInt(cen + 24)).isEqualTo((int) (npy.length + extra));
        bb.putInt(cen + 24, npy.length);
        Files.write(f, bytes);
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertThat(z.getEntry("x.npy").getSize()).isEqualTo(npy.length);
        }
        FileFormatException e = readFails(f);
        assertThat(e).hasMessageContaining("entry 'x.npy'")
                .hasMessageContaining("inflates to more than the " + npy.length + " bytes");
    }

    @Test
    void refusesAnEntryWhoseHeaderDeclaresMoreThanFourGibibytesBeforeReadingItsData()
            throws IOException {
        Path f = dir.resolve("huge.npz");
        // 2^29 float64 elements: 4 GiB of data plus the header, over the 4 GiB limit
        byte[] npy = NpyTest.npy(NpyTest.dict("<f8", false, "(536870912,)"), new byte[16]);
        zip(f, false, Map.of("h.npy", npy));
        FileFormatException e = catchThrowableOfType(FileFormatException.class,
                () -> Npz.read(f, ReadLimits.of(1L << 30, 1L << 33, 4L << 30)));
        assertThat(e).hasMessageContaining("entry 'h.npy'")
                .hasMessageContaining("over the limit of 4294967296 bytes");
        assertThat(e.exceedsLimit()).isTrue();
        // the default activations' limits refuse it already by its element count
        assertThat(readFails(f)).hasMessageContaining("has 536870912 elements, over the limit of 134217728 elements"
                + " per tensor");
    }

    @Test
    void enforcesTheTotalUncompressedLimitAcrossEntries() throws IOException {
        Path f = dir.resolve("total.npz");
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("a", NpyArray.ofUInt8(new int[] {600_000}, new byte[600_000]));
        arrays.put("b", NpyArray.ofUInt8(new int[] {600_000}, new byte[600_000]));
        Npz.writeCompressed(f, arrays);
        assertThat(Npz.read(f, 2_000_000)).hasSize(2);
        FileFormatException e = catchThrowableOfType(FileFormatException.class,
                () -> Npz.read(f, 1_000_000));
        assertThat(e).hasMessageContaining("entry 'b.npy'")
                .hasMessageContaining("over the limit of 1000000 bytes");
        assertThat(e.exceedsLimit()).isTrue();
        assertThat(ReadLimits.ACTIVATIONS.maxFileBytes()).isEqualTo(2L << 30);
    }
}
