package io.github.qbn4j.io;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.object.datatype.FloatingPoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The only class that touches jhdf (an optional dependency): reads the few things a Keras HDF5 file
 * is made of (groups, string attributes, float32 datasets) and turns every failure of the library on
 * a corrupt file into a {@link FileFormatException}. {@link KerasModels} checks that jhdf is present
 * before it loads this class.
 *
 * <p>Nothing is allocated from a size the file declares before the size has been checked against
 * {@link #MAX_ELEMENTS}. Not thread-safe; one instance per open file.
 *
 * <p><b>Files are mapped, not read.</b> A file of up to 2 GiB is memory-mapped and handed to jhdf as a
 * buffer, so every read jhdf makes is a slice of the mapping: no system call, no copy, and a length
 * past the end of the file fails at once instead of allocating that length first. Read through a
 * channel, jhdf 0.11.0 copies each piece of metadata into a fresh heap buffer; a corrupt version-1
 * object header whose continuation messages loop makes it do that up to 65,535 times, which took
 * 13 to 17 s for a 90-byte file and 1.9 GB of allocation for a 40 KB one (TESTING.md, fuzzing
 * findings 1 and 2). Larger files, which a buffer cannot hold, go through jhdf's channel reader. The
 * mapping is released when it is garbage-collected; until then some platforms (Windows) refuse to
 * delete the file.
 */
final class KerasH5 implements AutoCloseable {

    /** The largest parameter vector read: {@link ReadLimits#WEIGHTS}' 2^20 floats (4 MiB). */
    static final int MAX_ELEMENTS = (int) ReadLimits.WEIGHTS.maxTensorElements();

    /** HDF5 filter ids jhdf decodes and this class can bound: deflate, shuffle, Fletcher-32, LZF, LZ4. */
    private static final int DEFLATE = 1;
    private static final int SHUFFLE = 2;
    private static final int FLETCHER32 = 3;
    private static final int LZF = 32000;
    private static final int LZ4 = 32004;

    private final HdfFile hdf;
    private final String source;

    private KerasH5(HdfFile hdf, String source) {
        this.hdf = hdf;
        this.source = source;
    }

    /**
     * Opens an HDF5 file.
     *
     * @param file the file
     * @param source the name used in messages
     */
    static KerasH5 open(Path file, String source) throws IOException {
        long size = checkNotTruncated(file, source);
        try {
            if (size > Integer.MAX_VALUE) {
                return new KerasH5(new HdfFile(file), source);
            }
            ByteBuffer mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            }
            return new KerasH5(HdfFile.fromByteBuffer(mapped), source);
        } catch (RuntimeException | StackOverflowError e) {
            throw corrupt(source, e);
        }
    }

    /**
     * Opens an HDF5 file held in a buffer (a {@code .keras} archive's weights, mapped in place or inflated
     * into memory).
     *
     * @param buffer the whole file, from position 0 to the limit
     * @param source the name used in messages
     */
    static KerasH5 open(ByteBuffer buffer, String source) throws IOException {
        byte[] head = new byte[(int) Math.min(buffer.limit(), 2048 + 64)];
        buffer.duplicate().position(0).get(head);
        checkHead(head, buffer.limit(), source);
        try {
            return new KerasH5(HdfFile.fromByteBuffer(buffer.duplicate().position(0)), source);
        } catch (RuntimeException | StackOverflowError e) {
            throw corrupt(source, e);
        }
    }

    /**
     * Refuses a file shorter than the end-of-file address its superblock declares, as the HDF5
     * library does ("truncated file"); jhdf reads only what it needs and would miss a cut tail.
     *
     * @return the file's size
     */
    static long checkNotTruncated(Path file, String source) throws IOException {
        ReadLimits.requireRegularFile(file);
        long size = Files.size(file);
        byte[] head = new byte[(int) Math.min(size, 2048 + 64)];
        try (InputStream in = Files.newInputStream(file)) {
            int n = 0;
            int r;
            while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
                n += r;
            }
        }
        checkHead(head, size, source);
        return size;
    }

    /** The superblock checks of {@link #checkNotTruncated} on a file's first bytes and its size. */
    private static void checkHead(byte[] head, long size, String source) throws FileFormatException {
        for (int at : new int[] {0, 512, 1024, 2048}) {
            if (head.length >= at + 8 && head[at] == (byte) 0x89 && head[at + 1] == 'H' && head[at + 2] == 'D'
                    && head[at + 3] == 'F') {
                long eof = endOfFileAddress(head, at, source);
                if (eof > size) {
                    throw new FileFormatException(source, size, "file must be at least " + eof + " bytes long (the "
                            + "end-of-file address of its superblock), got " + size + ": truncated");
                }
                return;
            }
        }
        throw new FileFormatException(source, 0, "file must start with an HDF5 signature at byte 0, 512, 1024 or "
                + "2048, got none");
    }

    /** base address + end-of-file address of a superblock (format versions 0 to 3). */
    private static long endOfFileAddress(byte[] head, int at, String source) throws FileFormatException {
        if (head.length < at + 16) {
            throw new FileFormatException(source, head.length, "HDF5 superblock must be complete, got a truncated one");
        }
        int version = head[at + 8] & 0xff;
        int offsetsAt;
        int offsetSize;
        if (version == 0 || version == 1) {
            offsetSize = head[at + 13] & 0xff;
            offsetsAt = at + 24 + (version == 1 ? 4 : 0);
        } else if (version == 2 || version == 3) {
            offsetSize = head[at + 9] & 0xff;
            offsetsAt = at + 12;
        } else {
            throw new FileFormatException(source, at + 8, "HDF5 superblock version must be 0 to 3, got " + version);
        }
        if (offsetSize != 2 && offsetSize != 4 && offsetSize != 8) {
            throw new FileFormatException(source, at, "HDF5 size of offsets must be 2, 4 or 8, got " + offsetSize);
        }
        // v0/v1: base, free-space info, end of file; v2/v3: base, superblock extension, end of file
        int eofAt = offsetsAt + 2 * offsetSize;
        if (head.length < eofAt + offsetSize) {
            throw new FileFormatException(source, head.length, "HDF5 superblock must be complete, got a truncated one");
        }
        long base = little(head, offsetsAt, offsetSize);
        long eof = little(head, eofAt, offsetSize);
        if (base < 0 || eof < 0 || base > Long.MAX_VALUE - eof) {
            throw new FileFormatException(source, eofAt, "HDF5 superblock addresses out of range: base " + base
                    + ", end of file " + eof);
        }
        return base + eof;
    }

    private static long little(byte[] b, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static FileFormatException corrupt(String source, Throwable e) {
        return new FileFormatException(source, -1, "not a readable HDF5 file: " + e, e);
    }

    private FileFormatException corrupt(Throwable e) {
        return corrupt(source, e);
    }

    /** The name used in messages. */
    String source() {
        return source;
    }

    /**
     * The node at an absolute path, or null. Links are refused: Keras writes none, and an external
     * link would make the reader open another file.
     */
    private Node node(String path) throws FileFormatException {
        Node current = hdf;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!current.isGroup()) {
                return null;
            }
            current = ((Group) current).getChildren().get(part);
            if (current == null) {
                return null;
            }
            if (current.isLink()) {
                throw new FileFormatException(source, -1, "path '" + path + "' must not go through a link (Keras "
                        + "files have none), got one");
            }
        }
        return current;
    }

    /** Whether a group exists at a path. */
    boolean isGroup(String path) throws FileFormatException {
        try {
            Node n = node(path);
            return n != null && n.isGroup();
        } catch (RuntimeException | StackOverflowError e) {
            throw corrupt(e);
        }
    }

    /** The names of a group's children, sorted; empty if the group does not exist. */
    List<String> children(String path) throws FileFormatException {
        try {
            Node n = node(path);
            if (n == null || !n.isGroup()) {
                return List.of();
            }
            List<String> names = new ArrayList<>(((Group) n).getChildren().keySet());
            names.sort(null);
            return names;
        } catch (RuntimeException | StackOverflowError e) {
            throw corrupt(e);
        }
    }

    /** Whether a node has an attribute. */
    boolean hasAttribute(String path, String name) throws FileFormatException {
        try {
            Node n = node(path);
            return n != null && n.getAttributes().containsKey(name);
        } catch (RuntimeException | StackOverflowError e) {
            throw corrupt(e);
        }
    }

    /**
     * A scalar string attribute (h5py writes Python {@code str} and {@code bytes} attributes as
     * scalars); null if the node or the attribute is absent.
     */
    String stringAttribute(String path, String name) throws FileFormatException {
        Object data = attributeData(path, name);
        if (data == null) {
            return null;
        }
        if (data instanceof String) {
            return (String) data;
        }
        if (data instanceof String[] && ((String[]) data).length == 1) {
            return ((String[]) data)[0];
        }
        throw new FileFormatException(source, -1, "attribute '" + name + "' of '" + path
                + "' must be a string, got " + describe(data));
    }

    /**
     * A one-dimensional string-array attribute such as Keras' {@code weight_names}; an empty array of
     * any type (h5py writes an empty list as float64) gives an empty list; null if absent.
     */
    List<String> stringListAttribute(String path, String name) throws FileFormatException {
        Object data = attributeData(path, name);
        if (data == null) {
            return null;
        }
        if (data instanceof String[]) {
            return List.of((String[]) data);
        }
        if (data instanceof String) {
            return List.of((String) data);
        }
        if (data.getClass().isArray() && java.lang.reflect.Array.getLength(data) == 0) {
            return List.of();
        }
        throw new FileFormatException(source, -1, "attribute '" + name + "' of '" + path
                + "' must be an array of strings, got " + describe(data));
    }

    private Object attributeData(String path, String name) throws FileFormatException {
        try {
            Node n = node(path);
            if (n == null) {
                return null;
            }
            Attribute a = n.getAttributes().get(name);
            if (a == null) {
                return null;
            }
            int[] dims = a.getDimensions();
            if (dims.length > 1 || a.getSize() > MAX_ELEMENTS) {
                throw new FileFormatException(source, -1, "attribute '" + name + "' of '" + path
                        + "' must be a scalar or a vector of at most " + MAX_ELEMENTS + " elements, got shape "
                        + Arrays.toString(dims));
            }
            return a.getData();
        } catch (RuntimeException | StackOverflowError e) {
            throw corrupt(e);
        }
    }

    private static String describe(Object data) {
        if (data.getClass().isArray()) {
            return data.getClass().getComponentType().getSimpleName() + "[" + java.lang.reflect.Array.getLength(data) + "]";
        }
        return data.getClass().getSimpleName();
    }

    /**
     * A float32 dataset of rank 0 or 1, as a vector (one element for rank 0).
     *
     * @param path the dataset path
     * @param rank0Allowed whether a scalar is acceptable
     */
    float[] floatVector(String path, boolean rank0Allowed) throws FileFormatException {
        try {
            Node n = node(path);
            if (n == null || n.isGroup()) {
                throw new FileFormatException(source, -1, "dataset '" + path + "' must exist, got none");
            }
            Dataset ds = (Dataset) n;
            if (!(ds.getDataType() instanceof FloatingPoint) || ds.getDataType().getSize() != Float.BYTES) {
                throw new FileFormatException(source, -1, "dataset '" + path + "' must be float32, got "
                        + ds.getDataType().getClass().getSimpleName() + " of " + ds.getDataType().getSize() + " bytes");
            }
            int[] dims = ds.isScalar() ? new int[0] : ds.getDimensions();
            if (dims.length > 1 || (dims.length == 0 && !rank0Allowed)) {
                throw new FileFormatException(source, -1, "dataset '" + path + "' must have rank "
                        + (rank0Allowed ? "0 or 1" : "1") + ", got shape " + Arrays.toString(dims));
            }
            long size = dims.length == 0 ? 1 : dims[0];
            if (size < 1 || size > MAX_ELEMENTS) {
                throw new FileFormatException(source, -1, "dataset '" + path + "' must have 1 to " + MAX_ELEMENTS
                        + " elements, got " + size);
            }
            if (ds instanceof ChunkedDataset) {
                long chunk = 1;
                for (int d : ((ChunkedDataset) ds).getChunkDimensions()) {
                    chunk *= Math.max(d, 0);
                    if (chunk > MAX_ELEMENTS) {
                        throw new FileFormatException(source, -1, "dataset '" + path + "' must have chunks of at most "
                                + MAX_ELEMENTS + " elements, got more");
                    }
                }
                checkFilters(path, (ChunkedDataset) ds, size, chunk * Float.BYTES);
            }
            Object data = ds.getData();
            if (data instanceof float[] && ((float[]) data).length == size) {
                return ((float[]) data).clone();
            }
            if (data instanceof Float && size == 1) {
                return new float[] {(Float) data};
            }
            throw new FileFormatException(source, -1, "dataset '" + path + "' holds " + describe(data)
                    + ", expected " + size + " float32 values");
        } catch (RuntimeException | StackOverflowError e) {
            throw corrupt(e);
        }
    }

    /**
     * Bounds what the filters of a chunked dataset may produce before jhdf decodes it: jhdf's LZF filter
     * allocates the output size its parameters declare (a 4-byte patch made it 2 GB), its deflate filter
     * inflates without bound (a 3 MB chunk to 3 GiB) and its LZ4 filter allocates the size a chunk's header
     * declares. So: only filters whose output can be bounded, at most one compressor, an LZF output size of
     * at most one chunk, and every chunk inflated here first, stopping one byte past the chunk's size.
     */
    private void checkFilters(String path, ChunkedDataset ds, long size, long chunkBytes) throws FileFormatException {
        List<io.jhdf.filter.PipelineFilterWithData> filters = ds.getFilters();
        int compressors = 0;
        boolean fletcher = false;
        int compressor = -1;
        for (io.jhdf.filter.PipelineFilterWithData f : filters) {
            int id = f.getId();
            if (id == DEFLATE || id == LZF || id == LZ4) {
                compressors++;
                compressor = id;
            } else if (id == FLETCHER32) {
                fletcher = true;
            } else if (id != SHUFFLE) {
                throw new FileFormatException(source, -1, "dataset '" + path + "' must use only the filters deflate,"
                        + " shuffle, fletcher32, lzf or lz4, got " + f.getName() + " (id " + id + ")");
            }
            if (id == LZF) {
                int[] data = f.getFilterData();
                if (data == null || data.length < 3 || data[2] < 0 || data[2] > chunkBytes) {
                    throw new FileFormatException(source, -1, "dataset '" + path + "' must declare an LZF output of "
                            + "at most its chunk's " + chunkBytes + " bytes, got "
                            + (data == null || data.length < 3 ? "none" : Integer.toUnsignedString(data[2])));
                }
            }
        }
        if (compressors > 1) {
            throw new FileFormatException(source, -1, "dataset '" + path + "' must have at most one compression "
                    + "filter, got " + compressors);
        }
        if (compressor != DEFLATE && compressor != LZ4) {
            return;
        }
        int step = ds.getChunkDimensions()[0];
        if (step < 1) {
            throw new FileFormatException(source, -1, "dataset '" + path + "' must have chunks of at least 1 element,"
                    + " got " + step);
        }
        for (long at = 0; at < size; at += step) {
            ByteBuffer raw;
            try {
                raw = ds.getRawChunkBuffer(new int[] {(int) at});
            } catch (io.jhdf.exceptions.HdfException e) {
                continue; // a chunk never written: jhdf gives the fill value, nothing to inflate
            }
            byte[] encoded = new byte[Math.max(0, raw.remaining() - (fletcher ? 4 : 0))];
            raw.duplicate().get(encoded);
            long produced = compressor == DEFLATE ? inflatedSize(encoded, chunkBytes + 1)
                    : lz4DeclaredSize(encoded);
            if (produced > chunkBytes) {
                throw new FileFormatException(source, -1, "dataset '" + path + "' chunk at " + at + " must decode to "
                        + "at most " + chunkBytes + " bytes (one chunk), got " + (compressor == DEFLATE ? "more" : produced)
                        + " (a filter bomb?)");
            }
        }
    }

    /** Bytes a zlib stream inflates to, counted up to {@code cap}; a corrupt stream counts as 0 (jhdf refuses it). */
    private static long inflatedSize(byte[] encoded, long cap) {
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        try {
            inflater.setInput(encoded);
            byte[] sink = new byte[8192];
            long total = 0;
            while (!inflater.finished() && total <= cap) {
                int n = inflater.inflate(sink);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                total += n;
            }
            return total;
        } catch (java.util.zip.DataFormatException e) {
            return 0;
        } finally {
            inflater.end();
        }
    }

    /** The total size an HDF5 LZ4 chunk declares in its first 8 bytes (big-endian). */
    private static long lz4DeclaredSize(byte[] encoded) {
        if (encoded.length < 8) {
            return 0;
        }
        long v = ByteBuffer.wrap(encoded).getLong();
        return v < 0 ? Long.MAX_VALUE : v;
    }

    @Override
    public void close() throws FileFormatException {
        try {
            hdf.close();
        } catch (RuntimeException e) {
            throw corrupt(e);
        }
    }
}
