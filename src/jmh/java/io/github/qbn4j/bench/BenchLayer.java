package io.github.qbn4j.bench;

import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FracBits;

/**
 * The benchmark layer and inputs, defined by closed formulas that src/jmh/python/time_quantizeml.py
 * evaluates identically (every constant is a short binary fraction, exact in float32), so that
 * quantizeml runs the very same layer on the very same bytes.
 */
final class BenchLayer {

    private BenchLayer() {
    }

    /** Parses {@code "8x112x112x64"}; {@code "dram"} is 4x256x1024x256 = 268,435,456 int8 elements. */
    static int[] dims(String shape) {
        String s = "dram".equals(shape) ? "4x256x1024x256" : shape;
        String[] parts = s.split("x");
        int[] d = new int[parts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Integer.parseInt(parts[i]);
        }
        return d;
    }

    static QuantizedBatchNormalization layer(int channels, boolean outputQuantizer) {
        float[] gamma = new float[channels];
        float[] beta = new float[channels];
        float[] mean = new float[channels];
        float[] var = new float[channels];
        float[] range = new float[channels];
        for (int c = 0; c < channels; c++) {
            gamma[c] = (float) (0.5 + 0.25 * (c % 7));
            beta[c] = (float) (0.125 * ((c * 37) % 17 - 8));
            mean[c] = (float) (0.0625 * ((c * 11) % 13 - 6));
            var[c] = (float) (0.25 + 0.5 * (c % 5));
            range[c] = (float) (8 + 4 * (c % 4));
        }
        QuantizedBatchNormalization.Builder b = QuantizedBatchNormalization.builder().name("bench").gamma(gamma)
                .beta(beta).movingMean(mean).movingVariance(var);
        if (outputQuantizer) {
            b.quantConfig(QuantConfig.defaults().withOutputQuantizer(
                    OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_AXIS, 8))).rangeMax(range);
        }
        return b.build();
    }

    /** int8 inputs with 4 fractional bits (per-tensor), or 3 + (c mod 3) (per-axis). */
    static FracBits inputFracBits(int channels, boolean perAxis) {
        if (!perAxis) {
            return FracBits.of(4);
        }
        int[] fb = new int[channels];
        for (int c = 0; c < channels; c++) {
            fb[c] = 3 + c % 3;
        }
        return FracBits.perAxis(fb);
    }

    /** x[i] = ((i * 1103515245 + 12345) >> 16) mod 256 - 128. */
    static void fillInput(byte[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) ((((i * 1103515245L + 12345L) >>> 16) & 0xFF) - 128);
        }
    }
}
