package io.github.qbn4j.conformance;

import io.github.qbn4j.io.NpyArray;
import io.github.qbn4j.layer.Folding;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The intermediates a case's {@code trace.npz} holds, named as the golden generator
 * ({@code src/test/resources/golden/generate.py}) names them, and qbn4j's value for each.
 *
 * <p>Format-only keys come from {@link Folding}. The value-dependent tensors ({@code xa_values},
 * {@code buffer_values}, {@code scaled_values}) are recomputed with qbn4j's public tensor operations
 * in the layer's order (condition, times {@code a}, plus aligned {@code b}, times the quantized output
 * scale), so that a wrong output can be traced to its first wrong step.
 *
 * <p>Integer-valued keys compare as exact integers whatever their dtype (quantizeml keeps integers in
 * float32); float keys compare as float32 bit patterns. A one-element side is broadcast against a
 * per-channel side, as quantizeml broadcasts a scalar against a vector. The pre-rounding arguments
 * ({@code a_scaled}, {@code b_scaled}, {@code qscales_scaled}, {@code out_scaled}) are not compared:
 * each is one float32 operation on keys that are, and qbn4j does not expose them.
 */
final class TraceKeys {

    /** Keys present for the reader's diagnosis only; see the class description. */
    static final Set<String> NOT_CHECKED = Set.of("a_scaled", "b_scaled", "qscales_scaled", "out_scaled");

    /** One intermediate: integers, or float32 values. */
    private static final class Value {
        final long[] integers;
        final float[] floats;

        private Value(long[] integers, float[] floats) {
            this.integers = integers;
            this.floats = floats;
        }

        static Value ints(long... v) {
            return new Value(v, null);
        }

        static Value ints(int[] v) {
            return ints(Arrays.stream(v).asLongStream().toArray());
        }

        static Value ints(FracBits f) {
            return ints(f.toArray());
        }

        static Value floats(float... f) {
            return new Value(null, f);
        }

        static Value floats(Scales s) {
            return floats(s.toArray());
        }

        int length() {
            return integers != null ? integers.length : floats.length;
        }

        @Override
        public String toString() {
            return head(integers != null ? Arrays.toString(integers) : Arrays.toString(floats));
        }
    }

    /** What the comparison found. */
    static final class Outcome {
        final List<String> problems = new ArrayList<>();
        final List<String> notChecked = new ArrayList<>();
        int checked;
    }

    /** The case's intermediates as qbn4j computes them, the value-dependent ones on first use. */
    private static final class Ours {
        final QuantizedBatchNormalization layer;
        final QTensor x;
        final Folding f;
        private QFloat xa;
        private QFloat buffer;
        private FixedPoint scaled;

        Ours(QuantizedBatchNormalization layer, QTensor x, Folding f) {
            this.layer = layer;
            this.x = x;
            this.f = f;
        }

        /** The layer's x * a: a per-axis FixedPoint is expanded, anything else promoted, then times a. */
        QFloat xa() {
            if (xa == null) {
                int bits = layer.quantConfig().bufferValueBits();
                if (x instanceof FixedPoint) {
                    FixedPoint fp = (FixedPoint) x;
                    xa = (fp.isPerTensor() ? fp.promote(bits) : fp.expand(bits, f.reference())).multiply(f.a());
                } else {
                    xa = ((QFloat) x).promote(bits).multiply(f.a());
                }
            }
            return xa;
        }

        QFloat buffer() {
            if (buffer == null) {
                buffer = xa().add(f.bAligned());
            }
            return buffer;
        }

        FixedPoint scaled() {
            if (scaled == null) {
                // the output quantizer's step 1, with quantizeml 0.17.1's promotion where it applies
                scaled = layer.outputQuantizer().scaled(buffer(), f.reference());
            }
            return scaled;
        }
    }

    private static final Map<String, Function<Ours, Value>> KEYS = new LinkedHashMap<>();
    private static final Set<String> OUTPUT_KEYS = Set.of("qscales_float", "qscales_values", "qscales_frac_bits",
            "scaled_values", "scaled_value_bits", "scaled_frac_bits", "out_shift", "out_frac_bits");

