package io.github.qbn4j.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A Keras 3 {@code .keras} archive: a zip file holding {@code config.json}, {@code metadata.json} and
 * {@code model.weights.h5}. The JSON entries are read into memory. The weights are not extracted to
 * disk: Keras stores them uncompressed, so the archive's own bytes of the entry are memory-mapped in
 * place ({@link #weightsBuffer()}); a compressed weights entry is inflated into memory, within
 * {@link #MAX_INFLATED_WEIGHTS_BYTES}. Only a stored entry past 2 GiB, which one mapping cannot hold, is
 * copied to a temporary file (owner-only permissions) that {@link #close()} deletes, or the JVM at exit.
 *
 * <p>Archives that lie are refused: a stored entry must lie inside the file (a central directory that
 * claims 4 GB for a 1 MB file no longer passes), and sizes used for any budget are the file's real size
 * and the bytes actually inflated, never sizes the archive declares. An entry may not inflate past its
 * cap ({@link #MAX_JSON_BYTES}, {@link #MAX_WEIGHTS_BYTES}) nor past {@link #MAX_RATIO} times its
 * compressed size, itself at most the file's size (or {@link #RATIO_FLOOR}, whichever is larger), and
 * every entry's CRC-32 and declared size are checked. Not thread-safe.
 */
final class KerasArchive implements AutoCloseable {

    /** Cap on {@code config.json} and {@code metadata.json}: 64 MiB. */
    static final long MAX_JSON_BYTES = 64L << 20;
    /** Default cap on {@code model.weights.h5}: 8 GiB. */
    static final long MAX_WEIGHTS_BYTES = 8L << 30;
    /**
     * Largest inflation ratio accepted for a compressed entry past {@link #RATIO_FLOOR} bytes. Keras
     * stores its entries uncompressed; float weights that someone re-zipped deflate by far less.
     */
    static final long MAX_RATIO = 100;
    /** Bytes any compressed entry may inflate to whatever its ratio: 16 MiB. */
    static final long RATIO_FLOOR = 16L << 20;

    /**
     * Cap on a compressed {@code model.weights.h5} inflated into memory: 64 MiB, and at most a quarter of
     * the heap.
     */
    static final long MAX_INFLATED_WEIGHTS_BYTES = 64L << 20;

    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.weights.h5";

    private final byte[] config;
    private final Path weights;
    private final ByteBuffer weightsBuffer;

    private KerasArchive(byte[] config, Path weights, ByteBuffer weightsBuffer) {
        this.config = config;
        this.weights = weights;
        this.weightsBuffer = weightsBuffer;
    }

    /**
     * Opens an archive.
     *
     * @param file the {@code .keras} file
     * @param maxWeightsBytes the cap on the uncompressed weights file
     */
    static KerasArchive open(Path file, long maxWeightsBytes) throws IOException {
        String source = file.toString();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | java.io.EOFException | RuntimeException e) {
            // a damaged end-of-central-directory record can also read past the end of the file
            throw new FileFormatException(source, -1, "not a valid .keras (zip) archive: " + e, e);
        }
        Path temp = null;
        try (zip) {
            ZipEntry configEntry = null;
            ZipEntry weightsEntry = null;
            Set<String> names = new HashSet<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (!names.add(e.getName())) {
                    throw new FileFormatException(source, -1, "entry names must be unique, got '" + e.getName()
                            + "' twice");
                }
                if (e.getName().equals(CONFIG)) {
                    configEntry = e;
                } else if (e.getName().equals(WEIGHTS)) {
                    weightsEntry = e;
                }
            }
            if (configEntry == null) {
                throw new FileFormatException(source, -1, "a .keras archive must hold " + CONFIG + ", got entries "
                        + new java.util.TreeSet<>(names));
            }
            if (weightsEntry == null) {
                throw new FileFormatException(source, -1, "a .keras archive must hold " + WEIGHTS
                        + (names.contains("model.weights.json") ? " (sharded weights are not supported)" : "")
                        + ", got entries " + new java.util.TreeSet<>(names));
            }
            long fileSize = Files.size(file);
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            copy(source, zip, configEntry, json, MAX_JSON_BYTES, fileSize);
            if (weightsEntry.getMethod() == ZipEntry.STORED) {
                long size = weightsEntry.getSize();
                long[] region = storedRegion(file, fileSize, WEIGHTS, source);
                if (region[1] != size || region[0] + size > fileSize) {
                    throw new FileFormatException(source, -1, "entry '" + WEIGHTS + "' must lie inside the file ("
                            + fileSize + " bytes), got " + size + " bytes from byte " + region[0]);
                }
                if (size > maxWeightsBytes) {
                    throw new FileFormatException(source, -1, "entry '" + WEIGHTS + "' must be at most "
                            + maxWeightsBytes + " bytes, got " + size);
                }
                if (size <= Integer.MAX_VALUE) {
                    ByteBuffer mapped;
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                        mapped = ch.map(FileChannel.MapMode.READ_ONLY, region[0], size);
                    }
                    CRC32 crc = new CRC32();
                    crc.update(mapped.duplicate());
                    if (weightsEntry.getCrc() >= 0 && weightsEntry.getCrc() != crc.getValue()) {
                        throw new FileFormatException(source, -1, "entry '" + WEIGHTS + "' must match its CRC-32 "
                                + Long.toHexString(weightsEntry.getCrc()) + ", got " + Long.toHexString(crc.getValue()));
                    }
                    return new KerasArchive(json.toByteArray(), null, mapped);
                }
            } else {
                long cap = Math.min(Math.min(maxWeightsBytes, MAX_INFLATED_WEIGHTS_BYTES),
                        Math.max(1, Runtime.getRuntime().maxMemory() / 4));
                ByteArrayOutputStream inflated = new ByteArrayOutputStream();
                copy(source, zip, weightsEntry, inflated, cap, fileSize);
                return new KerasArchive(json.toByteArray(), null, ByteBuffer.wrap(inflated.toByteArray()));
            }
            temp = Files.createTempFile("qbn4j-", ".weights.h5");
            temp.toFile().deleteOnExit(); // an ordinary exit or SIGTERM still removes it
            try (OutputStream out = Files.newOutputStream(temp)) {
                copy(source, zip, weightsEntry, out, maxWeightsBytes, fileSize);
            }
            KerasArchive archive = new KerasArchive(json.toByteArray(), temp, null);
            temp = null;
            return archive;
        } catch (ZipException | java.io.EOFException | RuntimeException e) {
            // the inflater reports damaged data as ZipException or EOFException
            throw new FileFormatException(source, -1, "corrupt .keras (zip) archive: " + e, e);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * The data offset and stored size of entry {@code name}, from the central directory and the entry's
     * local header ({@link ZipFile} does not tell where an entry's bytes are).
     */
    static long[] storedRegion(Path file, long fileSize, String name, String source) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int tailLength = (int) Math.min(fileSize, 22 + 65535);
            ByteBuffer tail = read(ch, fileSize - tailLength, tailLength, source);
            int eocd = -1;
            for (int i = tailLength - 22; i >= 0; i--) {
                if (tail.getInt(i) == 0x06054b50) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new FileFormatException(source, -1, "a zip archive must end with a central directory, got none");
            }
            long cdSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
            long cdOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
            if ((cdOffset == 0xFFFFFFFFL || cdSize == 0xFFFFFFFFL) && eocd >= 20
                    && tail.getInt(eocd - 20) == 0x07064b50) {
                ByteBuffer eocd64 = read(ch, tail.getLong(eocd - 12), 56, source);
                cdSize = eocd64.getLong(40);
                cdOffset = eocd64.getLong(48);
            }
            if (cdSize < 0 || cdOffset < 0 || cdSize > fileSize || cdOffset > fileSize - cdSize) {
                throw new FileFormatException(source, -1, "the central directory must lie inside the file, got "
                        + cdSize + " bytes at " + cdOffset);
            }
            ByteBuffer cd = read(ch, cdOffset, (int) cdSize, source);
            byte[] wanted = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (int at = 0; at + 46 <= cd.limit() && cd.getInt(at) == 0x02014b50; ) {
                int nameLength = cd.getShort(at + 28) & 0xffff;
                int extraLength = cd.getShort(at + 30) & 0xffff;
                int commentLength = cd.getShort(at + 32) & 0xffff;
                if (at + 46 + nameLength + extraLength > cd.limit()) {
                    break;
                }
                byte[] n = new byte[nameLength];
                cd.get(at + 46, n, 0, nameLength);
                if (java.util.Arrays.equals(n, wanted)) {
                    long compressed = Integer.toUnsignedLong(cd.getInt(at + 20));
                    long uncompressed = Integer.toUnsignedLong(cd.getInt(at + 24));
                    long local = Integer.toUnsignedLong(cd.getInt(at + 42));
                    // zip64: the fields that overflowed, in this order, in extra field 0x0001
                    for (int e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
                        int id = cd.getShort(e) & 0xffff;
                        int length = cd.getShort(e + 2) & 0xffff;
                        if (id == 1) {
                            int v = e + 4;
                            if (uncompressed == 0xFFFFFFFFL && v + 8 <= e + 4 + length) {
                                uncompressed = cd.getLong(v);
                                v += 8;
                            }
                            if (compressed == 0xFFFFFFFFL && v + 8 <= e + 4 + length) {
                                compressed = cd.getLong(v);
                                v += 8;
                            }
                            if (local == 0xFFFFFFFFL && v + 8 <= e + 4 + length) {
                                local = cd.getLong(v);
                            }
                        }
                        e += 4 + length;
                    }
                    if (local < 0 || local > fileSize - 30) {
                        throw new FileFormatException(source, -1, "entry '" + name + "' must start inside the file,"
                                + " got byte " + local);
                    }
                    ByteBuffer header = read(ch, local, 30, source);
                    if (header.getInt(0) != 0x04034b50) {
                        throw new FileFormatException(source, local, "entry '" + name + "' must have a local header,"
                                + " got none");
                    }
                    long data = local + 30 + (header.getShort(26) & 0xffff) + (header.getShort(28) & 0xffff);
                    return new long[] {data, compressed < 0 ? Long.MAX_VALUE : compressed, uncompressed};
                }
                at += 46 + nameLength + extraLength + commentLength;
            }
            throw new FileFormatException(source, -1, "entry '" + name + "' must be in the central directory, got"
                    + " none");
        }
    }

    private static ByteBuffer read(FileChannel ch, long at, int length, String source) throws IOException {
        if (at < 0 || length < 0 || at > ch.size() - length) {
            throw new FileFormatException(source, at, "zip structure must lie inside the file, got " + length
                    + " bytes at " + at);
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new FileFormatException(source, at, "truncated zip structure");
            }
        }
        return b.flip();
    }

    private static void copy(String source, ZipFile zip, ZipEntry entry, OutputStream out, long cap, long fileSize)
            throws IOException {
        // the compressed size the directory declares is believed only up to the file's real size
        long compressed = Math.min(entry.getCompressedSize(), fileSize);
        long limit = cap;
        if (entry.getMethod() != ZipEntry.STORED && compressed >= 0) {
            long byRatio = Math.max(RATIO_FLOOR, compressed > Long.MAX_VALUE / MAX_RATIO ? Long.MAX_VALUE : compressed * MAX_RATIO);
            limit = Math.min(limit, byRatio);
        }
        CRC32 crc = new CRC32();
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = zip.getInputStream(entry)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw new FileFormatException(source, -1, "entry '" + entry.getName() + "' must inflate to at most "
                            + limit + " bytes, got more (a zip bomb?)");
                }
                crc.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        if (entry.getSize() >= 0 && entry.getSize() != total) {
            throw new FileFormatException(source, -1, "entry '" + entry.getName() + "' must inflate to its declared "
                    + entry.getSize() + " bytes, got " + total);
        }
        if (entry.getCrc() >= 0 && entry.getCrc() != crc.getValue()) {
            throw new FileFormatException(source, -1, "entry '" + entry.getName() + "' must match its CRC-32 "
                    + Long.toHexString(entry.getCrc()) + ", got " + Long.toHexString(crc.getValue()));
        }
    }

    /** The bytes of {@code config.json}. */
    byte[] config() {
        return config;
    }

    /** The temporary copy of {@code model.weights.h5}, or null when it is in {@link #weightsBuffer()}. */
    Path weights() {
        return weights;
    }

    /** {@code model.weights.h5} mapped in place or inflated, or null when it is in {@link #weights()}. */
    ByteBuffer weightsBuffer() {
        return weightsBuffer;
    }

    /**
     * Deletes the temporary copy. Where the platform refuses to delete a file that is still
     * memory-mapped (Windows: {@link KerasH5} maps it, and a mapping lasts until it is
     * garbage-collected), the copy is deleted when the JVM exits instead.
     */
    @Override
    public void close() {
        if (weights == null) {
            return;
        }
        try {
            Files.deleteIfExists(weights);
        } catch (IOException e) {
            weights.toFile().deleteOnExit();
        }
    }
}
