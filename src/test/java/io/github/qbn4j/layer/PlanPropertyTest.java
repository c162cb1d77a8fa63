package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.Seeds;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random layers, formats and inputs: every kernel of a plan, and {@link QuantizedBatchNormalization#call}
 * (which runs cached plans), must give the bits of the step-by-step path
 * ({@link QuantizedBatchNormalization#callUncompiled}), for every channel count 1 to 70 and every tail length of the vector kernels.
 */
@ExtendWith(Seeds.class)
class PlanPropertyTest {

    /** Pixel counts 1..17 give every remainder modulo 16 lanes (or fewer) for odd channel counts. */
    private static final int MAX_PIXELS = 17;

    private int compiled;
    private int refused;
    private int floatOnly;
    private int integerProven;
    private long saturatedOutputs;
    private long saturatedBuffers;

    @Test
    void everyKernelMatchesTheReferencePathForChannelCounts1To70() {
        Seeds.run("channels-1-70", r -> {
            for (int channels = 1; channels <= 70; channels++) {
                for (int config = 0; config < 4; config++) {
                    checkRandomConfig(r, channels, config, "C=" + channels + " config " + config);
                }
            }
        });
        // the generator must reach the interesting regions
        assertThat(compiled).isGreaterThan(150);
        assertThat(refused).isGreaterThan(0);
        assertThat(floatOnly).as("plans whose integer bound fails (float32 path)").isGreaterThan(20);
        assertThat(integerProven).as("plans on the integer path").isGreaterThan(20);
        assertThat(saturatedBuffers).as("buffer saturations seen").isGreaterThan(0);
        assertThat(saturatedOutputs).as("output saturations seen").isGreaterThan(0);
    }

    @Test
    void everyKernelMatchesTheReferencePathOnLargeMagnitudes() {
        Seeds.run("large-magnitudes", r -> {
            for (int i = 0; i < 60; i++) {
                int channels = 1 + r.nextInt(40);
                checkRandomConfig(r, channels, 2, "large " + i);
            }
        });
        assertThat(floatOnly).isGreaterThan(10);
    }

    private void checkRandomConfig(SplittableRandom r, int channels, int config, String name) {
        // config 0: int8-like inputs, 32-bit buffer; 1: narrow buffers (saturation);
        // 2: wide inputs (float32 rounding past 2^24); 3: anything
        int bufferBitwidth = config == 1 ? 8 + r.nextInt(12) : config == 3 ? 8 + r.nextInt(25) : 32;
        int bufferBits = bufferBitwidth - 1;
        int inputBits = config == 0 ? 7 : config == 2 ? 16 + r.nextInt(bufferBits - 15)
                : 1 + r.nextInt(Math.min(bufferBits, 24));
        QuantizedBatchNormalization bn = randomLayer(r, channels, bufferBitwidth);
        boolean perAxis = r.nextInt(3) == 0;
        boolean qfloat = !perAxis && r.nextInt(4) == 0;
        FracBits fb;
        if (perAxis) {
            int[] bits = new int[channels];
            int base = r.nextInt(-2, 6);
            for (int c = 0; c < channels; c++) {
                bits[c] = base + r.nextInt(0, config == 2 ? 8 : 4);
            }
            fb = FracBits.perAxis(bits);
        } else {
            fb = FracBits.of(r.nextInt(-3, 9));
        }
        Scales scales = qfloat ? Scales.of((float) Math.exp(r.nextDouble(-6, 1))) : null;
        String what = name + ": " + bn + ", input vb " + inputBits + " fb " + fb + " scales " + scales;

        Shape probe = Shape.of(1, 1, channels);
        QTensor probeX = tensor(probe, new long[channels], inputBits, fb, scales);
        Plan plan;
        try {
            bn.callUncompiled(probeX);
        } catch (QuantizationException e) {
            refused++;
            assertThatThrownBy(() -> bn.compile(inputBits, fb, scales)).as(what)
                    .isInstanceOf(QuantizationException.class).hasMessage(e.getMessage());
            assertThatThrownBy(() -> bn.call(probeX)).as(what + ", call").isInstanceOf(QuantizationException.class)
                    .hasMessage(e.getMessage());
            return;
        }
        plan = bn.compile(inputBits, fb, scales);
        compiled++;
        if (plan.integerKernelProven()) {
            integerProven++;
        } else {
            floatOnly++;
        }
        List<Plan> kernels = new ArrayList<>();
        for (Plan.Kernel k : Plan.Kernel.values()) {
            if ((!k.isInteger() || plan.integerKernelProven()) && (!k.isVector() || Plan.vectorKernelsAvailable())) {
                kernels.add(plan.withKernel(k));
            }
        }
        SaturationCounts counts = new SaturationCounts(channels);
        Plan counting = plan.counting(counts);
        for (int pixels = 1; pixels <= MAX_PIXELS; pixels++) {
            Shape shape = pixels % 2 == 0 ? Shape.of(1, 1, pixels, channels) : Shape.of(pixels, 1, channels);
            long[] values = randomValues(r, shape.size(), inputBits);
            if (inputBits == 31 && r.nextBoolean()) {
                // +2^31 (float32(2^31 - 1)) is a valid 31-bit value that no int holds: only the
                // tensor path can take it, so half of these inputs stay within int for the buffers
                for (int i = 0; i < values.length; i++) {
                    values[i] = Math.min(values[i], Integer.MAX_VALUE - 127);
                }
            }
            boolean fitsInt = true;
            for (long v : values) {
                fitsInt &= v <= Integer.MAX_VALUE;
            }
            QTensor x = tensor(shape, values, inputBits, fb, scales);
            QTensor expected = bn.callUncompiled(x);
            long[] want = expected.copyValues();
            String ctx = what + ", pixels " + pixels;
            assertThat(plan.apply(x)).as(ctx).isEqualTo(expected);
            assertThat(bn.call(x)).as(ctx + ", call (cached plan)").isEqualTo(expected);
            if (inputBits <= 7) {
                // the same values stored as int8 (the fast path of call and Plan.apply)
                byte[] bytes = new byte[values.length];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) values[i];
                }
                FixedPoint fp = FixedPoint.of(shape, bytes, inputBits, fb);
                QTensor xb = scales == null ? fp : QFloat.of(fp, scales);
                assertThat(bn.call(xb)).as(ctx + ", call on int8 storage").isEqualTo(expected);
            }
            if (!fitsInt) {
                continue;
            }
            int[] in = new int[values.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = (int) values[i];
            }
            for (Plan p : kernels) {
                long[] got = new long[want.length + 3];
                p.apply(in, 0, got, 3, in.length);
                assertSameValues(shape, want, got, 3, ctx + ", kernel " + p.kernel());
                if (inputBits <= 7 && plan.resultValueBits() <= 7) {
                    byte[] inBytes = new byte[in.length + 5];
                    byte[] outBytes = new byte[in.length + 1];
                    for (int i = 0; i < in.length; i++) {
                        inBytes[5 + i] = (byte) in[i];
                    }
                    p.apply(inBytes, 5, outBytes, 1, in.length);
                    long[] widened = new long[outBytes.length];
                    for (int i = 0; i < outBytes.length; i++) {
                        widened[i] = outBytes[i];
                    }
                    assertSameValues(shape, want, widened, 1, ctx + ", int8 kernel " + p.kernel());
                }
            }
            long[] counted = new long[want.length];
            counting.apply(in, 0, counted, 0, in.length);
            assertSameValues(shape, want, counted, 0, ctx + ", counting");
        }
        saturatedBuffers += counts.bufferTotal();
        saturatedOutputs += counts.outputTotal();
    }

    static void assertSameValues(Shape shape, long[] want, long[] got, int offset, String ctx) {
        int differ = 0;
        int first = -1;
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[offset + i]) {
                differ++;
                first = first < 0 ? i : first;
            }
        }
        if (differ > 0) {
            throw new AssertionError(ctx + ": " + differ + " of " + want.length + " values differ, first at "
                    + shape.coordinates(first) + ": got " + got[offset + first] + ", expected " + want[first]);
        }
    }

    static QTensor tensor(Shape shape, long[] values, int vb, FracBits fb, Scales scales) {
        FixedPoint fp = FixedPoint.of(shape, values, vb, fb);
        return scales == null ? fp : QFloat.of(fp, scales);
    }

    /** Uniform values, with the range limits, zero and ±1 mixed in; all float32 integers. */
    static long[] randomValues(SplittableRandom r, int n, int vb) {
        long lo = -(1L << vb);
        long hi = (long) F32.upperBound(vb);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(8)) {
                case 0:
                    v[i] = lo;
                    break;
                case 1:
                    v[i] = hi;
                    break;
                case 2:
                    v[i] = r.nextInt(-1, 2);
                    break;
                default:
                    v[i] = r.nextLong(lo, hi + 1);
                    break;
            }
            v[i] = (long) (float) v[i]; // a float32 integer, still in range
        }
        return v;
    }

    static QuantizedBatchNormalization randomLayer(SplittableRandom r, int channels, int bufferBitwidth) {
        float[] gamma = new float[channels];
        float[] beta = new float[channels];
        float[] mean = new float[channels];
        float[] var = new float[channels];
        float spread = (float) Math.exp(r.nextDouble(-2, 4));
        for (int c = 0; c < channels; c++) {
            gamma[c] = (float) ((r.nextBoolean() ? 1 : -1) * Math.exp(r.nextDouble(-3, 2)));
            beta[c] = (float) (r.nextDouble(-1, 1) * spread);
            mean[c] = (float) (r.nextDouble(-1, 1) * spread);
            var[c] = (float) Math.exp(r.nextDouble(-5, 3));
        }
        QuantConfig config = QuantConfig.defaults().withBufferBitwidth(bufferBitwidth);
        QuantizedBatchNormalization.Builder b = QuantizedBatchNormalization.builder().gamma(gamma).beta(beta)
                .movingMean(mean).movingVariance(var);
        int oq = r.nextInt(3);
        if (oq > 0) {
            int maxBits = Math.min(bufferBitwidth - 1, 17);
            int bits = r.nextInt(4) == 0 ? 2 + r.nextInt(maxBits - 1) : Math.min(8, maxBits);
            boolean signed = r.nextInt(5) != 0;
            Axis axis = oq == 1 ? Axis.PER_TENSOR : Axis.PER_AXIS;
            config = config.withOutputQuantizer(OutputQuantizer.of(bits, signed || bits < 2, axis, 8));
            int n = oq == 1 ? 1 : channels;
            float[] range = new float[n];
            float[] rate = new float[n];
            for (int i = 0; i < n; i++) {
                range[i] = (float) Math.exp(r.nextDouble(-3, 6));
                rate[i] = r.nextInt(3) == 0 ? (float) Math.exp(r.nextDouble(-1, 1)) : 1f;
            }
            b.rangeMax(range).rescalingRate(rate);
        }
        return b.quantConfig(config).build();
    }
}
