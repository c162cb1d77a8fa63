package io.github.qbn4j.cli;

import io.github.qbn4j.layer.Folding;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.QFloat;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints a layer and what it folds to for one input format: the float and quantized {@code a} and
 * {@code b}, the Akida-style integer parameters, and the quantization error of {@code a} and
 * {@code b} (shared by {@code inspect} and the built-in demo).
 */
final class FoldingReport {

    /** Vectors longer than this are cut in the header lines (the table shows every channel). */
    static final int MAX_VECTOR = 8;

    private FoldingReport() {
    }

    /** The layer's configuration: name, class, origin, epsilon, quant_config, output quantizer. */
    static void printLayer(PrintStream out, String name, String className, String origin,
            QuantizedBatchNormalization layer, String configOrigin) {
        out.println("Layer \"" + Text.escape(name) + "\" (" + className + ", " + origin + "): " + layer.channels()
                + " channels, epsilon " + layer.epsilon());
        out.println("  quant_config " + QuantConfigFile.toJson(layer.quantConfig())
                + (configOrigin == null ? "" : " (" + configOrigin + ")"));
        OutputQuantizer oq = layer.outputQuantizer();
        if (oq == null) {
            out.println("  output quantizer: none (the output is the buffer, a QFloat)");
        } else {
            int c = layer.channels();
            out.println("  output quantizer: " + oq.bitwidth() + " bits " + (oq.signed() ? "signed" : "unsigned") + ", "
                    + oq.axis().configName() + ", scale_bits " + oq.scaleBits() + "; range_max "
                    + floats(oq.rangeMax(c)) + (oq.isCalibrationRequired() ? " (not calibrated)" : "")
                    + ", rescaling_rate " + floats(oq.rescalingRate(c)));
        }
    }

    /** The folded parameters, one row per channel, and the quantization error of a and b. */
    static void printFolding(PrintStream out, QuantizedBatchNormalization layer, Folding f) {
        int channels = layer.channels();
        QFloat a = f.a();
        QFloat b = f.bUnaligned();
        int[] inShift = f.inputShift();
        int[] bShift = f.bShift();
        int[] outShift = f.outputShift();
        FixedPoint qs = f.quantizedOutputScales();
        out.println("Folded: y = a * x + b in a " + layer.quantConfig().bufferBitwidth() + "-bit buffer (Akida buffer_bits "
                + (layer.quantConfig().bufferBitwidth() + 1) + ")" + (f.hasOutputQuantizer() ? ", then requantized" : ""));
        out.println("  a = a_q * scale, scale " + a.scales() + "; buffer frac bits F = " + f.bufferFracBits()
                + ", buffer scale S = " + f.bufferScales());
        out.println("  b = b_q * 2^-fb_b * S, shifted left by b_shift = F - fb_b onto the buffer");
        if (f.hasOutputQuantizer()) {
            out.println("  output: q_s with frac bits " + qs.fracBits() + " (scale_bits " + qs.valueBits()
                    + "), output frac bits " + f.outputFracBits() + ", out_shift = fb_out - (F + fb_qs)");
        }
        out.println(String.format(Locale.ROOT, "  %4s %13s %5s %13s %13s %5s %5s %13s %8s %7s %5s %9s", "ch", "a float",
                "a_q", "a_q*scale", "b float", "b_q", "fb_b", "b_q*2^-fb*S", "in_shift", "b_shift", "q_s",
                "out_shift"));
        float[] aFloat = f.aFloat();
        float[] bFloat = f.bFloat();
        float[] aQ = a.toFloat();
        float[] bQ = b.toFloat();
        double aMax = 0;
        double aSum = 0;
        double bMax = 0;
        double bSum = 0;
        for (int c = 0; c < channels; c++) {
            double aErr = Math.abs((double) aQ[c] - aFloat[c]);
            double bErr = Math.abs((double) bQ[c] - bFloat[c]);
            aMax = Math.max(aMax, aErr);
            bMax = Math.max(bMax, bErr);
            aSum += aErr;
            bSum += bErr;
            String qsText = qs == null ? "-" : Long.toString(qs.valueAt(qs.shape().rank() == 0 ? 0 : c));
            String outText = outShift == null ? "-" : Integer.toString(outShift[c]);
            out.println(String.format(Locale.ROOT, "  %4d %13s %5d %13s %13s %5d %5d %13s %8d %7d %5s %9s", c,
                    g(aFloat[c]), a.valueAt(c), g(aQ[c]), g(bFloat[c]), b.valueAt(c), b.fracBits().get(c), g(bQ[c]),
                    inShift[c], bShift[c], qsText, outText));
        }
        out.println("Quantization error |quantized - float| over the " + channels + " channels:");
        out.println(String.format(Locale.ROOT, "  a: max %.3e, mean %.3e   (a_q * scale vs gamma * rsqrt(var + eps))",
                aMax, aSum / channels));
        out.println(String.format(Locale.ROOT, "  b: max %.3e, mean %.3e   (b_q * 2^-fb_b * S vs beta - mean * a)",
                bMax, bSum / channels));
    }

    /** A float with up to 7 significant digits. */
    static String g(float v) {
        return String.format(Locale.ROOT, "%.7g", v).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replaceFirst("\\.(e|$)",
                "$1");
    }

    /** A vector, cut after {@link #MAX_VECTOR} elements. */
    static String floats(float[] v) {
        StringBuilder s = new StringBuilder("[");
        int n = Math.min(v.length, MAX_VECTOR);
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append(v[i]);
        }
        if (v.length > n) {
            s.append(", ... (").append(v.length).append(" values)");
        }
        return s.append(']').toString();
    }
}
