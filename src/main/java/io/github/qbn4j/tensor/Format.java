package io.github.qbn4j.tensor;

import io.github.qbn4j.internal.Checks;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The format of a quantized tensor without its values: value bits (quantizeml's {@code value_bits},
 * sign excluded), fractional bits (per-tensor or per-axis) and, for a {@link QFloat}, its scales.
 * A layer's result depends on its input only through the values and this format, so a
 * {@code QuantizedBatchNormalization} compiles one {@code Plan} per format.
 *
 * <p>The text form, {@link #parse} and {@link #toString}, is {@code VB:FB[,FB...][@SCALE[,SCALE...]]}:
 * one FB is per-tensor, several are per-axis (one per channel); likewise the scales of a QFloat.
 * {@code 7:4} is int8 with 4 fractional bits; {@code 7:4@0.05} a QFloat with scale 0.05.
 *
 * <p>Equality compares the representation, as for tensors: per-tensor and per-axis forms differ.
 * Immutable and thread-safe. (This class sits with the tensors it describes.)
 *
 * <pre>{@code
 * Format f = Format.int8(4);                  // 7 value bits, 4 fractional bits, FixedPoint
 * Format g = Format.parse("7:2,3,4");         // per-axis fractional bits for 3 channels
 * Format h = Format.parse("7:4@0.05");        // a QFloat input with scale 0.05
 * Plan plan = bn.compile(f);
 * }</pre>
 */
public final class Format {

    private static final Pattern TEXT = Pattern.compile(
            "(\\d+):(-?\\d+(?:,-?\\d+)*)(?:@([^,]+(?:,[^,]+)*))?");

    private final int valueBits;
    private final FracBits fracBits;
    private final Scales scales;

    private Format(int valueBits, FracBits fracBits, Scales scales) {
        this.valueBits = valueBits;
        this.fracBits = fracBits;
        this.scales = scales;
    }

    /**
     * The format of a {@link FixedPoint}.
     *
     * @param valueBits value bits, 0 to 31
     * @param fracBits per-tensor, or per-axis with one entry per channel
     * @return the format
     * @throws IllegalArgumentException if {@code valueBits} is out of range
     * @throws NullPointerException if {@code fracBits} is null
     */
    public static Format fixedPoint(int valueBits, FracBits fracBits) {
        Checks.inRange("valueBits", valueBits, 0, FixedPoint.MAX_VALUE_BITS);
        return new Format(valueBits, Objects.requireNonNull(fracBits, "fracBits"), null);
    }

    /**
     * The format of a {@link QFloat}.
     *
     * @param valueBits value bits, 0 to 31
     * @param fracBits per-tensor, or per-axis with one entry per channel
     * @param scales per-tensor, or per-axis with one entry per channel
     * @return the format
     * @throws IllegalArgumentException if {@code valueBits} is out of range, or per-axis fractional
     *     bits and scales disagree in length
     * @throws NullPointerException if an argument is null
     */
    public static Format qFloat(int valueBits, FracBits fracBits, Scales scales) {
        Checks.inRange("valueBits", valueBits, 0, FixedPoint.MAX_VALUE_BITS);
        Objects.requireNonNull(fracBits, "fracBits");
        Objects.requireNonNull(scales, "scales");
        if (fracBits.isPerAxis() && scales.isPerAxis() && fracBits.length() != scales.length()) {
            throw new IllegalArgumentException("scales must have one entry per channel (" + fracBits.length()
                    + ", as fracBits), got " + scales.length());
        }
        return new Format(valueBits, fracBits, scales);
    }

    /**
     * An int8 FixedPoint: 7 value bits and per-tensor fractional bits.
     *
     * @param fracBits the fractional bits
     * @return the format {@code 7:fracBits}
     */
    public static Format int8(int fracBits) {
        return new Format(7, FracBits.of(fracBits), null);
    }

    /**
     * An int8 FixedPoint with per-axis fractional bits.
     *
     * @param fracBits one per channel
     * @return the format
     * @throws IllegalArgumentException if {@code fracBits} is empty
     */
    public static Format int8PerAxis(int... fracBits) {
        return new Format(7, FracBits.perAxis(fracBits), null);
    }

    /**
     * Parses {@code VB:FB[,FB...][@SCALE[,SCALE...]]}, e.g. {@code 8:0}, {@code 7:2,4} or
     * {@code 7:4@0.05}: the syntax of the command line's {@code --input-format}.
     *
     * @param text the format
     * @return the format
     * @throws IllegalArgumentException if the text is not of that form, a number does not parse, value
     *     bits are out of range, or a scale is not finite and positive
     * @throws NullPointerException if {@code text} is null
     */
    public static Format parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("format must be VB:FB[,FB...][@SCALE[,SCALE...]], e.g. 8:0, 7:2,4 or "
                    + "7:4@0.05, got \"" + text + "\"");
        }
        int vb;
        int[] fb;
        try {
            vb = Integer.parseInt(m.group(1));
            fb = Arrays.stream(m.group(2).split(",")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("format must have integer VB and FB (VB:FB[,FB...]), got \"" + text
                    + "\"");
        }
        FracBits fracBits = fb.length == 1 ? FracBits.of(fb[0]) : FracBits.perAxis(fb);
        if (m.group(3) == null) {
            return fixedPoint(vb, fracBits);
        }
        String[] parts = m.group(3).split(",");
        float[] s = new float[parts.length];
        for (int i = 0; i < s.length; i++) {
            try {
                s[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                s[i] = Float.NaN;
            }
            if (!(s[i] > 0f) || !Float.isFinite(s[i])) {
                throw new IllegalArgumentException("format's SCALE must be a finite positive number, got \""
                        + parts[i] + "\" (in \"" + text + "\")");
            }
        }
        return qFloat(vb, fracBits, s.length == 1 ? Scales.of(s[0]) : Scales.perAxis(s));
    }

    /**
     * The format of a tensor.
     *
     * @param x a FixedPoint or QFloat
     * @return its value bits, fractional bits and (for a QFloat) scales
     * @throws NullPointerException if {@code x} is null
     */
    public static Format of(QTensor x) {
        Objects.requireNonNull(x, "x");
        return x instanceof QFloat ? new Format(x.valueBits(), x.fracBits(), ((QFloat) x).scales())
                : new Format(x.valueBits(), x.fracBits(), null);
    }

    /**
     * Returns the value bits.
     *
     * @return 0 to 31
     */
    public int valueBits() {
        return valueBits;
    }

    /**
     * Returns the fractional bits.
     *
     * @return per-tensor or per-axis fractional bits
     */
    public FracBits fracBits() {
        return fracBits;
    }

    /**
     * Returns the scales of a QFloat format.
     *
     * @return the scales, or null for a FixedPoint format
     */
    public Scales scales() {
        return scales;
    }

    /**
     * Whether this is the format of a QFloat.
     *
     * @return true if the format has scales
     */
    public boolean isQFloat() {
        return scales != null;
    }

    /**
     * Says whether a tensor has this format.
     *
     * @param x a tensor
     * @return true if its value bits, fractional bits and scales (or their absence) equal this format's
     */
    public boolean matches(QTensor x) {
        Objects.requireNonNull(x, "x");
        if (x.valueBits() != valueBits || !x.fracBits().equals(fracBits)) {
            return false;
        }
        return x instanceof QFloat ? ((QFloat) x).scales().equals(scales) : scales == null;
    }

    /**
     * Describes the format in words, e.g. {@code FixedPoint, 7 value bits, frac bits 4 (per-tensor)}.
     *
     * @return the description
     */
    public String describe() {
        return (scales == null ? "FixedPoint" : "QFloat") + ", " + valueBits + " value bits, frac bits " + fracBits
                + (fracBits.isPerAxis() ? " (per-axis)" : " (per-tensor)")
                + (scales == null ? "" : ", scale " + scales);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Format)) {
            return false;
        }
        Format f = (Format) o;
        return valueBits == f.valueBits && fracBits.equals(f.fracBits) && Objects.equals(scales, f.scales);
    }

    @Override
    public int hashCode() {
        return Objects.hash(valueBits, fracBits, scales);
    }

    /**
     * Returns the text form {@link #parse} reads, e.g. {@code 7:4}, {@code 7:2,3,4} or
     * {@code 7:4@0.05}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(valueBits).append(':');
        int[] fb = fracBits.toArray();
        for (int i = 0; i < fb.length; i++) {
            sb.append(i > 0 ? "," : "").append(fb[i]);
        }
        if (scales != null) {
            float[] s = scales.toArray();
            sb.append('@');
            for (int i = 0; i < s.length; i++) {
                sb.append(i > 0 ? "," : "").append(s[i]);
            }
        }
        return sb.toString();
    }
}
