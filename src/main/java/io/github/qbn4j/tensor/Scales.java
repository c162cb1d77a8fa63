package io.github.qbn4j.tensor;

import java.util.Arrays;

/**
 * The float32 scales of a {@link QFloat}: one for the whole tensor or one per channel. Each is
 * finite and strictly positive.
 *
 * <p>As with {@link FracBits}, the per-tensor and per-axis forms are distinct even for one channel:
 * quantizeml treats a QFloat with a one-element scale vector as per-axis. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * Scales s = Scales.of(0.015748031f);
 * Scales c = Scales.perAxis(0.5f, 0.25f);
 * c.get(1);   // 0.25
 * }</pre>
 */
public final class Scales {

    private final float[] scales;
    private final boolean perAxis;

    private Scales(float[] scales, boolean perAxis) {
        this.scales = scales;
        this.perAxis = perAxis;
    }

    /**
     * A per-tensor scale.
     *
     * @param scale finite and {@code > 0}
     * @return the scale
     * @throws IllegalArgumentException if {@code scale} is not finite and positive
     */
    public static Scales of(float scale) {
        return new Scales(check(new float[] {scale}, false), false);
    }

    /**
     * Per-axis scales, one per channel.
     *
     * @param scales finite and {@code > 0}, at least one (copied)
     * @return the scales
     * @throws IllegalArgumentException if empty, or an element is not finite and positive
     */
    public static Scales perAxis(float... scales) {
        if (scales.length == 0) {
            throw new IllegalArgumentException("per-axis scales must have at least 1 element, got 0");
        }
        return new Scales(check(scales.clone(), true), true);
    }

    static Scales of(float[] scales, boolean perAxis) {
        return new Scales(check(scales, perAxis), perAxis);
    }

    private static float[] check(float[] s, boolean perAxis) {
        for (int i = 0; i < s.length; i++) {
            if (!(s[i] > 0f) || !Float.isFinite(s[i]) || s[i] < Float.MIN_NORMAL) {
                throw new IllegalArgumentException("scales must be finite normal floats > 0, got " + s[i]
                        + (perAxis ? " at channel " + i : ""));
            }
        }
        return s;
    }

    /**
     * Whether this holds one scale per channel.
     *
     * @return true for the per-axis form
     */
    public boolean isPerAxis() {
        return perAxis;
    }

    /**
     * Returns the number of stored scales.
     *
     * @return 1 for the per-tensor form, else the channel count
     */
    public int length() {
        return scales.length;
    }

    /**
     * Returns the scale of one channel.
     *
     * @param channel the channel; any channel for the per-tensor form
     * @return the scale
     */
    public float get(int channel) {
        return scales.length == 1 ? scales[0] : scales[channel];
    }

    /**
     * Returns the stored scales.
     *
     * @return a new array of length {@link #length()}
     */
    public float[] toArray() {
        return scales.clone();
    }

    /** Compares bit patterns, so that equal objects print equal. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Scales) || perAxis != ((Scales) o).perAxis) {
            return false;
        }
        float[] other = ((Scales) o).scales;
        if (other.length != scales.length) {
            return false;
        }
        for (int i = 0; i < scales.length; i++) {
            if (Float.floatToIntBits(other[i]) != Float.floatToIntBits(scales[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(scales) + (perAxis ? 1 : 0);
    }

    /** Returns the scale, or the vector of scales. */
    @Override
    public String toString() {
        return perAxis ? Arrays.toString(scales) : Float.toString(scales[0]);
    }
}
