package io.github.qbn4j.io;

import io.github.qbn4j.io.NpyArray.DType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes single arrays in NumPy's {@code .npy} format.
 *
 * <p>The reader accepts format versions 1.0, 2.0 and 3.0, the dtypes of
 * {@link NpyArray.DType} in little-endian ({@code <}), big-endian ({@code >}), not-applicable
 * ({@code |}) and native ({@code =}, taken as little-endian) byte order, and both C and Fortran
 * order (Fortran data are rearranged into logical C order). Object (pickled), structured,
 * string, complex and other dtypes are refused with a {@link FileFormatException}, as is any
 * corrupt or truncated input. A declared shape never causes an allocation larger than the data
 * actually present: files are checked against their size first, and streams are read in chunks
 * of at most 1 MiB.
 *
 * <p>The writer produces what {@code numpy.save} produces for a little-endian C-order array:
 * format version 1.0 (2.0 when the header would not fit), the header padded with spaces and
 * terminated by a newline so that the data start at a multiple of 64 bytes.
 */
public final class Npy {

    /** Largest chunk read from a stream at a time while the data are not yet seen. */
    static final int CHUNK = 1 << 20;

    private Npy() {
    }

    /**
     * Reads an array from a {@code .npy} file.
     *
     * @param file the file to read
     * @return the array, in logical C order
     * @throws FileFormatException if the file is not a valid {@code .npy} file, is truncated, or
     *     holds an unsupported dtype (such as an object/pickled array)
     * @throws IOException if the file cannot be read
     * @throws NullPointerException if {@code file} is {@code null}
     */
    public static NpyArray read(Path file) throws IOException {
        return read(file, ReadLimits.ACTIVATIONS);
    }

    /**
     * Reads an array from a {@code .npy} file within limits, checked against the header before the data
     * are read.
     *
     * @param file the file to read (a regular file; links are followed)
     * @param limits the budget
     * @return the array, in logical C order
     * @throws FileFormatException if the file is not a valid {@code .npy} file, is truncated, holds an
     *     unsupported dtype, is not a regular file, or passes a limit
     *     ({@link FileFormatException#exceedsLimit()})
     * @throws IOException if the file cannot be read
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray read(Path file, ReadLimits limits) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(limits, "limits");
        String source = file.toString();
        ReadLimits.requireRegularFile(file);
        long fileSize = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            NpyHeader header = NpyHeader.read(in, source);
            limits.checkTensor(source, null, header.shape, header.dtype.code(), header.size, header.dataBytes);
            long available = fileSize - header.dataOffset;
            if (available < header.dataBytes) {
                throw new FileFormatException(source, fileSize, "truncated data: the header"
                        + " declares " + header.dataBytes + " data bytes (shape "
                        + java.util.Arrays.toString(header.shape) + ", " + header.dtype.code()
                        + ") but the file has only " + Math.max(0, available)
                        + " bytes after the header");
            }
            return readData(in, source, header);
        }
    }

    /**
     * Reads one array from a stream. Exactly the bytes of the array are consumed, so the stream
     * is left positioned after the last data byte; it is not closed.
     *
     * @param in the stream to read from
     * @param sourceName the name used in error messages, for example a file name
     * @return the array, in logical C order
     * @throws FileFormatException if the input is not a valid {@code .npy} array, ends early, or
     *     holds an unsupported dtype (such as an object/pickled array)
     * @throws IOException if reading the stream fails
     * @throws NullPointerException if {@code in} is {@code null}
     */
    public static NpyArray read(InputStream in, String sourceName) throws IOException {
        Objects.requireNonNull(in, "in");
        String source = sourceName == null ? "<stream>" : sourceName;
        NpyHeader header = NpyHeader.read(in, source);
        return readData(in, source, header);
    }