    static {
        KEYS.put("sigma_rec", o -> Value.floats(o.f.sigmaRec()));
        KEYS.put("a_float", o -> Value.floats(o.f.aFloat()));
        KEYS.put("a_values", o -> Value.ints(o.f.a().copyValues()));
        KEYS.put("a_value_bits", o -> Value.ints(o.f.a().valueBits()));
        KEYS.put("a_frac_bits", o -> Value.ints(o.f.a().fracBits()));
        KEYS.put("a_scales", o -> Value.floats(o.f.a().scales()));
        KEYS.put("input_shift", o -> Value.ints(o.f.inputShift()));
        KEYS.put("xa_values", o -> Value.ints(o.xa().copyValues()));
        KEYS.put("xa_frac_bits", o -> Value.ints(o.xa().fracBits()));
        KEYS.put("xa_scales", o -> Value.floats(o.xa().scales()));
        KEYS.put("b_float", o -> Value.floats(o.f.bFloat()));
        KEYS.put("b_values", o -> Value.ints(o.f.bUnaligned().copyValues()));
        KEYS.put("b_value_bits", o -> Value.ints(o.f.bUnaligned().valueBits()));
        KEYS.put("b_frac_bits", o -> Value.ints(o.f.bUnaligned().fracBits()));
        KEYS.put("b_shift", o -> Value.ints(o.f.bShift()));
        KEYS.put("b_aligned_values", o -> Value.ints(o.f.bAligned().copyValues()));
        KEYS.put("buffer_values", o -> Value.ints(o.buffer().copyValues()));
        KEYS.put("buffer_value_bits", o -> Value.ints(o.f.bAligned().valueBits()));
        KEYS.put("buffer_frac_bits", o -> Value.ints(o.f.bufferFracBits()));
        KEYS.put("buffer_scales", o -> Value.floats(o.f.bufferScales()));
        KEYS.put("qscales_float", o -> Value.floats(o.f.outputScales()));
        KEYS.put("qscales_values", o -> Value.ints(o.f.quantizedOutputScales().copyValues()));
        KEYS.put("qscales_frac_bits", o -> Value.ints(o.f.quantizedOutputScales().fracBits()));
        KEYS.put("scaled_values", o -> Value.ints(o.scaled().copyValues()));
        KEYS.put("scaled_value_bits", o -> Value.ints(o.scaled().valueBits()));
        KEYS.put("scaled_frac_bits", o -> Value.ints(o.scaled().fracBits()));
        KEYS.put("out_shift", o -> Value.ints(o.f.outputShift()));
        KEYS.put("out_frac_bits", o -> Value.ints(o.f.outputFracBits()));
    }

    private TraceKeys() {
    }

    /**
     * Returns the keys qbn4j compares.
     *
     * @return the key names, in the generator's order
     */
    static Set<String> checkedKeys() {
        return KEYS.keySet();
    }

    /**
     * Compares every key of a trace with qbn4j's value.
     *
     * @param trace the arrays of {@code trace.npz}
     * @param layer the case's layer
     * @param x the case's input
     * @param folding what qbn4j folded for that input
     * @return the problems (one line per differing or unknown key) and the keys left unchecked
     */
    static Outcome compare(Map<String, NpyArray> trace, QuantizedBatchNormalization layer, QTensor x,
            Folding folding) {
        Outcome outcome = new Outcome();
        Ours ours = new Ours(layer, x, folding);
        for (Map.Entry<String, NpyArray> e : trace.entrySet()) {
            String key = e.getKey();
            if (NOT_CHECKED.contains(key)) {
                outcome.notChecked.add(key);
                continue;
            }
            Function<Ours, Value> value = KEYS.get(key);
            if (value == null) {
                outcome.problems.add("trace key '" + key + "' is unknown to qbn4j (known: "
                        + new TreeSet<>(KEYS.keySet()) + ")");
                continue;
            }
            if (OUTPUT_KEYS.contains(key) && !folding.hasOutputQuantizer()) {
                outcome.problems.add("trace key '" + key + "' is present, but qbn4j's layer has no output quantizer");
                continue;
            }
            Value actual;
            try {
                actual = value.apply(ours);
            } catch (RuntimeException ex) {
                outcome.problems.add("trace key '" + key + "': qbn4j cannot compute it: " + ex);
                continue;
            }
            String problem = compare(key, e.getValue(), actual);
            if (problem != null) {
                outcome.problems.add(problem);
            }
            outcome.checked++;
        }
        return outcome;
    }

    private static String compare(String key, NpyArray expected, Value actual) {
        int n = (int) expected.size();
        int m = actual.length();
        if (n != m && n != 1 && m != 1) {
            return "trace key '" + key + "' differs: actual " + actual + " (" + m + " elements), expected "
                    + describe(expected) + " (" + n + " elements)";
        }
        int len = Math.max(n, m);
        int differing = 0;
        int first = -1;
        for (int i = 0; i < len; i++) {
            double d = expected.getDouble(n == 1 ? 0 : i);
            boolean equal;
            if (actual.integers != null) {
                equal = d == actual.integers[m == 1 ? 0 : i];
            } else {
                float f = (float) d;
                equal = (f == d || Double.isNaN(d))
                        && Float.floatToRawIntBits(f) == Float.floatToRawIntBits(actual.floats[m == 1 ? 0 : i]);
            }
            if (!equal) {
                differing++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (differing == 0) {
            return null;
        }
        String a = actual.integers != null ? Long.toString(actual.integers[m == 1 ? 0 : first])
                : Float.toString(actual.floats[m == 1 ? 0 : first]);
        double e = expected.getDouble(n == 1 ? 0 : first);
        String ex = actual.integers != null && e == Math.rint(e) ? Long.toString((long) e) : Float.toString((float) e);
        return "trace key '" + key + "' differs at index " + first + ": actual " + a + ", expected " + ex + "; "
                + differing + " of " + len + " differ (actual " + actual + ", expected " + describe(expected) + ")";
    }

    private static String describe(NpyArray a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(a.size(), 16); i++) {
            double d = a.getDouble(i);
            sb.append(i == 0 ? "" : ", ").append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
                    : Float.toString((float) d));
        }
        return head(sb.append(']').toString());
    }

    private static String head(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
