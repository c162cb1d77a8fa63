package io.github.qbn4j.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Fractional bits of a fixed-point tensor: one integer for the whole tensor (per-tensor) or one per
 * channel (per-axis). A value {@code v} with {@code f} fractional bits stands for {@code v * 2^-f};
 * {@code f} may be negative.
 *
 * <p>The two forms are kept apart, as quantizeml keeps a scalar apart from a vector: a per-axis
 * {@code FracBits} of one channel is not equal to the per-tensor one with the same number, although
 * both are per-tensor in quantizeml's sense ({@link #isPerTensor()}). Immutable and thread-safe.
 *
 * <pre>{@code
 * FracBits t = FracBits.of(4);              // per-tensor
 * FracBits a = FracBits.perAxis(2, 4, 3);   // per channel
 * a.max();                                  // 4
 * a.get(2);                                 // 3
 * }</pre>
 */
public final class FracBits {

    private final int[] bits;
    private final boolean perAxis;

    private FracBits(int[] bits, boolean perAxis) {
        this.bits = bits;
        this.perAxis = perAxis;
    }

    /**
     * Per-tensor fractional bits.
     *
     * @param fracBits the fractional bits, any integer
     * @return the per-tensor value
     */
    public static FracBits of(int fracBits) {
        return new FracBits(new int[] {fracBits}, false);
    }

    /**
     * Per-axis fractional bits, one per channel.
     *
     * @param fracBits one entry per channel (copied)
     * @return the per-axis value
     * @throws IllegalArgumentException if {@code fracBits} is empty
     */
    public static FracBits perAxis(int... fracBits) {
        Objects.requireNonNull(fracBits, "fracBits");
        if (fracBits.length == 0) {
            throw new IllegalArgumentException("per-axis fracBits must have at least 1 element, got 0");
        }
        return new FracBits(fracBits.clone(), true);
    }

    /**
     * Converts float fractional bits, as quantizeml computes them, into this form.
     *
     * @param name the argument name for error messages
     * @param fracBits integral floats (not modified)
     * @param perAxis whether the result is per-axis
     * @return the fractional bits
     * @throws IllegalArgumentException if an element is not a finite integer
     */
    static FracBits fromFloats(String name, float[] fracBits, boolean perAxis) {
        int[] bits = new int[fracBits.length];
        for (int i = 0; i < bits.length; i++) {
            float f = fracBits[i];
            if (!Float.isFinite(f) || f != Math.rint(f)) {
                throw new IllegalArgumentException(name + " must be finite integers, got " + f
                        + (perAxis ? " at channel " + i : ""));
            }
            bits[i] = (int) f;
        }
        return new FracBits(bits, perAxis);
    }

    /**
     * Whether this holds one value per channel (the vector form).
     *
     * @return true for the per-axis form
     */
    public boolean isPerAxis() {
        return perAxis;
    }

    /**
     * Whether quantizeml treats these fractional bits as per-tensor: the scalar form, or a vector of
     * one element ({@code FixedPoint.per_tensor}).
     *
     * @return true when one value serves every channel
     */
    public boolean isPerTensor() {
        return bits.length == 1;
    }

    /**
     * Returns the number of stored values: 1 for the per-tensor form, else the channel count.
     *
     * @return the length
     */
    public int length() {
        return bits.length;
    }

    /**
     * Returns the fractional bits of one channel.
     *
     * @param channel the channel; any channel for the per-tensor form
     * @return the fractional bits
     */
    public int get(int channel) {
        return bits.length == 1 ? bits[0] : bits[channel];
    }

    /**
     * Returns the largest value.
     *
     * @return the maximum over channels
     */
    public int max() {
        int m = bits[0];
        for (int b : bits) {
            m = Math.max(m, b);
        }
        return m;
    }

    /**
     * Returns the smallest value.
     *
     * @return the minimum over channels
     */
    public int min() {
        int m = bits[0];
        for (int b : bits) {
            m = Math.min(m, b);
        }
        return m;
    }

    /**
     * Returns the stored values.
     *
     * @return a new array, of length {@link #length()}
     */
    public int[] toArray() {
        return bits.clone();
    }

    /**
     * The form of a result that broadcasts two operands: per-axis if either is.
     *
     * @param other the other operand's fractional bits
     * @return whether the broadcast result is per-axis
     */
    boolean broadcastPerAxis(FracBits other) {
        return perAxis || other.perAxis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FracBits && perAxis == ((FracBits) o).perAxis
                && Arrays.equals(bits, ((FracBits) o).bits);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bits) + (perAxis ? 1 : 0);
    }

    /** Returns {@code 4} for the per-tensor form, {@code [2, 4, 3]} for the per-axis form. */
    @Override
    public String toString() {
        return perAxis ? Arrays.toString(bits) : Integer.toString(bits[0]);
    }
}