    /**
     * Reads the data described by {@code header} from {@code in}, which must be positioned at
     * the first data byte. Reads in chunks so that nothing large is allocated before the bytes
     * have actually arrived.
     */
    static NpyArray readData(InputStream in, String source, NpyHeader header) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long remaining = header.dataBytes;
        long got = 0;
        while (remaining > 0) {
            int n = (int) Math.min(CHUNK, remaining);
            byte[] chunk = new byte[n];
            int r = in.readNBytes(chunk, 0, n);
            got += r;
            if (r < n) {
                throw new FileFormatException(source, header.dataOffset + got, "truncated data:"
                        + " expected " + header.dataBytes + " bytes after the header, got " + got);
            }
            chunks.add(chunk);
            remaining -= n;
        }
        Object data = decode(chunks, header, source);
        if (header.fortranOrder && header.shape.length > 1 && header.size > 0) {
            data = fortranToC(data, header.dtype, header.shape, header.size);
        }
        return new NpyArray(header.dtype, header.shape, data);
    }

    private static Object decode(List<byte[]> chunks, NpyHeader header, String source)
            throws FileFormatException {
        int size = header.size;
        ByteOrder order = header.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int elementSize = header.dtype.byteSize();
        Object data = allocate(header.dtype, size);
        int pos = 0;
        for (int c = 0; c < chunks.size(); c++) {
            byte[] chunk = chunks.get(c);
            chunks.set(c, null); // let the chunk go as soon as it is decoded
            int n = chunk.length / elementSize;
            ByteBuffer bb = ByteBuffer.wrap(chunk).order(order);
            switch (header.dtype) {
                case BOOL:
                    for (int i = 0; i < chunk.length; i++) {
                        if (chunk[i] != 0 && chunk[i] != 1) {
                            throw new FileFormatException(source, header.dataOffset + pos + i,
                                    "bool element " + (pos + i) + " has byte value "
                                            + (chunk[i] & 0xFF) + ", expected 0 or 1");
                        }
                    }
                    System.arraycopy(chunk, 0, data, pos, n);
                    break;
                case INT8:
                case UINT8:
                    System.arraycopy(chunk, 0, data, pos, n);
                    break;
                case INT16:
                case UINT16:
                case FLOAT16:
                    bb.asShortBuffer().get((short[]) data, pos, n);
                    break;
                case INT32:
                case UINT32:
                    bb.asIntBuffer().get((int[]) data, pos, n);
                    break;
                case INT64:
                case UINT64:
                    bb.asLongBuffer().get((long[]) data, pos, n);
                    break;
                case FLOAT32:
                    bb.asFloatBuffer().get((float[]) data, pos, n);
                    break;
                case FLOAT64:
                    bb.asDoubleBuffer().get((double[]) data, pos, n);
                    break;
                default:
                    throw new AssertionError(header.dtype);
            }
            pos += n;
        }
        return data;
    }

    private static Object allocate(DType dtype, int size) {
        switch (dtype) {
            case BOOL:
            case INT8:
            case UINT8:
                return new byte[size];
            case INT16:
            case UINT16:
            case FLOAT16:
                return new short[size];
            case INT32:
            case UINT32:
                return new int[size];
            case INT64:
            case UINT64:
                return new long[size];
            case FLOAT32:
                return new float[size];
            case FLOAT64:
                return new double[size];
            default:
                throw new AssertionError(dtype);
        }
    }

    /**
     * Walks the elements in C order and yields, for each, its index in Fortran (column-major)
     * storage.
     */
    private static final class FortranWalker {
        private final int[] shape;
        private final long[] stride;
        private final int[] index;
        private long offset;

        FortranWalker(int[] shape) {
            this.shape = shape;
            this.stride = new long[shape.length];
            this.index = new int[shape.length];
            long s = 1;
            for (int k = 0; k < shape.length; k++) {
                stride[k] = s;
                s *= shape[k];
            }
        }

        /** Returns the Fortran index of the current element and advances in C order. */
        int next() {
            int result = (int) offset;
            for (int k = shape.length - 1; k >= 0; k--) {
                index[k]++;
                offset += stride[k];
                if (index[k] < shape[k]) {
                    break;
                }
                offset -= stride[k] * shape[k];
                index[k] = 0;
            }
            return result;
        }
    }

    private static Object fortranToC(Object src, DType dtype, int[] shape, int size) {
        Object dst = allocate(dtype, size);
        FortranWalker w = new FortranWalker(shape);
        if (src instanceof byte[]) {
            byte[] s = (byte[]) src;
            byte[] d = (byte[]) dst;
            for (int i = 0; i < size; i++) {
                d[i] = s[w.next()];
            }
        } else if (src instanceof short[]) {
            short[] s = (short[]) src;
            short[] d = (short[]) dst;
            for (int i = 0; i < size; i++) {
                d[i] = s[w.next()];
            }
        } else if (src instanceof int[]) {
            int[] s = (int[]) src;
            int[] d = (int[]) dst;
            for (int i = 0; i < size; i++) {
                d[i] = s[w.next()];
            }
        } else if (src instanceof long[]) {
            long[] s = (long[]) src;
            long[] d = (long[]) dst;
            for (int i = 0; i < size; i++) {
                d[i] = s[w.next()];
            }
        } else if (src instanceof float[]) {
            float[] s = (float[]) src;
            float[] d = (float[]) dst;
            for (int i = 0; i < size; i++) {
                d[i] = s[w.next()];
            }
        } else {
            double[] s = (double[]) src;
            double[] d = (double[]) dst;
            for (int i = 0; i < size; i++) {
                d[i] = s[w.next()];
            }
        }
        return dst;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes an array to a {@code .npy} file, replacing it if it exists. The file is written
     * under a temporary name in the same directory and then moved into place, so a failure
     * never leaves a partially written file at {@code file}.
     *
     * @param file the file to write
     * @param a the array
     * @throws IOException if writing fails
     * @throws NullPointerException if an argument is {@code null}
     */
    public static void write(Path file, NpyArray a) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(a, "a");
        AtomicFile.write(file, out -> write(out, a));
    }

    /**
     * Writes an array in {@code .npy} format (little-endian, C order, version 1.0 unless the
     * header needs 2.0) to a stream, which is neither flushed nor closed.
     *
     * @param out the stream to write to
     * @param a the array
     * @throws IOException if writing fails
     * @throws NullPointerException if an argument is {@code null}
     */
    public static void write(OutputStream out, NpyArray a) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(a, "a");
        out.write(NpyHeader.encode(a.dtype(), a.shape()));
        Object data = a.rawData();
        int size = (int) a.size();
        if (data instanceof byte[]) {
            out.write((byte[]) data, 0, size);
            return;
        }
        int elementSize = a.dtype().byteSize();
        int perChunk = 65536 / elementSize;
        ByteBuffer buf = ByteBuffer.allocate(perChunk * elementSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int pos = 0; pos < size; pos += perChunk) {
            int n = Math.min(perChunk, size - pos);
            buf.clear();
            if (data instanceof short[]) {
                buf.asShortBuffer().put((short[]) data, pos, n);
            } else if (data instanceof int[]) {
                buf.asIntBuffer().put((int[]) data, pos, n);
            } else if (data instanceof long[]) {
                buf.asLongBuffer().put((long[]) data, pos, n);
            } else if (data instanceof float[]) {
                buf.asFloatBuffer().put((float[]) data, pos, n);
            } else {
                buf.asDoubleBuffer().put((double[]) data, pos, n);
            }
            out.write(buf.array(), 0, n * elementSize);
        }
    }

    /** Total number of bytes {@link #write(OutputStream, NpyArray)} produces for {@code a}. */
    static long encodedLength(NpyArray a) {
        return NpyHeader.encode(a.dtype(), a.shape()).length + a.size() * a.dtype().byteSize();
    }
}
