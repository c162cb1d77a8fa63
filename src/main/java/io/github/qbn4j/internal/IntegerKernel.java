package io.github.qbn4j.internal;

/**
 * The integer fast path {@code out = clip_o((x * A[c] + C[c]) >> K[c])}, valid only when
 * {@link BnConstants#integerExact()} holds: the bound and its proof are in {@link BnConstants#of}.
 */
public final class IntegerKernel extends BnKernel {

    /**
     * Creates the kernel.
     *
     * @param k constants whose integer path is proven exact
     * @throws IllegalArgumentException if it is not
     */
    public IntegerKernel(BnConstants k) {
        super(k);
        if (!k.integerExact()) {
            throw new IllegalArgumentException("the integer fast path must be proven exact, got: "
                    + k.integerVerdict());
        }
    }

    @Override
    public void bytes(byte[] in, int inOff, byte[] out, int outOff, int count) {
        int channels = k.channels;
        int[] a = k.iA;
        int[] b = k.iC;
        int[] shift = k.iK;
        int lo = k.iLo;
        int hi = k.iHi;
        for (int pixel = 0; pixel < count; pixel += channels) {
            int i = inOff + pixel;
            int o = outOff + pixel;
            for (int c = 0; c < channels; c++) {
                int y = (in[i + c] * a[c] + b[c]) >> shift[c];
                // conditional moves; Math.min/max chains compile to slower code here on JDK 17
                y = y < lo ? lo : y;
                out[o + c] = (byte) (y > hi ? hi : y);
            }
        }
    }

    @Override
    public void ints(int[] in, int inOff, float[] out, int outOff, int count) {
        int channels = k.channels;
        int[] a = k.iA;
        int[] b = k.iC;
        int[] shift = k.iK;
        int lo = k.iLo;
        int hi = k.iHi;
        for (int pixel = 0; pixel < count; pixel += channels) {
            int i = inOff + pixel;
            int o = outOff + pixel;
            for (int c = 0; c < channels; c++) {
                int y = (in[i + c] * a[c] + b[c]) >> shift[c];
                y = y < lo ? lo : y;
                out[o + c] = y > hi ? hi : y;
            }
        }
    }
}
