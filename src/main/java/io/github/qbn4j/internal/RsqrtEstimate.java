package io.github.qbn4j.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One CPU's {@code VRSQRTPS} estimate of {@code 1/sqrt(x)}, as a step function measured over the two
 * binades {@code [1, 2)} and {@code [2, 4)}.
 *
 * <p>The table format is the output of {@code dump_rsqrtps.c} (documented in {@code docs/cpus.md}):
 * {@code #} comment lines, then one line per run, {@code parity mantissa_start output_bits}, where the
 * input is {@code (1 + mantissa / 2^23) * 2^parity} and {@code output_bits} are the float32 bits of the
 * estimate (eight hex digits) for every mantissa from {@code mantissa_start} up to the next line's
 * start (the last run ends at {@code 2^23}). Every other positive normal float follows by scale
 * invariance, {@code rsqrtps(x * 4^m) = rsqrtps(x) * 2^-m}, which the measuring program checks on every
 * positive normal float of the CPU it runs on.
 *
 * <p>Immutable and thread-safe; equality compares the runs (two CPUs with the same estimate are equal
 * tables whatever their names).
 */
public final class RsqrtEstimate {

    /** Runs a table may hold per binade: Intel has 1,024, AMD Zen 3/4 at most 2,387. */
    public static final int MAX_RUNS_PER_BINADE = 1 << 20;

    private static final int MANTISSAS = 1 << 23;

    /** Run starts per parity, strictly increasing from 0. */
    private final int[][] starts;
    /** Output float bits per run. */
    private final int[][] bits;

    private RsqrtEstimate(int[][] starts, int[][] bits) {
        this.starts = starts;
        this.bits = bits;
    }

    /**
     * Reads a table in the {@code dump_rsqrtps} format (see the class description).
     *
     * @param in the text, read to its end (not closed)
     * @param source what the text is, for messages (a file or resource name)
     * @return the estimate
     * @throws IOException if reading fails
     * @throws IllegalArgumentException if a line is malformed, a binade does not start at mantissa 0,
     *     starts do not increase, an output is not a positive normal float, or a binade has more than
     *     {@link #MAX_RUNS_PER_BINADE} runs; the message names the source and the line
     */
    public static RsqrtEstimate parse(BufferedReader in, String source) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(source, "source");
        int[][] starts = {new int[64], new int[64]};
        int[][] bits = {new int[64], new int[64]};
        int[] counts = new int[2];
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (f.length != 3) {
                throw bad(source, lineNo, "must be \"parity mantissa_start output_bits\"", t);
            }
            int parity = parseInt(f[0], 10, source, lineNo, "parity");
            if (parity != 0 && parity != 1) {
                throw bad(source, lineNo, "parity must be 0 or 1", f[0]);
            }
            int start = parseInt(f[1], 10, source, lineNo, "mantissa_start");
            if (f[2].length() != 8) {
                throw bad(source, lineNo, "output_bits must be 8 hex digits", f[2]);
            }
            int out = (int) parseLong(f[2], source, lineNo);
            int n = counts[parity];
            if (n == 0 && start != 0) {
                throw bad(source, lineNo, "the first run of parity " + parity + " must start at mantissa 0", f[1]);
            }
            if (n > 0 && start <= starts[parity][n - 1] || start < 0 || start >= MANTISSAS) {
                throw bad(source, lineNo, "mantissa_start must increase within a parity and be in [0, 2^23)", f[1]);
            }
            float value = Float.intBitsToFloat(out);
            if (!(value >= Float.MIN_NORMAL) || Float.isInfinite(value)) {
                throw bad(source, lineNo, "output_bits must be a positive normal float", f[2]);
            }
            if (n == MAX_RUNS_PER_BINADE) {
                throw bad(source, lineNo, "a binade must have at most " + MAX_RUNS_PER_BINADE + " runs", "more");
            }
            if (n == starts[parity].length) {
                starts[parity] = Arrays.copyOf(starts[parity], 2 * n);
                bits[parity] = Arrays.copyOf(bits[parity], 2 * n);
            }
            starts[parity][n] = start;
            bits[parity][n] = out;
            counts[parity] = n + 1;
        }
        for (int p = 0; p < 2; p++) {
            if (counts[p] == 0) {
                throw new IllegalArgumentException(source + ": the table must have runs for parity " + p
                        + " (inputs in [" + (1 << p) + ", " + (2 << p) + ")), got none");
            }
            starts[p] = Arrays.copyOf(starts[p], counts[p]);
            bits[p] = Arrays.copyOf(bits[p], counts[p]);
        }
        return new RsqrtEstimate(starts, bits);
    }

    private static int parseInt(String s, int radix, String source, int lineNo, String what) {
        try {
            return Integer.parseInt(s, radix);
        } catch (NumberFormatException e) {
            throw bad(source, lineNo, what + " must be an integer", s);
        }
    }

    private static long parseLong(String s, String source, int lineNo) {
        try {
            return Long.parseLong(s, 16);
        } catch (NumberFormatException e) {
            throw bad(source, lineNo, "output_bits must be 8 hex digits", s);
        }
    }

    private static IllegalArgumentException bad(String source, int lineNo, String constraint, String got) {
        return new IllegalArgumentException(source + " line " + lineNo + ": " + constraint + ", got \"" + got + "\"");
    }

    /**
     * The estimate for one float, as the instruction computes it: NaN for NaN and negative inputs,
     * {@code ±inf} for {@code ±0}, {@code 0} for {@code +inf}, otherwise the table scaled by the
     * exponent. Subnormal inputs must have been flushed by the caller (TensorFlow runs with DAZ).
     *
     * @param x the input
     * @return the estimate
     */
    public float estimate(float x) {
        if (Float.isNaN(x) || x < 0f) {
            return Float.NaN;
        }
        if (x == 0f) {
            return Math.copySign(Float.POSITIVE_INFINITY, x);
        }
        if (x == Float.POSITIVE_INFINITY) {
            return 0f;
        }
        int xBits = Float.floatToRawIntBits(x);
        int unbiased = (xBits >>> 23) - 127;
        int parity = unbiased & 1;
        int halfExponent = (unbiased - parity) / 2;
        int[] s = starts[parity];
        int run = Arrays.binarySearch(s, xBits & (MANTISSAS - 1));
        if (run < 0) {
            run = -run - 2;
        }
        // rsqrt(x * 4^m) = rsqrt(x) * 2^-m: subtract m from the exponent field. The binade outputs lie
        // in [0.25, 1], so for any normal x the result's exponent stays normal.
        return Float.intBitsToFloat(bits[parity][run] - (halfExponent << 23));
    }

    /**
     * Returns the number of runs in the binade of the given parity.
     *
     * @param parity 0 for {@code [1, 2)}, 1 for {@code [2, 4)}
     * @return the run count
     */
    public int runs(int parity) {
        return starts[Objects.checkIndex(parity, 2)].length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RsqrtEstimate other && Arrays.deepEquals(starts, other.starts)
                && Arrays.deepEquals(bits, other.bits);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(starts) + Arrays.deepHashCode(bits);
    }

    @Override
    public String toString() {
        return "RsqrtEstimate[runs=" + starts[0].length + "+" + starts[1].length + "]";
    }
}
