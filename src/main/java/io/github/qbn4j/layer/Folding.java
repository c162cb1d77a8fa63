package io.github.qbn4j.layer;

import io.github.qbn4j.Reference;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;

/**
 * What a {@link QuantizedBatchNormalization} computes for one input format before it touches any
 * value: the folded and quantized {@code a} and {@code b}, their frac bits and shifts, and the
 * output quantizer's constants. quantizeml recomputes these on every call; they depend only on the
 * layer's parameters and the input's value bits, fractional bits and scales.
 *
 * <p>With {@code F} the buffer's fractional bits and {@code S} its scale, the layer computes per
 * element of channel {@code c}: {@code acc = sat(sat(x << inputShift[c]) * a[c]) + bAligned[c]},
 * saturated to the buffer, then (with an output quantizer) {@code out = sat(floor(float32(float32(acc *
 * qScale[c]) * 2^outShift[c]) + 0.5))}. Immutable and thread-safe; arrays are copied out.
 */
public final class Folding {

    private final Reference reference;
    private final float[] sigmaRec;
    private final float[] aFloat;
    private final float[] bFloat;
    private final QFloat a;
    private final FixedPoint conditionedFormat;
    private final int[] inputShift;
    private final QFloat bUnaligned;
    private final QFloat bAligned;
    private final Scales bufferScales;
    private final Scales outputScales;
    private final FixedPoint quantizedOutputScales;
    private final FracBits outputFracBits;

    Folding(Reference reference, float[] sigmaRec, float[] aFloat, float[] bFloat, QFloat a, FixedPoint conditionedFormat,
            int[] inputShift, QFloat bUnaligned, QFloat bAligned, Scales bufferScales, Scales outputScales,
            FixedPoint quantizedOutputScales, FracBits outputFracBits) {
        this.reference = reference;
        this.sigmaRec = sigmaRec;
        this.aFloat = aFloat;
        this.bFloat = bFloat;
        this.a = a;
        this.conditionedFormat = conditionedFormat;
        this.inputShift = inputShift;
        this.bUnaligned = bUnaligned;
        this.bAligned = bAligned;
        this.bufferScales = bufferScales;
        this.outputScales = outputScales;
        this.quantizedOutputScales = quantizedOutputScales;
        this.outputFracBits = outputFracBits;
    }

    /**
     * Returns the reference profile this folding reproduces.
     *
     * @return the profile
     */
    public Reference reference() {
        return reference;
    }

    /**
     * Returns {@code rsqrt(moving_variance + epsilon)} as TensorFlow rounds it under the profile.
     *
     * @return a new array, one per channel
     */
    public float[] sigmaRec() {
        return sigmaRec.clone();
    }

    /**
     * Returns the float {@code a = gamma * sigmaRec}.
     *
     * @return a new array, one per channel
     */
    public float[] aFloat() {
        return aFloat.clone();
    }

    /**
     * Returns the float {@code b = -moving_mean * gamma * sigmaRec + beta}.
     *
     * @return a new array, one per channel
     */
    public float[] bFloat() {
        return bFloat.clone();
    }

    /**
     * Returns the quantized {@code a}: integers with 0 fractional bits and one scale.
     *
     * @return the QFloat of shape {@code (C)}
     */
    public QFloat a() {
        return a;
    }

    /**
     * Returns the value bits and fractional bits of the input once promoted or expanded to the
     * buffer; its values are zeros.
     *
     * @return a zero tensor of shape {@code (1, 1, C)} carrying the format
     */
    public FixedPoint conditionedFormat() {
        return conditionedFormat;
    }

    /**
     * Returns the left shift that aligns each input channel on the buffer's fractional bits (the
     * {@code input_shift} quantizeml records; zeros for a per-tensor input).
     *
     * @return a new array, one per channel
     */
    public int[] inputShift() {
        return inputShift.clone();
    }

    /**
     * Returns the buffer's fractional bits {@code F}.
     *
     * @return the fractional bits of {@code a * x} and of the sum
     */
    public FracBits bufferFracBits() {
        return bAligned.fracBits();
    }

    /**
     * Returns the buffer's scale {@code S} (input scale times {@code a}'s scale).
     *
     * @return the scale of {@code a * x} and of the sum
     */
    public Scales bufferScales() {
        return bufferScales;
    }

    /**
     * Returns {@code b} quantized with its own fractional bits, before alignment (Akida's {@code b}).
     *
     * @return the QFloat of shape {@code (C)}
     */
    public QFloat bUnaligned() {
        return bUnaligned;
    }

    /**
     * Returns {@code b} aligned on the buffer: fractional bits {@code F}, the buffer's value bits.
     *
     * @return the QFloat of shape {@code (C)}
     */
    public QFloat bAligned() {
        return bAligned;
    }

    /**
     * Returns the left shift that aligned {@code b}: {@code F - fb_b} per channel.
     *
     * @return a new array, one per channel
     */
    public int[] bShift() {
        int channels = bAligned.shape().channels();
        int[] shift = new int[channels];
        for (int c = 0; c < channels; c++) {
            shift[c] = bAligned.fracBits().get(c) - bUnaligned.fracBits().get(c);
        }
        return shift;
    }

    /**
     * Whether the layer has an output quantizer.
     *
     * @return true if the output-quantizer accessors are meaningful
     */
    public boolean hasOutputQuantizer() {
        return outputFracBits != null;
    }

    /**
     * Returns the buffer scale times {@code rescaling_rate}, before quantization.
     *
     * @return the scales, or null without an output quantizer
     */
    public Scales outputScales() {
        return outputScales;
    }

    /**
     * Returns the quantized output scales ({@code scale_bits} integers with their fractional bits).
     *
     * @return a FixedPoint of shape {@code ()} or {@code (C)}, or null without an output quantizer
     */
    public FixedPoint quantizedOutputScales() {
        return quantizedOutputScales;
    }

    /**
     * Returns the output fractional bits chosen from {@code range_max}.
     *
     * @return the fractional bits, or null without an output quantizer
     */
    public FracBits outputFracBits() {
        return outputFracBits;
    }

    /**
     * Returns the output shift {@code fb_out - (F + fb_scale)} per channel (negative: a rounded right
     * shift).
     *
     * @return a new array, or null without an output quantizer
     */
    public int[] outputShift() {
        if (outputFracBits == null) {
            return null;
        }
        int channels = bAligned.shape().channels();
        int[] shift = new int[channels];
        for (int c = 0; c < channels; c++) {
            shift[c] = outputFracBits.get(c) - bufferFracBits().get(c) - quantizedOutputScales.fracBits().get(c);
        }
        return shift;
    }
}
