package io.github.qbn4j.tensor;

/**
 * A quantized tensor, as exchanged between quantizeml layers: a {@link FixedPoint} (integers with
 * fractional bits) or a {@link QFloat} (a FixedPoint times float scales).
 *
 * <p>Implementations are immutable and thread-safe. Values are laid out in C order, channel last.
 *
 * <pre>{@code
 * QTensor x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));
 * x.toFloat();        // [2.5, -5.0]
 * x.isPerTensor();    // true
 * }</pre>
 */
public sealed interface QTensor permits FixedPoint, QFloat {

    /**
     * Returns the shape.
     *
     * @return the shape, channel last
     */
    Shape shape();

    /**
     * Returns the value bits: magnitude bits, sign excluded.
     *
     * @return the value bits, 0 to 31
     */
    int valueBits();

    /**
     * Returns the fractional bits of the integer payload.
     *
     * @return per-tensor or per-axis fractional bits
     */
    FracBits fracBits();

    /**
     * Returns the integer payload: this tensor, or a QFloat's inner FixedPoint.
     *
     * @return the fixed-point part
     */
    FixedPoint fixedPoint();

    /**
     * Whether one fractional-bit count (and, for a QFloat, one scale) serves every channel, as
     * quantizeml's {@code per_tensor} property says.
     *
     * @return true for a per-tensor tensor
     */
    boolean isPerTensor();

    /**
     * Returns one integer value.
     *
     * @param index a flat C-order index
     * @return the integer at that index
     * @throws IndexOutOfBoundsException if out of range
     */
    long valueAt(int index);

    /**
     * Returns the integer values.
     *
     * @return a new array in C order
     */
    long[] copyValues();

    /**
     * Returns the integer values as {@code int}s.
     *
     * @return a new array in C order
     * @throws IllegalStateException if a value is {@code +2^31} (possible only with 31 value bits,
     *     where quantizeml clips at {@code float32(2^31 - 1)}): use {@link #copyValues()}
     */
    int[] copyValuesAsInt();

    /**
     * Returns the format: value bits, fractional bits and, for a QFloat, scales.
     *
     * @return the format
     */
    default Format format() {
        return Format.of(this);
    }

    /**
     * Dequantizes as quantizeml's {@code to_float()}: {@code values / 2^fracBits} (times the scales
     * for a QFloat), in float32.
     *
     * @return a new array in C order
     */
    float[] toFloat();
}
