package io.github.qbn4j.layer;

import io.github.qbn4j.internal.Checks;
import java.util.Arrays;

/**
 * Per-channel counts of the elements whose value a saturation changed, filled in by a
 * {@link Plan#counting(SaturationCounts) counting plan}.
 *
 * <p>An element counts at the <b>buffer</b> when any clip to the buffer's value bits acted on it:
 * after the input shift, after {@code x * a}, after {@code + b}, or after the multiplication by the
 * quantized output scale. It counts at the <b>output</b> when the output quantizer's final clip
 * acted. An element can count at both. Saturation is defined behaviour in quantizeml; these
 * counters only make it visible.
 *
 * <p>Counts accumulate over calls until {@link #reset()}. This class is mutable and <b>not</b>
 * thread-safe: give each thread its own, or use a {@link Plan#parallel parallel} counting plan,
 * which merges per-task counts after the tasks have finished.
 *
 * <pre>{@code
 * SaturationCounts counts = new SaturationCounts(plan.channels());
 * plan.counting(counts).apply(in, 0, out, 0, in.length);
 * long clipped = counts.outputTotal();
 * }</pre>
 */
public final class SaturationCounts {

    final long[] buffer;
    final long[] output;

    /**
     * Creates zeroed counters.
     *
     * @param channels the channel count, at least 1
     * @throws IllegalArgumentException if {@code channels < 1}
     */
    public SaturationCounts(int channels) {
        Checks.inRange("channels", channels, 1, Integer.MAX_VALUE);
        this.buffer = new long[channels];
        this.output = new long[channels];
    }

    /**
     * Returns the channel count.
     *
     * @return the number of counters of each kind
     */
    public int channels() {
        return buffer.length;
    }

    /**
     * Returns how many elements of a channel a buffer saturation changed.
     *
     * @param channel 0 to {@code channels() - 1}
     * @return the count
     * @throws IndexOutOfBoundsException if {@code channel} is out of range
     */
    public long buffer(int channel) {
        return buffer[java.util.Objects.checkIndex(channel, buffer.length)];
    }

    /**
     * Returns how many elements of a channel the output quantizer's saturation changed.
     *
     * @param channel 0 to {@code channels() - 1}
     * @return the count (always 0 without an output quantizer)
     * @throws IndexOutOfBoundsException if {@code channel} is out of range
     */
    public long output(int channel) {
        return output[java.util.Objects.checkIndex(channel, output.length)];
    }

    /**
     * Returns the buffer saturations over all channels.
     *
     * @return the sum
     */
    public long bufferTotal() {
        return Arrays.stream(buffer).sum();
    }

    /**
     * Returns the output saturations over all channels.
     *
     * @return the sum
     */
    public long outputTotal() {
        return Arrays.stream(output).sum();
    }

    /** Sets every counter to zero. */
    public void reset() {
        Arrays.fill(buffer, 0);
        Arrays.fill(output, 0);
    }

    void add(SaturationCounts other) {
        for (int c = 0; c < buffer.length; c++) {
            buffer[c] += other.buffer[c];
            output[c] += other.output[c];
        }
    }

    /** Returns e.g. {@code SaturationCounts[buffer=[0, 3], output=[12, 0]]}. */
    @Override
    public String toString() {
        return "SaturationCounts[buffer=" + Arrays.toString(buffer) + ", output=" + Arrays.toString(output) + "]";
    }
}
