package io.github.qbn4j.internal;

/**
 * One implementation of the per-element chain described in {@link BnConstants}, over
 * channel-last (NHWC) runs of whole pixels. Every implementation must give the same bits as
 * {@link Float32Kernel}, the readable one.
 *
 * <p>Callers have checked every index, length and input value before calling: the kernels do no
 * checks of their own, allocate nothing and throw nothing. {@code count} is a multiple of the
 * channel count and the first element belongs to channel 0. Instances are immutable and
 * thread-safe.
 */
public abstract class BnKernel {

    /** The constants this kernel was built for. */
    protected final BnConstants k;

    /**
     * Creates a kernel.
     *
     * @param k the constants
     */
    protected BnKernel(BnConstants k) {
        this.k = k;
    }

    /**
     * int8 in, int8 out: only for results of at most 7 value bits.
     *
     * @param in input integers
     * @param inOff first input index
     * @param out where results go
     * @param outOff first output index
     * @param count element count, a multiple of the channel count
     */
    public abstract void bytes(byte[] in, int inOff, byte[] out, int outOff, int count);

    /**
     * int in, float32 integers out (exactly quantizeml's storage; any result value bits).
     *
     * @param in input integers
     * @param inOff first input index
     * @param out where results go
     * @param outOff first output index
     * @param count element count, a multiple of the channel count
     */
    public abstract void ints(int[] in, int inOff, float[] out, int outOff, int count);

    /**
     * Returns the constants.
     *
     * @return the constants
     */
    public final BnConstants constants() {
        return k;
    }
}
