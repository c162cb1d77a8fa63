package io.github.qbn4j.layer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * Where the input and the output of {@link Plan}'s {@code apply} lie in memory, found through their
 * views: two arrays are the same storage only when they are the same object; a heap {@link ByteBuffer}
 * is its backing array from {@code arrayOffset()}; a direct buffer is its native address. Comparing the
 * objects alone (as before issue 11) let {@code ByteBuffer.wrap(a)} against {@code a}, or a buffer
 * against its {@code duplicate()}, overlap unnoticed and give wrong bytes.
 *
 * <p>Two views cannot always be located: a read-only heap buffer hides its array, and before JDK 22
 * (no {@code java.lang.foreign}) a direct buffer's address is known only modulo 2^30, from
 * {@link ByteBuffer#alignmentOffset}. Such a pair is {@link #MAY_OVERLAP} when it could overlap other
 * than exactly; the plan then copies the input before writing, which gives the right bytes whether or
 * not the storage is shared.
 */
enum Aliasing {
    /** The two ranges share no byte. */
    DISJOINT,
    /** The two ranges are the same bytes (in place): safe, every element is read before it is written. */
    SAME,
    /** The ranges may share storage other than exactly; the input must be read in full first. */
    MAY_OVERLAP;

    /** Unit of {@link ByteBuffer#alignmentOffset}: addresses known modulo this before JDK 22. */
    private static final int LOW_BITS = 1 << 30;

    private static final MethodHandle OF_BUFFER;
    private static final MethodHandle ADDRESS;

    static {
        MethodHandle ofBuffer = null;
        MethodHandle address = null;
        if (Runtime.version().feature() >= 22) {
            try {
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                ofBuffer = lookup.findStatic(segment, "ofBuffer", MethodType.methodType(segment, Buffer.class));
                address = lookup.findVirtual(segment, "address", MethodType.methodType(long.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                ofBuffer = null;
                address = null;
            }
        }
        OF_BUFFER = ofBuffer;
        ADDRESS = address;
    }

    /**
     * How {@code length} elements of {@code in} from {@code inIndex} and of {@code out} from
     * {@code outIndex} relate.
     *
     * @throws IllegalArgumentException if they are known to overlap other than exactly
     */
    static Aliasing of(Object in, boolean inIsBuffer, int inIndex, Object out, boolean outIsBuffer, int outIndex,
            int length) {
        if (length == 0) {
            return DISJOINT;
        }
        if (!inIsBuffer && !outIsBuffer) {
            return in != out ? DISJOINT : compare(inIndex, outIndex, length, "");
        }
        // a ByteBuffer can share storage with a byte[] or another ByteBuffer only
        if ((!inIsBuffer && !(in instanceof byte[])) || (!outIsBuffer && !(out instanceof byte[]))) {
            return DISJOINT;
        }
        boolean inDirect = inIsBuffer && ((ByteBuffer) in).isDirect();
        boolean outDirect = outIsBuffer && ((ByteBuffer) out).isDirect();
        if (inDirect != outDirect) {
            return DISJOINT; // native memory against a Java array
        }
        if (inDirect) {
            return direct((ByteBuffer) in, inIndex, (ByteBuffer) out, outIndex, length);
        }
        Object inArray = array(in, inIsBuffer);
        Object outArray = array(out, outIsBuffer);
        if (inArray == null || outArray == null) {
            return MAY_OVERLAP; // a read-only heap buffer: its array is hidden
        }
        if (inArray != outArray) {
            return DISJOINT;
        }
        long inStart = inIndex + (inIsBuffer ? (long) ((ByteBuffer) in).arrayOffset() : 0);
        long outStart = outIndex + (outIsBuffer ? (long) ((ByteBuffer) out).arrayOffset() : 0);
        return compare(inStart, outStart, length, " (indices into the shared array)");
    }

    private static Object array(Object view, boolean isBuffer) {
        if (!isBuffer) {
            return view;
        }
        ByteBuffer b = (ByteBuffer) view;
        return b.hasArray() ? b.array() : null;
    }

    private static Aliasing direct(ByteBuffer in, int inIndex, ByteBuffer out, int outIndex, int length) {
        // the low 30 address bits cost no allocation and settle the usual case, two separate buffers; the
        // full address (a MemorySegment per call, JDK 22+) is looked up only when they cannot
        long d = Math.floorMod((long) in.alignmentOffset(0, LOW_BITS) + inIndex
                - out.alignmentOffset(0, LOW_BITS) - outIndex, (long) LOW_BITS);
        if (length <= LOW_BITS / 2 && d != 0 && Math.min(d, LOW_BITS - d) >= length) {
            return DISJOINT;
        }
        if (ADDRESS != null) {
            return compare(address(in) + inIndex, address(out) + outIndex, length, " (native addresses)");
        }
        if (length > LOW_BITS / 2) {
            return MAY_OVERLAP;
        }
        if (d == 0) {
            // the same address, or a multiple of 2^30 apart and so (length <= 2^29) disjoint: both are safe
            return SAME;
        }
        return Math.min(d, LOW_BITS - d) < length ? MAY_OVERLAP : DISJOINT;
    }

    /** The address of index 0 of a direct buffer. */
    private static long address(ByteBuffer b) {
        try {
            // the segment starts at the buffer's position
            return (long) ADDRESS.invoke(OF_BUFFER.invoke(b)) - b.position();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot locate a direct buffer", e);
        }
    }

    private static Aliasing compare(long inStart, long outStart, int length, String what) {
        if (inStart == outStart) {
            return SAME;
        }
        if (Math.abs(inStart - outStart) >= length) {
            return DISJOINT;
        }
        throw new IllegalArgumentException("in and out must not overlap unless at the same offset, got offsets "
                + inStart + " and " + outStart + what + " for length " + length);
    }
}
