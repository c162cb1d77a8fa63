package io.github.qbn4j.cli;

import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.Scales;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The format of a layer's input, {@code VB:FB[,FB...][@SCALE]}: value bits (quantizeml's
 * {@code value_bits}, sign excluded), fractional bits (one: per-tensor; one per channel:
 * per-axis), and for a QFloat input its per-tensor scale. {@code 8:0} is an 8-value-bit FixedPoint
 * with 0 fractional bits; {@code 7:4@0.05} a QFloat with scale 0.05.
 */
final class InputFormat {

    static final String DEFAULT = "8:0";

    private static final Pattern FORMAT = Pattern.compile("(\\d+):(-?\\d+(?:,-?\\d+)*)(?:@(.+))?");

    final int valueBits;
    final FracBits fracBits;
    final Scales scales;
    final String text;

    private InputFormat(int valueBits, FracBits fracBits, Scales scales, String text) {
        this.valueBits = valueBits;
        this.fracBits = fracBits;
        this.scales = scales;
        this.text = text;
    }

    static InputFormat parse(String option, String text) throws CliException {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw CliException.usage("option " + option + " must be VB:FB[,FB...][@SCALE], e.g. 8:0, 7:2,4 or 7:4@0.05, "
                    + "got \"" + text + "\"");
        }
        try {
            int vb = Integer.parseInt(m.group(1));
            int[] fb = Arrays.stream(m.group(2).split(",")).mapToInt(Integer::parseInt).toArray();
            Scales scales = null;
            if (m.group(3) != null) {
                float s = Float.parseFloat(m.group(3));
                if (!(s > 0f) || !Float.isFinite(s)) {
                    throw CliException.usage("option " + option + ": SCALE must be a positive number, got \""
                            + m.group(3) + "\"");
                }
                scales = Scales.of(s);
            }
            return new InputFormat(vb, fb.length == 1 ? FracBits.of(fb[0]) : FracBits.perAxis(fb), scales, text.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage("option " + option + " must be VB:FB[,FB...][@SCALE] with integers VB and FB, got \""
                    + text + "\"");
        }
    }

    /** E.g. {@code FixedPoint, 8 value bits, frac bits 0 (per-tensor)}. */
    String describe() {
        return (scales == null ? "FixedPoint" : "QFloat") + ", " + valueBits + " value bits, frac bits " + fracBits
                + (fracBits.isPerAxis() ? " (per-axis)" : " (per-tensor)")
                + (scales == null ? "" : ", scale " + scales);
    }
}
