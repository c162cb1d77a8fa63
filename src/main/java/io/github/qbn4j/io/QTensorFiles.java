package io.github.qbn4j.io;

import io.github.qbn4j.io.NpyArray.DType;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and writes quantized tensors in the interchange format: a {@code .npz} archive with the
 * arrays {@code values}, {@code value_bits}, {@code frac_bits} and, for a {@link QFloat},
 * {@code scales}. Element {@code i} of channel {@code c} stands for
 * {@code values[i] * 2^-frac_bits[c]} (times {@code scales[c]} for a QFloat).
 *
 * <table>
 *   <caption>Arrays of a quantized-tensor file</caption>
 *   <tr><th>key</th><th>read</th><th>written</th></tr>
 *   <tr><td>{@code values}</td><td>any integer dtype, or a float dtype whose elements are all
 *       integers; the tensor's shape, channel last, rank 0 to 4</td><td>{@code <i8}</td></tr>
 *   <tr><td>{@code value_bits}</td><td>an integer dtype, shape {@code ()}</td>
 *       <td>{@code <i8}, shape {@code ()}</td></tr>
 *   <tr><td>{@code frac_bits}</td><td>integers or integral floats; shape {@code ()} gives
 *       {@link FracBits#of(int)}, shape {@code (C,)} gives {@link FracBits#perAxis(int...)}; shape
 *       {@code (1,)} with {@code C > 1}, which quantizeml treats as per-tensor, gives
 *       {@link FracBits#of(int)}</td>
 *       <td>{@code <i8}, shape {@code ()} or {@code (C,)}</td></tr>
 *   <tr><td>{@code scales}</td><td>{@code float32}; shape {@code ()} gives {@link Scales#of(float)},
 *       {@code (C,)} gives {@link Scales#perAxis(float...)}; absent for a FixedPoint. Shape
 *       {@code (1,)} with {@code C > 1} is refused as a QFloat whose scales do not match its channels
 *       ({@link IllegalArgumentException}), as quantizeml's batch normalization refuses it</td>
 *       <td>{@code <f4}, shape {@code ()} or {@code (C,)}</td></tr>
 * </table>
 *
 * <p><b>Two kinds of errors.</b> A file that does not have this structure (a missing or unknown key,
 * a wrong dtype or shape, a fractional value) raises a {@link FileFormatException} naming the file
 * and the key. A well-formed file describing a tensor that qbn4j refuses (values outside the range of
 * their value bits, value bits above 31, a scale that is not a positive normal float) raises the
 * {@link IllegalArgumentException} of {@link FixedPoint#of(Shape, long[], int, FracBits)} or
 * {@link Scales}, as constructing the tensor in code would: conformance suites count that as a
 * rejected input.
 *
 * <pre>{@code
 * QTensor x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.perAxis(2, 4));
 * QTensorFiles.write(Path.of("x.npz"), x);
 * QTensor back = QTensorFiles.read(Path.of("x.npz"));   // equal to x, per-axis form included
 * }</pre>
 *
 * <p>This class has no state and is thread-safe.
 */
public final class QTensorFiles {

    /** The key of the integer payload. */
    public static final String VALUES = "values";
    /** The key of the value bits. */
    public static final String VALUE_BITS = "value_bits";
    /** The key of the fractional bits. */
    public static final String FRAC_BITS = "frac_bits";
    /** The key of a QFloat's scales. */
    public static final String SCALES = "scales";

    private static final Set<String> KEYS = Set.of(VALUES, VALUE_BITS, FRAC_BITS, SCALES);

    private QTensorFiles() {
    }

    /**
     * Reads a quantized tensor: a {@link QFloat} when the archive has {@code scales}, else a
     * {@link FixedPoint}. Nothing is rounded: values and fractional bits must be exact integers.
     *
     * @param npz the archive
     * @return the tensor
     * @throws FileFormatException if the file is not a valid {@code .npz} archive, a required key is
     *     missing, a key is unknown, or an array has a wrong dtype, shape or a non-integral value
     *     (the message names the file and the key)
     * @throws IllegalArgumentException if the arrays are well formed but describe a tensor qbn4j
     *     refuses: value bits outside {@code [0, 31]}, values outside the range of their value bits
     *     or not held exactly by float32, rank above 4, scales that are not finite normal positive
     *     floats
     * @throws IOException if the file cannot be read
     * @throws NullPointerException if {@code npz} is null
     */
    public static QTensor read(Path npz) throws IOException {
        return read(npz, ReadLimits.ACTIVATIONS);
    }

    /**
     * Reads a quantized tensor within limits; see {@link #read(Path)}.
     *
     * @param npz the archive
     * @param limits the budget, checked before anything is allocated for a tensor
     * @return the tensor
     * @throws FileFormatException as {@link #read(Path)}, and if a limit is passed
     *     ({@link FileFormatException#exceedsLimit()})
     * @throws IllegalArgumentException as {@link #read(Path)}
     * @throws IOException if the file cannot be read
     * @throws NullPointerException if an argument is null
     */
    public static QTensor read(Path npz, ReadLimits limits) throws IOException {
        Objects.requireNonNull(npz, "npz");
        Objects.requireNonNull(limits, "limits");
        String file = npz.toString();
        Map<String, NpyArray> arrays = Npz.read(npz, limits);
        try {
            return fromArrays(file, arrays);
        } catch (IllegalArgumentException e) {
            if (e.getClass() != IllegalArgumentException.class || e.getMessage().endsWith("(" + file + ")")) {
                throw e;
            }
            // the tensor's own checks do not know the file: name it, keeping the message as it is
            throw new IllegalArgumentException(e.getMessage() + " (" + file + ")", e);
        }
    }

    /**
     * Builds a tensor from the arrays of a quantized-tensor archive; see {@link #read(Path)}.
     *
     * @param file the file name for messages
     * @param arrays the arrays by key
     * @return the tensor
     * @throws FileFormatException for a structural problem
     * @throws IllegalArgumentException for a tensor qbn4j refuses
     */
    static QTensor fromArrays(String file, Map<String, NpyArray> arrays) throws FileFormatException {
        for (String key : arrays.keySet()) {
            if (!KEYS.contains(key)) {
                throw new FileFormatException(file, -1, "key '" + key + "' is unknown; a quantized tensor has "
                        + new TreeSet<>(KEYS) + " only");
            }
        }
        NpyArray values = require(file, arrays, VALUES);
        NpyArray valueBits = require(file, arrays, VALUE_BITS);
        NpyArray fracBits = require(file, arrays, FRAC_BITS);
        NpyArray scales = arrays.get(SCALES);

        if (values.dtype() == DType.BOOL) {
            throw new FileFormatException(file, -1, "key 'values' must have an integer or float dtype, got "
                    + values.dtype().code());
        }
        long[] v = integers(file, VALUES, values);
        int[] dims = values.shape();
        Shape shape = Shape.of(dims);

        if (valueBits.dtype().isFloatingPoint() || valueBits.dtype() == DType.BOOL) {
            throw new FileFormatException(file, -1, "key 'value_bits' must have an integer dtype, got "
                    + valueBits.dtype().code());
        }
        if (valueBits.rank() != 0) {
            throw new FileFormatException(file, -1, "key 'value_bits' must have shape (), got "
                    + shapeString(valueBits.shape()));
        }
        long vb = integers(file, VALUE_BITS, valueBits)[0];
        if (vb < 0 || vb > FixedPoint.MAX_VALUE_BITS) {
            throw new IllegalArgumentException("value_bits must be in [0, " + FixedPoint.MAX_VALUE_BITS
                    + "], got " + vb + " (" + file + ")");
        }

        int channels = shape.channels();
        FracBits fb = fracBits(file, fracBits, channels);

        FixedPoint fp = FixedPoint.of(shape, v, (int) vb, fb);
        if (scales == null) {
            return fp;
        }
        if (scales.dtype() != DType.FLOAT32) {
            throw new FileFormatException(file, -1, "key 'scales' must have dtype float32 (<f4), got "
                    + scales.dtype().code());
        }
        checkVectorShape(file, SCALES, scales, channels);
        float[] s = scales.toFloatArray();
        // a (1,) vector of scales for C > 1 channels stays per-axis, and QFloat.of refuses it: quantizeml
        // does not take such a QFloat as per-tensor either (its multiply raises "is not per-tensor")
        return QFloat.of(fp, scales.rank() == 0 ? Scales.of(s[0]) : Scales.perAxis(s));
    }

    private static FracBits fracBits(String file, NpyArray array, int channels) throws FileFormatException {
        if (array.dtype() == DType.BOOL) {
            throw new FileFormatException(file, -1, "key 'frac_bits' must have an integer or float dtype, got "
                    + array.dtype().code());
        }
        checkVectorShape(file, FRAC_BITS, array, channels);
        long[] bits = integers(file, FRAC_BITS, array);
        int[] b = new int[bits.length];
        for (int i = 0; i < b.length; i++) {
            if (bits[i] < Integer.MIN_VALUE || bits[i] > Integer.MAX_VALUE) {
                throw new FileFormatException(file, -1, "key 'frac_bits' must hold 32-bit integers, got "
                        + bits[i] + " at index " + i);
            }
            b[i] = (int) bits[i];
        }
        if (array.rank() == 1 && b.length == 1 && channels != 1) {
            // quantizeml keeps a one-element frac_bits vector as it comes, and treats it as per-tensor
            // (FixedPoint.per_tensor); qbn4j has no third form for it
            return FracBits.of(b[0]);
        }
        return array.rank() == 0 ? FracBits.of(b[0]) : FracBits.perAxis(b);
    }

    private static void checkVectorShape(String file, String key, NpyArray array, int channels)
            throws FileFormatException {
        int[] s = array.shape();
        if (s.length > 1 || (s.length == 1 && s[0] != channels && s[0] != 1)) {
            throw new FileFormatException(file, -1, "key '" + key + "' must have shape (), (1,) or (" + channels
                    + ",) (one entry per channel of values), got " + shapeString(s));
        }
    }

    private static NpyArray require(String file, Map<String, NpyArray> arrays, String key)
            throws FileFormatException {
        NpyArray a = arrays.get(key);
        if (a == null) {
            throw new FileFormatException(file, -1, "key '" + key + "' is missing; a quantized tensor needs "
                    + "values, value_bits and frac_bits (and scales for a QFloat), got " + arrays.keySet());
        }
        return a;
    }

    private static long[] integers(String file, String key, NpyArray array) throws FileFormatException {
        try {
            return array.toLongArray();
        } catch (ArithmeticException e) {
            throw new FileFormatException(file, -1, "key '" + key + "' must hold integers: "
                    + e.getMessage(), e);
        }
    }

    static String shapeString(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        String s = Arrays.toString(shape);
        return "(" + s.substring(1, s.length() - 1) + ")";
    }

    /**
     * Writes a quantized tensor, compressed, as {@code numpy.savez_compressed} would: {@code values}
     * as {@code <i8} in the tensor's shape, {@code value_bits} as a {@code <i8} scalar,
     * {@code frac_bits} as {@code <i8} of shape {@code ()} (per-tensor) or {@code (C,)} (per-axis)
     * and, for a QFloat, {@code scales} as {@code <f4} of shape {@code ()} or {@code (C,)}. The file
     * is written under a temporary name and moved into place, so a failure leaves no partial file.
     *
     * @param npz the archive to write; replaced if it exists
     * @param t the tensor (not modified)
     * @throws IOException if writing fails
     * @throws NullPointerException if an argument is null
     */
    public static void write(Path npz, QTensor t) throws IOException {
        Objects.requireNonNull(npz, "npz");
        Npz.writeCompressed(npz, toArrays(t));
    }

    /**
     * Returns the arrays {@link #write} stores.
     *
     * @param t the tensor
     * @return the arrays by key, in file order
     */
    static Map<String, NpyArray> toArrays(QTensor t) {
        Objects.requireNonNull(t, "t");
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put(VALUES, NpyArray.ofInt64(t.shape().toArray(), t.copyValues()));
        arrays.put(VALUE_BITS, NpyArray.scalarInt64(t.valueBits()));
        FracBits fb = t.fracBits();
        long[] bits = Arrays.stream(fb.toArray()).asLongStream().toArray();
        arrays.put(FRAC_BITS, fb.isPerAxis()
                ? NpyArray.ofInt64(new int[] {bits.length}, bits)
                : NpyArray.scalarInt64(bits[0]));
        if (t instanceof QFloat) {
            Scales s = ((QFloat) t).scales();
            float[] f = s.toArray();
            arrays.put(SCALES, s.isPerAxis()
                    ? NpyArray.ofFloat32(new int[] {f.length}, f)
                    : NpyArray.scalarFloat32(f[0]));
        }
        return arrays;
    }
}
