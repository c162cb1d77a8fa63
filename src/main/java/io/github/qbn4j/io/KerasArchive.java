package io.github.qbn4j.io;

import java.io.ByteArrayOutputStream;
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
 * {@code model.weights.h5}. The JSON entries are read into memory, the weights are copied to a
 * temporary file (owner-only permissions) that {@link #close()} deletes.
 *
 * <p>Zip bombs are refused: an entry may not inflate past its cap ({@link #MAX_JSON_BYTES},
 * {@link #MAX_WEIGHTS_BYTES}) nor past {@link #MAX_RATIO} times its compressed size (or
 * {@link #RATIO_FLOOR}, whichever is larger). Sizes are counted as bytes arrive, never taken from the
 * archive's headers, and every entry's CRC-32 and declared size are checked. Not thread-safe.
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

    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.weights.h5";

    private final byte[] config;
    private final Path weights;

    private KerasArchive(byte[] config, Path weights) {
        this.config = config;
        this.weights = weights;
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
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            copy(source, zip, configEntry, json, MAX_JSON_BYTES);
            temp = Files.createTempFile("qbn4j-", ".weights.h5");
            try (OutputStream out = Files.newOutputStream(temp)) {
                copy(source, zip, weightsEntry, out, maxWeightsBytes);
            }
            KerasArchive archive = new KerasArchive(json.toByteArray(), temp);
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

    private static void copy(String source, ZipFile zip, ZipEntry entry, OutputStream out, long cap)
            throws IOException {
        long compressed = entry.getCompressedSize();
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

    /** The temporary copy of {@code model.weights.h5}. */
    Path weights() {
        return weights;
    }

    /**
     * Deletes the temporary copy. Where the platform refuses to delete a file that is still
     * memory-mapped (Windows: {@link KerasH5} maps it, and a mapping lasts until it is
     * garbage-collected), the copy is deleted when the JVM exits instead.
     */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(weights);
        } catch (IOException e) {
            weights.toFile().deleteOnExit();
        }
    }
}
