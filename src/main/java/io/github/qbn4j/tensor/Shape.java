package io.github.qbn4j.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * The shape of a tensor: rank 0 (a scalar) to 4, channel last, as in Keras ({@code N, H, W, C}).
 *
 * <p>Immutable and thread-safe. Two shapes are equal when their dimensions are.
 *
 * <pre>{@code
 * Shape s = Shape.of(1, 56, 56, 64);
 * s.rank();      // 4
 * s.channels();  // 64
 * s.size();      // 200704
 * }</pre>
 */
public final class Shape {

    /** The largest rank a quantizeml batch-normalization tensor can have. */
    public static final int MAX_RANK = 4;

    private static final Shape SCALAR = new Shape(new int[0], 1);

    private final int[] dims;
    private final int size;

    private Shape(int[] dims, int size) {
        this.dims = dims;
        this.size = size;
    }

    /**
     * Creates a shape.
     *
     * @param dims the dimensions, outermost first; none for a scalar
     * @return the shape
     * @throws IllegalArgumentException if the rank exceeds 4, a dimension is negative, or the
     *     element count exceeds {@link Integer#MAX_VALUE}
     */
    public static Shape of(int... dims) {
        Objects.requireNonNull(dims, "dims");
        if (dims.length > MAX_RANK) {
            throw new IllegalArgumentException(
                    "rank must be in [0, " + MAX_RANK + "], got " + dims.length
                            + " (shape " + Arrays.toString(dims) + ")");
        }
        if (dims.length == 0) {
            return SCALAR;
        }
        long size = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "dimensions must be >= 0, got " + Arrays.toString(dims));
            }
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("element count must be <= " + Integer.MAX_VALUE
                        + ", got more for shape " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone(), (int) size);
    }

    /**
     * The scalar shape {@code ()}.
     *
     * @return the rank-0 shape
     */
    public static Shape scalar() {
        return SCALAR;
    }

    /**
     * Returns the rank.
     *
     * @return the number of dimensions, 0 to 4
     */
    public int rank() {
        return dims.length;
    }

    /**
     * Returns one dimension.
     *
     * @param axis 0 to {@code rank() - 1}
     * @return the dimension
     * @throws IndexOutOfBoundsException if {@code axis} is out of range
     */
    public int dim(int axis) {
        return dims[java.util.Objects.checkIndex(axis, dims.length)];
    }

    /**
     * Returns the channel count: the last dimension, or 1 for a scalar.
     *
     * @return the number of channels
     */
    public int channels() {
        return dims.length == 0 ? 1 : dims[dims.length - 1];
    }

    /**
     * Returns the number of elements.
     *
     * @return the product of the dimensions
     */
    public int size() {
        return size;
    }

    /**
     * Returns the dimensions.
     *
     * @return a new array
     */
    public int[] toArray() {
        return dims.clone();
    }

    /**
     * Renders an element index as coordinates, e.g. {@code (0, 3, 5, 7)}.
     *
     * @param index a flat C-order index
     * @return the coordinates
     */
    public String coordinates(int index) {
        if (dims.length == 0) {
            return "()";
        }
        int[] c = new int[dims.length];
        int rest = index;
        for (int a = dims.length - 1; a >= 0; a--) {
            c[a] = dims[a] == 0 ? 0 : rest % dims[a];
            rest = dims[a] == 0 ? 0 : rest / dims[a];
        }
        StringBuilder sb = new StringBuilder("(");
        for (int a = 0; a < c.length; a++) {
            sb.append(a == 0 ? "" : ", ").append(c[a]);
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Returns the dimensions, e.g. {@code [1, 4, 4, 8]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
