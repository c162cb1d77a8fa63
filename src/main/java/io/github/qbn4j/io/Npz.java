package io.github.qbn4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: zip files holding one {@code .npy} entry per
 * array, as written by {@code numpy.savez} and {@code numpy.savez_compressed}.
 *
 * <p>Keys are the entry names without the {@code .npy} suffix and may contain {@code /}, as in
 * {@code output_quantizer/range_max}. The reader refuses entries that are not {@code .npy} files
 * (directory entries are skipped) and guards against zip bombs: no entry may inflate to more
 * bytes than its own {@code .npy} header accounts for, and every tensor and the archive as a whole
 * must stay within a {@link ReadLimits} budget ({@link ReadLimits#ACTIVATIONS} unless one is given),
 * checked against each entry's header before its data are read.
 */
public final class Npz {

    /** Fixed entry time, so that equal inputs give byte-identical archives. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {
    }

    /**
     * Reads all arrays of a {@code .npz} archive.
     *
     * @param file the archive
     * @return an unmodifiable map from key (entry name without {@code .npy}) to array, in
     *     archive order
     * @throws FileFormatException if the file is not a valid zip archive, has an entry that is
     *     not a valid {@code .npy} file (the message names the entry), has duplicate entries,
     *     inflates beyond what its headers declare, is not a regular file, or passes a limit of
     *     {@link ReadLimits#ACTIVATIONS}
     * @throws IOException if the file cannot be read
     * @throws NullPointerException if {@code file} is {@code null}
     */
    public static Map<String, NpyArray> read(Path file) throws IOException {
        return read(file, ReadLimits.ACTIVATIONS);
    }

    /** {@link #read(Path)} with a configurable cap on the total uncompressed size. */
    static Map<String, NpyArray> read(Path file, long maxTotalBytes) throws IOException {
        return read(file, ReadLimits.ACTIVATIONS.withMaxFileBytes(maxTotalBytes));
    }

    /**
     * Reads all arrays of a {@code .npz} archive within limits: each entry's {@code .npy} header is checked
     * against the per-tensor limits before its data are read, and the running total of the entries'
     * sizes (never the sizes the zip directory declares) against the per-file limit.
     *
     * @param file the archive (a regular file; links are followed)
     * @param limits the budget
     * @return an unmodifiable map from key to array, in archive order
     * @throws FileFormatException as {@link #read(Path)}, and if an entry or the archive passes a limit
     *     ({@link FileFormatException#exceedsLimit()}; the message names the archive, the entry, the size
     *     and the limit)
     * @throws IOException if the file cannot be read
     * @throws NullPointerException if an argument is {@code null}
     */
    public static Map<String, NpyArray> read(Path file, ReadLimits limits) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(limits, "limits");
        long maxTotalBytes = limits.maxFileBytes();
        String source = file.toString();
        ReadLimits.requireRegularFile(file);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new FileFormatException(source, -1, "not a valid zip archive: " + e.getMessage(),
                    e);
        }
        try (zip) {
            Map<String, NpyArray> result = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            long total = 0;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (true) {
                ZipEntry entry;
                try {
                    if (!entries.hasMoreElements()) {
                        break;
                    }
                    entry = entries.nextElement();
                } catch (IllegalArgumentException e) {
                    throw new FileFormatException(source, -1,
                            "not a valid zip archive: " + e.getMessage(), e);
                }
                String name = entry.getName();
                if (!seen.add(name)) {
                    throw new FileFormatException(source, -1, "duplicate entry '" + name + "'");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                if (!name.endsWith(".npy")) {
                    throw new FileFormatException(source, -1, "entry '" + name
                            + "' is not a .npy file; only .npy entries are supported");
                }
                try {
                    EntryResult r = readEntry(zip, entry, total, maxTotalBytes, limits);
                    total += r.bytes;
                    result.put(name.substring(0, name.length() - 4), r.array);
                } catch (FileFormatException e) {
                    String where = e.byteOffset() >= 0
                            ? " (at byte " + e.byteOffset() + " of the entry)" : "";
                    throw FileFormatException.rewrap(e, source, "entry '" + name + "': " + e.detail() + where);
                } catch (ZipException | EOFException e) {
                    throw new FileFormatException(source, -1,
                            "entry '" + name + "' is corrupt: " + e.getMessage(), e);
                }
            }
            return Collections.unmodifiableMap(result);
        }
    }

    private static final class EntryResult {
        final NpyArray array;
        final long bytes;

        EntryResult(NpyArray array, long bytes) {
            this.array = array;
            this.bytes = bytes;
        }
    }

    /**
     * Reads one entry. Errors are reported with the entry name as source and offsets within the
     * uncompressed entry; the caller rewraps them to name the archive.
     */
    private static EntryResult readEntry(ZipFile zip, ZipEntry entry, long totalSoFar,
            long maxTotalBytes, ReadLimits limits) throws IOException {
        String name = entry.getName();
        try (InputStream raw = zip.getInputStream(entry)) {
            CheckedInputStream in = new CheckedInputStream(raw, new CRC32());
            NpyHeader header = NpyHeader.read(in, name);
            limits.checkTensor(name, null, header.shape, header.dtype.code(), header.size, header.dataBytes);
            long expected = header.dataOffset + header.dataBytes;
            if (expected > maxTotalBytes - totalSoFar) {
                throw FileFormatException.overLimit(name, "uncompressed size of " + expected
                        + " bytes would bring the archive to " + (totalSoFar + expected)
                        + " bytes, over the limit of " + maxTotalBytes + " bytes for all entries");
            }
            long declared = entry.getSize();
            if (declared > expected) {
                throw new FileFormatException(name, -1, "the zip directory declares " + declared
                        + " uncompressed bytes, more than the " + expected
                        + " bytes its .npy header accounts for");
            }
            if (declared >= 0 && declared < expected) {
                throw new FileFormatException(name, -1, "the zip directory declares " + declared
                        + " uncompressed bytes, fewer than the " + expected
                        + " bytes its .npy header requires");
            }
            NpyArray array = Npy.readData(in, name, header);
            if (in.read() != -1) {
                throw new FileFormatException(name, expected, "the entry inflates to more than"
                        + " the " + expected + " bytes its .npy header accounts for");
            }
            long crc = entry.getCrc();
            if (crc != -1 && in.getChecksum().getValue() != crc) {
                throw new FileFormatException(name, -1, String.format(
                        "CRC-32 mismatch: the zip directory says %08x, the data give %08x", crc,
                        in.getChecksum().getValue()));
            }
            return new EntryResult(array, expected);
        }
    }

    /**
     * Writes arrays to a {@code .npz} archive without compression, like {@code numpy.savez}.
     * Each key becomes an entry {@code key + ".npy"}, in the map's iteration order. The archive
     * is written under a temporary name in the same directory and then moved into place, so a
     * failure never leaves a partially written file at {@code file}.
     *
     * @param file the archive to write; replaced if it exists
     * @param arrays the arrays by key; keys must be non-empty
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if a key is empty
     * @throws NullPointerException if an argument, a key or a value is {@code null}
     */
    public static void write(Path file, Map<String, NpyArray> arrays) throws IOException {
        write(file, arrays, false);
    }

    /**
     * Writes arrays to a {@code .npz} archive with deflate compression, like
     * {@code numpy.savez_compressed}. Each key becomes an entry {@code key + ".npy"}, in the
     * map's iteration order. The archive is written under a temporary name in the same directory
     * and then moved into place, so a failure never leaves a partially written file at
     * {@code file}.
     *
     * @param file the archive to write; replaced if it exists
     * @param arrays the arrays by key; keys must be non-empty
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if a key is empty
     * @throws NullPointerException if an argument, a key or a value is {@code null}
     */
    public static void writeCompressed(Path file, Map<String, NpyArray> arrays)
            throws IOException {
        write(file, arrays, true);
    }

    private static void write(Path file, Map<String, NpyArray> arrays, boolean compress)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(arrays, "arrays");
        Map<String, NpyArray> copy = new LinkedHashMap<>();
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("key must be non-empty, got \"\"");
            }
            copy.put(key, Objects.requireNonNull(e.getValue(), "value for key '" + key + "'"));
        }
        AtomicFile.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, NpyArray> e : copy.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setTimeLocal(ENTRY_TIME);
                if (compress) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    // a stored entry needs size and CRC before its data: compute them first
                    CRC32 crc = new CRC32();
                    try (CheckedOutputStream sink =
                            new CheckedOutputStream(OutputStream.nullOutputStream(), crc)) {
                        Npy.write(sink, e.getValue());
                    }
                    long size = Npy.encodedLength(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(size);
                    entry.setCompressedSize(size);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                Npy.write(zip, e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }
}
