package io.github.qbn4j.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable n-dimensional array as stored in a NumPy {@code .npy} file.
 *
 * <p>Elements are kept in logical C (row-major) order in a compact primitive array chosen by the
 * {@linkplain DType dtype}: {@code byte[]} for {@code b1}, {@code i1} and {@code u1},
 * {@code short[]} for {@code i2}, {@code u2} and {@code f2} (IEEE 754 half-precision bits),
 * {@code int[]} for {@code i4} and {@code u4}, {@code long[]} for {@code i8} and {@code u8},
 * {@code float[]} for {@code f4} and {@code double[]} for {@code f8}. Unsigned types keep their
 * bit pattern; the accessors interpret it as unsigned.
 *
 * <p>All factories copy their arguments and no accessor exposes the internal storage, so
 * instances are immutable and safe to share between threads. A shape of length 0 denotes a
 * scalar (one element). Arrays with more than {@link Integer#MAX_VALUE} elements are refused.
 */
public final class NpyArray {

    /** Maximum number of elements shown by {@link #toString()}. */
    private static final int TO_STRING_LIMIT = 8;

    /** 2^63 as a double, the first value above the {@code long} range. */
    private static final double TWO_POW_63 = 0x1p63;

    /**
     * The element types supported by the reader and writer, named by their NumPy type code
     * without byte-order character.
     */
    public enum DType {
        /** Boolean, one byte holding 0 or 1 ({@code b1}). */
        BOOL("b1", 1),
        /** Signed 8-bit integer ({@code i1}). */
        INT8("i1", 1),
        /** Unsigned 8-bit integer ({@code u1}). */
        UINT8("u1", 1),
        /** Signed 16-bit integer ({@code i2}). */
        INT16("i2", 2),
        /** Unsigned 16-bit integer ({@code u2}). */
        UINT16("u2", 2),
        /** Signed 32-bit integer ({@code i4}). */
        INT32("i4", 4),
        /** Unsigned 32-bit integer ({@code u4}). */
        UINT32("u4", 4),
        /** Signed 64-bit integer ({@code i8}). */
        INT64("i8", 8),
        /** Unsigned 64-bit integer ({@code u8}). */
        UINT64("u8", 8),
        /** IEEE 754 half-precision float ({@code f2}). */
        FLOAT16("f2", 2),
        /** IEEE 754 single-precision float ({@code f4}). */
        FLOAT32("f4", 4),
        /** IEEE 754 double-precision float ({@code f8}). */
        FLOAT64("f8", 8);

        private final String code;
        private final int byteSize;

        DType(String code, int byteSize) {
            this.code = code;
            this.byteSize = byteSize;
        }

        /**
         * Returns the NumPy type code without byte-order character, for example {@code "f4"}.
         *
         * @return the two-character type code
         */
        public String code() {
            return code;
        }

        /**
         * Returns the number of bytes one element occupies in a {@code .npy} file.
         *
         * @return the element size in bytes (1, 2, 4 or 8)
         */
        public int byteSize() {
            return byteSize;
        }

        /** Whether this is one of the floating-point types. */
        boolean isFloatingPoint() {
            return this == FLOAT16 || this == FLOAT32 || this == FLOAT64;
        }

        /** Returns the dtype for a code such as {@code "f4"}, or {@code null} if unknown. */
        static DType fromCode(String code) {
            for (DType d : values()) {
                if (d.code.equals(code)) {
                    return d;
                }
            }
            return null;
        }
    }

    private final DType dtype;
    private final int[] shape;
    private final int size;
    /** byte[], short[], int[], long[], float[] or double[] depending on dtype; never exposed. */
    private final Object data;

    /** Trusted constructor: takes ownership of {@code shape} and {@code data} without copying. */
    NpyArray(DType dtype, int[] shape, Object data) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape;
        this.size = checkedSize(shape);
        this.data = data;
        int length = java.lang.reflect.Array.getLength(data);
        if (length != size) {
            throw new IllegalArgumentException("data has " + length + " elements, expected " + size
                    + " for shape " + Arrays.toString(shape));
        }
    }

    // ------------------------------------------------------------------ factories

    /**
     * Creates a {@code float32} array.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofFloat32(int[] shape, float[] data) {
        return new NpyArray(DType.FLOAT32, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates a {@code float64} array.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofFloat64(int[] shape, double[] data) {
        return new NpyArray(DType.FLOAT64, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates a {@code float16} array from IEEE 754 half-precision bit patterns.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param bits the half-precision bit patterns in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code bits.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofFloat16Bits(int[] shape, short[] bits) {
        return new NpyArray(DType.FLOAT16, copyShape(shape), checkLength(shape, bits.clone()));
    }

    /**
     * Creates an {@code int64} array.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofInt64(int[] shape, long[] data) {
        return new NpyArray(DType.INT64, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates a {@code uint64} array; each {@code long} holds the bits of an unsigned value.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order as unsigned bit patterns (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofUInt64(int[] shape, long[] data) {
        return new NpyArray(DType.UINT64, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates an {@code int32} array.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofInt32(int[] shape, int[] data) {
        return new NpyArray(DType.INT32, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates a {@code uint32} array; each {@code int} holds the bits of an unsigned value.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order as unsigned bit patterns (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofUInt32(int[] shape, int[] data) {
        return new NpyArray(DType.UINT32, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates an {@code int16} array.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofInt16(int[] shape, short[] data) {
        return new NpyArray(DType.INT16, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates a {@code uint16} array; each {@code short} holds the bits of an unsigned value.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order as unsigned bit patterns (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofUInt16(int[] shape, short[] data) {
        return new NpyArray(DType.UINT16, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates an {@code int8} array.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofInt8(int[] shape, byte[] data) {
        return new NpyArray(DType.INT8, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates a {@code uint8} array; each {@code byte} holds the bits of an unsigned value.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order as unsigned bit patterns (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofUInt8(int[] shape, byte[] data) {
        return new NpyArray(DType.UINT8, copyShape(shape), checkLength(shape, data.clone()));
    }

    /**
     * Creates a {@code bool} array.
     *
     * @param shape the dimensions (copied); an empty array denotes a scalar
     * @param data the elements in C order (copied)
     * @return the new array
     * @throws IllegalArgumentException if a dimension is negative, the element count exceeds
     *     {@link Integer#MAX_VALUE}, or {@code data.length} does not match the shape
     * @throws NullPointerException if an argument is {@code null}
     */
    public static NpyArray ofBool(int[] shape, boolean[] data) {
        int[] s = copyShape(shape);
        checkLength(s, data);
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = data[i] ? (byte) 1 : (byte) 0;
        }
        return new NpyArray(DType.BOOL, s, bytes);
    }

    /**
     * Creates a rank-0 {@code int64} array holding one value.
     *
     * @param value the value
     * @return a scalar array with shape {@code []}
     */
    public static NpyArray scalarInt64(long value) {
        return new NpyArray(DType.INT64, new int[0], new long[] {value});
    }

    /**
     * Creates a rank-0 {@code float32} array holding one value.
     *
     * @param value the value
     * @return a scalar array with shape {@code []}
     */
    public static NpyArray scalarFloat32(float value) {
        return new NpyArray(DType.FLOAT32, new int[0], new float[] {value});
    }

    private static int[] copyShape(int[] shape) {
        Objects.requireNonNull(shape, "shape");
        int[] s = shape.clone();
        checkedSize(s);
        return s;
    }

    private static <T> T checkLength(int[] shape, T data) {
        Objects.requireNonNull(data, "data");
        int length = java.lang.reflect.Array.getLength(data);
        long expected = checkedSize(shape);
        if (length != expected) {
            throw new IllegalArgumentException("data has " + length + " elements, expected "
                    + expected + " for shape " + Arrays.toString(shape));
        }
        return data;
    }

    /**
     * Returns the element count of {@code shape}, validating that no dimension is negative and
     * that the count fits in an {@code int}.
     */
    static int checkedSize(int[] shape) {
        long size = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            int d = shape[i];
            if (d < 0) {
                throw new IllegalArgumentException("shape[" + i + "] must be >= 0, got " + d);
            }
            if (!overflow) {
                size *= d; // both factors <= 2^31 after the check below, so this cannot overflow
                if (size > Integer.MAX_VALUE) {
                    overflow = true;
                }
            }
        }
        for (int d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        if (overflow) {
            java.math.BigInteger product = java.math.BigInteger.ONE;
            for (int d : shape) {
                product = product.multiply(java.math.BigInteger.valueOf(d));
            }
            throw new IllegalArgumentException("element count must be <= " + Integer.MAX_VALUE
                    + ", got " + product + " for shape " + Arrays.toString(shape));
        }
        return (int) size;
    }

    // ------------------------------------------------------------------ accessors

    /**
     * Returns the element type.
     *
     * @return the dtype
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * Returns the dimensions.
     *
     * @return a fresh copy of the shape; empty for a scalar
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * Returns the number of dimensions.
     *
     * @return the rank; 0 for a scalar
     */
    public int rank() {
        return shape.length;
    }

    /**
     * Returns the number of elements, the product of the dimensions (1 for a scalar).
     *
     * @return the element count
     */
    public long size() {
        return size;
    }

    /** Package-private view of the raw storage, for the writer; never modify it. */
    Object rawData() {
        return data;
    }

    private int checkIndex(long i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index must be in [0, " + size + "), got " + i);
        }
        return (int) i;
    }

    /**
     * Returns element {@code i} (in C order) as a {@code double}.
     *
     * <p>Floating-point elements (including {@code float16}) and integers of up to 53 bits are
     * converted exactly; unsigned types are read as unsigned values, so a {@code uint64} element
     * of 2^64-1 yields about 1.8e19. 64-bit integers whose magnitude exceeds 2^53 are rounded to
     * the nearest {@code double}. Booleans yield 0.0 or 1.0.
     *
     * @param i the flat index in C order
     * @return the element value
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     */
    public double getDouble(long i) {
        return doubleAt(checkIndex(i));
    }

    private double doubleAt(int i) {
        switch (dtype) {
            case BOOL:
            case INT8:
                return ((byte[]) data)[i];
            case UINT8:
                return ((byte[]) data)[i] & 0xFF;
            case INT16:
                return ((short[]) data)[i];
            case UINT16:
                return ((short[]) data)[i] & 0xFFFF;
            case FLOAT16:
                return halfToDouble(((short[]) data)[i]);
            case INT32:
                return ((int[]) data)[i];
            case UINT32:
                return ((int[]) data)[i] & 0xFFFFFFFFL;
            case INT64:
                return ((long[]) data)[i];
            case UINT64:
                return unsignedToDouble(((long[]) data)[i]);
            case FLOAT32:
                return ((float[]) data)[i];
            case FLOAT64:
                return ((double[]) data)[i];
            default:
                throw new AssertionError(dtype);
        }
    }

    /**
     * Returns element {@code i} (in C order) as a {@code long}, exactly.
     *
     * @param i the flat index in C order
     * @return the element value
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     * @throws ArithmeticException if the element is not an integral value representable as a
     *     {@code long} (for example 2.5, NaN, infinity, or a {@code uint64} of 2^63 or more);
     *     the message names the index and the value
     */
    public long getLong(long i) {
        return longAt(checkIndex(i));
    }

    private long longAt(int i) {
        switch (dtype) {
            case BOOL:
            case INT8:
                return ((byte[]) data)[i];
            case UINT8:
                return ((byte[]) data)[i] & 0xFF;
            case INT16:
                return ((short[]) data)[i];
            case UINT16:
                return ((short[]) data)[i] & 0xFFFF;
            case INT32:
                return ((int[]) data)[i];
            case UINT32:
                return ((int[]) data)[i] & 0xFFFFFFFFL;
            case INT64:
                return ((long[]) data)[i];
            case UINT64: {
                long v = ((long[]) data)[i];
                if (v < 0) {
                    throw new ArithmeticException("element " + i + " is " + Long.toUnsignedString(v)
                            + " (uint64), which is not representable as long");
                }
                return v;
            }
            case FLOAT16:
            case FLOAT32:
            case FLOAT64: {
                double d = doubleAt(i);
                if (d != Math.rint(d) || d < -TWO_POW_63 || d >= TWO_POW_63) {
                    // NaN fails d != rint(d) as well, since NaN != NaN
                    throw new ArithmeticException("element " + i + " is " + formatAt(i) + " ("
                            + dtype.code() + "), which is not an integral value representable as long");
                }
                return (long) d;
            }
            default:
                throw new AssertionError(dtype);
        }
    }

    /**
     * Returns all elements as {@code long} values in C order, exactly.
     *
     * @return a new array of {@link #size()} elements
     * @throws ArithmeticException if an element is not an integral value representable as a
     *     {@code long}; the message names the first such index and its value
     */
    public long[] toLongArray() {
        long[] out = new long[size];
        if (dtype == DType.INT64) {
            System.arraycopy(data, 0, out, 0, size);
            return out;
        }
        for (int i = 0; i < size; i++) {
            out[i] = longAt(i);
        }
        return out;
    }

    /**
     * Returns all elements as {@code float} values in C order, exactly.
     *
     * <p>{@code float16} and {@code float32} arrays always convert. Other types convert when
     * every element is exactly representable as a {@code float} (for integers this holds at
     * least for magnitudes up to 2^24; NaN and infinities of {@code float64} are kept).
     *
     * @return a new array of {@link #size()} elements
     * @throws ArithmeticException if an element cannot be held exactly by a {@code float}; the
     *     message names the first such index and its value
     */
    public float[] toFloatArray() {
        float[] out = new float[size];
        switch (dtype) {
            case FLOAT32:
                System.arraycopy(data, 0, out, 0, size);
                return out;
            case FLOAT16: {
                short[] s = (short[]) data;
                for (int i = 0; i < size; i++) {
                    out[i] = (float) halfToDouble(s[i]);
                }
                return out;
            }
            case FLOAT64: {
                double[] d = (double[]) data;
                for (int i = 0; i < size; i++) {
                    float f = (float) d[i];
                    if (f != d[i] && !Double.isNaN(d[i])) {
                        throw notFloat(i);
                    }
                    out[i] = f;
                }
                return out;
            }
            case UINT64: {
                long[] l = (long[]) data;
                for (int i = 0; i < size; i++) {
                    float f = (float) unsignedToDouble(l[i]);
                    if (!floatHoldsUnsigned(f, l[i])) {
                        throw notFloat(i);
                    }
                    out[i] = f;
                }
                return out;
            }
            default: {
                for (int i = 0; i < size; i++) {
                    long v = longAt(i);
                    float f = (float) v;
                    if (f >= TWO_POW_63 || (long) f != v) {
                        throw notFloat(i);
                    }
                    out[i] = f;
                }
                return out;
            }
        }
    }

    /** Whether the whole number {@code f} equals the unsigned value of {@code v}. */
    private static boolean floatHoldsUnsigned(float f, long v) {
        if (f >= 0x1p64f) {
            return false;
        }
        if (f < TWO_POW_63) {
            return v >= 0 && (long) f == v;
        }
        return v < 0 && (long) (f - TWO_POW_63) + Long.MIN_VALUE == v;
    }

    private ArithmeticException notFloat(int i) {
        return new ArithmeticException("element " + i + " is " + formatAt(i) + " (" + dtype.code()
                + "), which float32 cannot hold exactly");
    }

    /**
     * Returns all elements as {@code double} values in C order.
     *
     * <p>The conversion is the one of {@link #getDouble(long)}: exact except for 64-bit integers
     * whose magnitude exceeds 2^53, which are rounded to the nearest {@code double}.
     *
     * @return a new array of {@link #size()} elements
     */
    public double[] toDoubleArray() {
        double[] out = new double[size];
        if (dtype == DType.FLOAT64) {
            System.arraycopy(data, 0, out, 0, size);
            return out;
        }
        for (int i = 0; i < size; i++) {
            out[i] = doubleAt(i);
        }
        return out;
    }

    /**
     * Tells whether every element is an integral value. Integer and boolean arrays always are;
     * a floating-point array is when every element is finite and has no fractional part
     * (an empty array is integral).
     *
     * @return {@code true} if all elements are integral
     */
    public boolean isIntegral() {
        if (!dtype.isFloatingPoint()) {
            return true;
        }
        for (int i = 0; i < size; i++) {
            double d = doubleAt(i);
            if (Double.isInfinite(d) || d != Math.rint(d)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ conversions

    /**
     * Decodes an IEEE 754 half-precision bit pattern to the exactly equal {@code double}.
     */
    static double halfToDouble(short bits) {
        int h = bits & 0xFFFF;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        double v;
        if (exp == 0) {
            v = mant * 0x1p-24;
        } else if (exp == 31) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            v = (mant | 0x400) * Math.scalb(1.0, exp - 25);
        }
        return (h & 0x8000) != 0 ? -v : v;
    }

    /** Converts the unsigned value of {@code v} to the nearest double. */
    static double unsignedToDouble(long v) {
        if (v >= 0) {
            return v;
        }
        // halve with round-to-odd so that the final rounding is correct, then double
        return ((v >>> 1) | (v & 1)) * 2.0;
    }

    private String formatAt(int i) {
        switch (dtype) {
            case BOOL:
                return ((byte[]) data)[i] != 0 ? "true" : "false";
            case FLOAT16:
                return Float.toString((float) halfToDouble(((short[]) data)[i]));
            case FLOAT32:
                return Float.toString(((float[]) data)[i]);
            case FLOAT64:
                return Double.toString(((double[]) data)[i]);
            case UINT64:
                return Long.toUnsignedString(((long[]) data)[i]);
            default:
                return Long.toString(longAt(i));
        }
    }

    // ------------------------------------------------------------------ Object

    /**
     * Compares dtype, shape and contents. Floating-point elements are compared by bit pattern
     * as {@link Arrays#equals(float[], float[])} does, so NaN equals NaN and 0.0 differs from
     * -0.0 ({@code float16} elements are compared by their raw bits).
     *
     * @param o the object to compare with
     * @return {@code true} if {@code o} is an {@code NpyArray} with equal dtype, shape and data
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NpyArray)) {
            return false;
        }
        NpyArray other = (NpyArray) o;
        if (dtype != other.dtype || !Arrays.equals(shape, other.shape)) {
            return false;
        }
        switch (dtype) {
            case BOOL:
            case INT8:
            case UINT8:
                return Arrays.equals((byte[]) data, (byte[]) other.data);
            case INT16:
            case UINT16:
            case FLOAT16:
                return Arrays.equals((short[]) data, (short[]) other.data);
            case INT32:
            case UINT32:
                return Arrays.equals((int[]) data, (int[]) other.data);
            case INT64:
            case UINT64:
                return Arrays.equals((long[]) data, (long[]) other.data);
            case FLOAT32:
                return Arrays.equals((float[]) data, (float[]) other.data);
            case FLOAT64:
                return Arrays.equals((double[]) data, (double[]) other.data);
            default:
                throw new AssertionError(dtype);
        }
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        int h = dtype.hashCode() * 31 + Arrays.hashCode(shape);
        int d;
        switch (dtype) {
            case BOOL:
            case INT8:
            case UINT8:
                d = Arrays.hashCode((byte[]) data);
                break;
            case INT16:
            case UINT16:
            case FLOAT16:
                d = Arrays.hashCode((short[]) data);
                break;
            case INT32:
            case UINT32:
                d = Arrays.hashCode((int[]) data);
                break;
            case INT64:
            case UINT64:
                d = Arrays.hashCode((long[]) data);
                break;
            case FLOAT32:
                d = Arrays.hashCode((float[]) data);
                break;
            case FLOAT64:
                d = Arrays.hashCode((double[]) data);
                break;
            default:
                throw new AssertionError(dtype);
        }
        return h * 31 + d;
    }

    /**
     * Returns a short description such as
     * {@code NpyArray[dtype=f4, shape=[2, 3], data=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]}, showing at
     * most eight elements followed by an ellipsis.
     *
     * @return the description
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("NpyArray[dtype=").append(dtype.code())
                .append(", shape=").append(Arrays.toString(shape)).append(", data=[");
        int shown = Math.min(size, TO_STRING_LIMIT);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(formatAt(i));
        }
        if (size > shown) {
            sb.append(", \u2026");
        }
        return sb.append("]]").toString();
    }
}
