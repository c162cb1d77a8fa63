package io.github.qbn4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * How much a reader may take from one file: elements and bytes per tensor, and bytes per file (counted as
 * they are inflated, never taken from a size the file declares). Every reader checks a tensor's declared
 * shape and dtype against these limits <em>before</em> it allocates anything for it, and refuses with a
 * {@link FileFormatException} naming the file, the member, the size and the limit
 * ({@link FileFormatException#exceedsLimit()} is then true). Without limits a 256 KB {@code .npz} whose
 * {@code values} honestly inflates to a (1, 1024, 1024, 256) int8 tensor ran any reader out of memory.
 *
 * <p>Two defaults: {@link #WEIGHTS} for layer parameters (a batch normalization has a few vectors of one
 * float per channel: there is no reason to read megabytes) and {@link #ACTIVATIONS} for input tensors and
 * samples. {@link #fittingHeap(long)} scales a budget down to what a heap can hold, which is what the
 * command-line tool does with its {@code -Xmx}. Immutable and thread-safe.
 *
 * <pre>{@code
 * ReadLimits small = ReadLimits.ACTIVATIONS.withMaxTensorElements(1 << 20);
 * QTensor x = QTensorFiles.read(Path.of("x.npz"), small);   // refuses more than 2^20 values
 * }</pre>
 */
public final class ReadLimits {

    /**
     * Layer weights: at most 2^20 elements (channels) and 8 MiB per tensor, 32 MiB per file.
     */
    public static final ReadLimits WEIGHTS = new ReadLimits(1L << 20, 8L << 20, 32L << 20);

    /**
     * Activations (input tensors, calibration samples): at most 2^27 elements and 1 GiB per tensor, 2 GiB
     * per file.
     */
    public static final ReadLimits ACTIVATIONS = new ReadLimits(1L << 27, 1L << 30, 2L << 30);

    /** Heap bytes allowed per element: what reading, converting and applying a tensor costs at most. */
    static final long HEAP_BYTES_PER_ELEMENT = 64;

    private final long maxTensorElements;
    private final long maxTensorBytes;
    private final long maxFileBytes;

    private ReadLimits(long maxTensorElements, long maxTensorBytes, long maxFileBytes) {
        this.maxTensorElements = maxTensorElements;
        this.maxTensorBytes = maxTensorBytes;
        this.maxFileBytes = maxFileBytes;
    }

    /**
     * Limits of one's own.
     *
     * @param maxTensorElements most elements of one tensor, {@code >= 1}
     * @param maxTensorBytes most data bytes of one tensor, {@code >= 1}
     * @param maxFileBytes most bytes of one file, inflated, {@code >= 1}
     * @return the limits
     * @throws IllegalArgumentException if a limit is below 1
     */
    public static ReadLimits of(long maxTensorElements, long maxTensorBytes, long maxFileBytes) {
        positive("maxTensorElements", maxTensorElements);
        positive("maxTensorBytes", maxTensorBytes);
        positive("maxFileBytes", maxFileBytes);
        return new ReadLimits(maxTensorElements, maxTensorBytes, maxFileBytes);
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /**
     * These limits, lowered (never raised) so that a tensor at the limit fits a heap of {@code heapBytes}:
     * at most {@code heapBytes / 64} elements and {@code heapBytes / 8} bytes per tensor, {@code heapBytes
     * / 4} bytes per file.
     *
     * @param heapBytes the heap, e.g. {@code Runtime.getRuntime().maxMemory()}; {@code >= 1}
     * @return the lowered limits
     * @throws IllegalArgumentException if {@code heapBytes < 1}
     */
    public ReadLimits fittingHeap(long heapBytes) {
        positive("heapBytes", heapBytes);
        return new ReadLimits(Math.max(1, Math.min(maxTensorElements, heapBytes / HEAP_BYTES_PER_ELEMENT)),
                Math.max(1, Math.min(maxTensorBytes, heapBytes / 8)), Math.max(1, Math.min(maxFileBytes, heapBytes / 4)));
    }

    /**
     * A copy with another element limit.
     *
     * @param n most elements of one tensor, {@code >= 1}
     * @return the new limits
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public ReadLimits withMaxTensorElements(long n) {
        return of(n, maxTensorBytes, maxFileBytes);
    }

    /**
     * A copy with another per-tensor byte limit.
     *
     * @param n most data bytes of one tensor, {@code >= 1}
     * @return the new limits
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public ReadLimits withMaxTensorBytes(long n) {
        return of(maxTensorElements, n, maxFileBytes);
    }

    /**
     * A copy with another per-file byte limit.
     *
     * @param n most bytes of one file, inflated, {@code >= 1}
     * @return the new limits
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public ReadLimits withMaxFileBytes(long n) {
        return of(maxTensorElements, maxTensorBytes, n);
    }

    /**
     * Most elements of one tensor.
     *
     * @return the limit
     */
    public long maxTensorElements() {
        return maxTensorElements;
    }

    /**
     * Most data bytes of one tensor.
     *
     * @return the limit
     */
    public long maxTensorBytes() {
        return maxTensorBytes;
    }

    /**
     * Most bytes of one file, counted inflated.
     *
     * @return the limit
     */
    public long maxFileBytes() {
        return maxFileBytes;
    }

    /**
     * Refuses anything but a regular file (links followed) before it is opened: a FIFO blocks the open, a
     * character device such as a zero source reads forever.
     */
    static void requireRegularFile(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new FileFormatException(file.toString(), -1, "must be a regular file, got "
                    + (a.isDirectory() ? "a directory" : "a FIFO, device or socket"));
        }
    }

    /** Refuses a tensor over the limits, before anything is allocated for it. */
    void checkTensor(String file, String member, int[] shape, String dtype, long elements, long bytes)
            throws FileFormatException {
        String what = (member == null ? "the tensor " : "member '" + member + "' ") + "(shape "
                + Arrays.toString(shape) + ", " + dtype + ")";
        if (elements > maxTensorElements) {
            throw FileFormatException.overLimit(file, what + " has " + elements + " elements, over the limit of "
                    + maxTensorElements + " elements per tensor");
        }
        if (bytes > maxTensorBytes) {
            throw FileFormatException.overLimit(file, what + " has " + bytes + " data bytes, over the limit of "
                    + maxTensorBytes + " bytes per tensor");
        }
    }

    /** Refuses a file whose bytes so far, inflated, pass the file limit. */
    void checkFile(String file, String member, long total) throws FileFormatException {
        if (total > maxFileBytes) {
            throw FileFormatException.overLimit(file, (member == null ? "" : "member '" + member + "': ")
                    + "the file inflates to more than " + maxFileBytes + " bytes (the limit per file), got at least "
                    + total);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReadLimits)) {
            return false;
        }
        ReadLimits r = (ReadLimits) o;
        return maxTensorElements == r.maxTensorElements && maxTensorBytes == r.maxTensorBytes
                && maxFileBytes == r.maxFileBytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(maxTensorElements) * 961 + Long.hashCode(maxTensorBytes) * 31 + Long.hashCode(maxFileBytes);
    }

    @Override
    public String toString() {
        return "ReadLimits[maxTensorElements=" + maxTensorElements + ", maxTensorBytes=" + maxTensorBytes
                + ", maxFileBytes=" + maxFileBytes + "]";
    }
}
