package io.github.qbn4j.layer;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import io.github.qbn4j.internal.Checks;
import io.github.qbn4j.quantizer.AlignedWeightQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.WeightQuantizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code quant_config} of a quantizeml 0.5.2 {@code QuantizedBatchNormalization}: which
 * quantizers the layer uses, and its buffer width.
 *
 * <p>Keys: {@code a_quantizer} (a {@link WeightQuantizer} config; default {@code {"bitwidth": 8}}),
 * {@code b_quantizer} (an {@link AlignedWeightQuantizer} config; default 8-bit signed),
 * {@code output_quantizer} (an {@link OutputQuantizer} config; absent, null or empty for none) and
 * {@code buffer_bitwidth} (total bits of the accumulator, sign included; default 32). As quantizeml
 * does, the defaults of {@code a_quantizer} and {@code buffer_bitwidth} are written back into the
 * dictionary, which {@link #toMap()} returns; the other entries stay as given. Unknown keys are
 * refused (quantizeml ignores them silently, which hides typos).
 *
 * <p><b>Releases.</b> A configuration is read under the rules of one quantizeml release
 * ({@link #fromMap(Map, Reference.Quantizeml)}): quantizeml 0.17.1 also accepts
 * {@code output_quantizer.buffer_bitwidth} and {@code a_quantizer.fp_quantizer}, and buffers of up to
 * 40 bits (0.5.2: 32). A layer refuses to apply a configuration under a release that would not have
 * accepted it ({@link #checkRelease}). Immutable and thread-safe.
 *
 * <pre>{@code
 * QuantConfig c = QuantConfig.defaults()
 *         .withOutputQuantizer(OutputQuantizer.of(8, true, OutputQuantizer.Axis.PER_AXIS, 8));
 * c.toMap();   // {a_quantizer={bitwidth=8}, buffer_bitwidth=32, output_quantizer={bitwidth=8, ...}}
 * }</pre>
 */
public final class QuantConfig {

    /** quantizeml's default buffer ({@code QuantizationParams.buffer_bits}). */
    public static final int DEFAULT_BUFFER_BITWIDTH = 32;

    /**
     * The widest buffer qbn4j reproduces under quantizeml 0.17.1 (which sets no bound): 40 bits, 39
     * value bits ({@link io.github.qbn4j.tensor.FixedPoint#MAX_VALUE_BITS}).
     */
    public static final int MAX_BUFFER_BITWIDTH = 40;

    private static final Set<String> KEYS =
            Set.of("a_quantizer", "b_quantizer", "output_quantizer", "buffer_bitwidth");

    private final Map<String, Object> dict;
    private final WeightQuantizer aQuantizer;
    private final AlignedWeightQuantizer bQuantizer;
    private final OutputQuantizer outputQuantizer;
    private final int bufferBitwidth;
    private final Reference.Quantizeml release;

    private QuantConfig(Map<String, Object> dict, Reference.Quantizeml release) {
        this.dict = dict;
        this.release = release;
        this.aQuantizer = WeightQuantizer.fromConfig(section(dict, "a_quantizer", false), release);
        this.bQuantizer = AlignedWeightQuantizer.fromConfig(section(dict, "b_quantizer", false));
        Map<String, Object> out = section(dict, "output_quantizer", true);
        this.outputQuantizer = out.isEmpty() ? null : OutputQuantizer.fromConfig(out, release);
        this.bufferBitwidth = bufferBitwidth(dict.get("buffer_bitwidth"), release);
    }

    /**
     * The configuration quantizeml builds from {@code quant_config=None}:
     * {@code {"a_quantizer": {"bitwidth": 8}, "buffer_bitwidth": 32}}.
     *
     * @return the default configuration
     */
    public static QuantConfig defaults() {
        return fromMap(Map.of());
    }

    /**
     * Reads a {@code quant_config} dictionary (nested maps, ints, bools, strings, nulls, as JSON gives
     * them) and writes back quantizeml's defaults.
     *
     * @param quantConfig the dictionary, or null for the defaults (not modified)
     * @return the configuration
     * @throws QuantizationException ({@code ValueError}) for a bad bitwidth or axis;
     *     ({@code TypeError}) for an unknown quantizer key or a non-integer buffer width
     * @throws IllegalArgumentException for an unknown top-level key or a value of the wrong type
     */
    public static QuantConfig fromMap(Map<String, ?> quantConfig) {
        return fromMap(quantConfig, Reference.Quantizeml.V0_5_2);
    }

    /**
     * Reads a {@code quant_config} dictionary under the rules of a quantizeml release (see the class
     * description) and writes back quantizeml's defaults.
     *
     * @param quantConfig the dictionary, or null for the defaults (not modified)
     * @param release the release whose keys and limits apply
     * @return the configuration
     * @throws QuantizationException as {@link #fromMap(Map)}
     * @throws IllegalArgumentException as {@link #fromMap(Map)}, or a buffer wider than the release
     *     allows in qbn4j (0.5.2: 32 bits, 0.17.1: 40 bits)
     */
    public static QuantConfig fromMap(Map<String, ?> quantConfig, Reference.Quantizeml release) {
        Objects.requireNonNull(release, "release");
        Map<String, Object> dict = quantConfig == null ? new LinkedHashMap<>() : deepCopy(quantConfig);
        for (String key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("quant_config key must be one of " + new java.util.TreeSet<>(KEYS)
                        + ", got unknown key \"" + key + "\"");
            }
        }
        if (!dict.containsKey("a_quantizer")) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("bitwidth", 8);
            dict.put("a_quantizer", a);
        }
        if (dict.get("buffer_bitwidth") == null) {
            dict.put("buffer_bitwidth", DEFAULT_BUFFER_BITWIDTH);
        }
        return new QuantConfig(dict, release);
    }

    /**
     * Returns the release whose rules this configuration was read under.
     *
     * @return the release given to {@link #fromMap(Map, Reference.Quantizeml)} (0.5.2 by default)
     */
    public Reference.Quantizeml release() {
        return release;
    }

    /**
     * Checks that a release would accept this configuration: one read under quantizeml 0.17.1's
     * rules may use what 0.5.2 refuses.
     *
     * @param target the release a layer is about to reproduce
     * @throws QuantizationException ({@code TypeError}) under 0.5.2 for {@code a_quantizer.fp_quantizer}
     *     or {@code output_quantizer.buffer_bitwidth}, keys 0.5.2 does not know
     * @throws IllegalArgumentException under 0.5.2 for a buffer wider than 32 bits
     */
    public void checkRelease(Reference.Quantizeml target) {
        Objects.requireNonNull(target, "target");
        if (target.isAtLeast(Reference.Quantizeml.V0_17_1)) {
            return;
        }
        if (aQuantizer.getConfig().containsKey("fp_quantizer")) {
            throw new QuantizationException(ReferenceError.TYPE_ERROR, "WeightQuantizer config key must be one of "
                    + "[axis, bitwidth, signed] under quantizeml 0.5.2, got unknown key \"fp_quantizer\"");
        }
        if (outputQuantizer != null && outputQuantizer.hasBufferBitwidth()) {
            throw new QuantizationException(ReferenceError.TYPE_ERROR, "OutputQuantizer config key must be one of "
                    + "[axis, bitwidth, scale_bits, signed] under quantizeml 0.5.2, got unknown key \"buffer_bitwidth\"");
        }
        if (bufferBitwidth > DEFAULT_BUFFER_BITWIDTH) {
            throw new IllegalArgumentException("quant_config buffer_bitwidth must be <= 32 under quantizeml 0.5.2 "
                    + "(qbn4j supports at most 31 value bits there), got " + bufferBitwidth);
        }
    }

    /**
     * Returns a copy whose {@code a_quantizer} entry is the quantizer's full config.
     *
     * @param quantizer the quantizer of {@code a}
     * @return the new configuration
     */
    public QuantConfig withAQuantizer(WeightQuantizer quantizer) {
        return with("a_quantizer", quantizer.getConfig());
    }

    /**
     * Returns a copy whose {@code b_quantizer} entry is the quantizer's full config.
     *
     * @param quantizer the quantizer of {@code b}
     * @return the new configuration
     */
    public QuantConfig withBQuantizer(AlignedWeightQuantizer quantizer) {
        return with("b_quantizer", quantizer.getConfig());
    }

    /**
     * Returns a copy with an output quantizer (its configuration; calibrated variables are given to
     * the layer), or without one.
     *
     * @param quantizer the output quantizer, or null for none
     * @return the new configuration
     */
    public QuantConfig withOutputQuantizer(OutputQuantizer quantizer) {
        return with("output_quantizer", quantizer == null ? null : quantizer.getConfig());
    }

    /**
     * Returns a copy with another buffer width.
     *
     * @param bitwidth total accumulator bits, sign included, 1 to 32 (to 40 for a configuration read
     *     under quantizeml 0.17.1)
     * @return the new configuration
     */
    public QuantConfig withBufferBitwidth(int bitwidth) {
        return with("buffer_bitwidth", bitwidth);
    }

    private QuantConfig with(String key, Object value) {
        Map<String, Object> copy = deepCopy(dict);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return new QuantConfig(copy, release);
    }

    /**
     * Returns the quantizer of {@code a}.
     *
     * @return the weight quantizer
     */
    public WeightQuantizer aQuantizer() {
        return aQuantizer;
    }

    /**
     * Returns the quantizer of {@code b}.
     *
     * @return the aligned weight quantizer
     */
    public AlignedWeightQuantizer bQuantizer() {
        return bQuantizer;
    }

    /**
     * Returns the output quantizer, with its variables at 1.0.
     *
     * @return the output quantizer, or null if the layer has none
     */
    public OutputQuantizer outputQuantizer() {
        return outputQuantizer;
    }

    /**
     * Returns the buffer width.
     *
     * @return total accumulator bits, sign included
     */
    public int bufferBitwidth() {
        return bufferBitwidth;
    }

    /**
     * Returns the buffer's value bits, {@code bufferBitwidth - 1} (quantizeml
     * {@code apply_buffer_bitwidth(signed=True)}).
     *
     * @return the value bits of the accumulator
     */
    public int bufferValueBits() {
        return bufferBitwidth - 1;
    }

    /**
     * Returns the dictionary as quantizeml's {@code get_config()} shows it after construction.
     *
     * @return a new, modifiable deep copy
     */
    public Map<String, Object> toMap() {
        return deepCopy(dict);
    }

    private static int bufferBitwidth(Object value, Reference.Quantizeml release) {
        int max = release.isAtLeast(Reference.Quantizeml.V0_17_1) ? MAX_BUFFER_BITWIDTH : DEFAULT_BUFFER_BITWIDTH;
        String limit = "quant_config buffer_bitwidth must be <= " + max + " (qbn4j supports at most "
                + (max - 1) + " value bits" + (max == DEFAULT_BUFFER_BITWIDTH ? "" : " under quantizeml "
                + release.version()) + "), got ";
        if (!Checks.isJsonInteger(value)) {
            throw new QuantizationException(ReferenceError.TYPE_ERROR,
                    "quant_config buffer_bitwidth must be an int, got " + value);
        }
        if (!(value instanceof Integer || value instanceof Long)) {
            // past 64 bits: compared by sign, never narrowed
            if (((java.math.BigInteger) value).signum() < 0) {
                throw new QuantizationException(ReferenceError.VALUE_ERROR,
                        "quant_config buffer_bitwidth must be >= 1, got " + value);
            }
            throw new IllegalArgumentException(limit + value);
        }
        long bits = ((Number) value).longValue();
        if (bits < 1) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR,
                    "quant_config buffer_bitwidth must be >= 1, got " + bits);
        }
        if (bits > max) {
            throw new IllegalArgumentException(limit + bits);
        }
        return (int) bits;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> dict, String key, boolean falsyMeansNone) {
        Object value = dict.get(key);
        if (!dict.containsKey(key) || (falsyMeansNone && (value == null || Boolean.FALSE.equals(value)))) {
            return Map.of();
        }
        if (value == null) {
            // quantizeml unpacks it with **: None is a TypeError there.
            throw new QuantizationException(ReferenceError.TYPE_ERROR, "quant_config " + key
                    + " must be a dict, got None");
        }
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("quant_config " + key + " must be a dict, got " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            Objects.requireNonNull(e.getKey(), "quant_config key");
            copy.put(e.getKey(), copyValue(e.getValue()));
        }
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Object copyValue(Object v) {
        if (v instanceof Map) {
            return deepCopy((Map<String, ?>) v);
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            for (Object o : (List<Object>) v) {
                l.add(copyValue(o));
            }
            return Collections.unmodifiableList(l);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantConfig && dict.equals(((QuantConfig) o).dict) && release == ((QuantConfig) o).release;
    }

    @Override
    public int hashCode() {
        return dict.hashCode() * 31 + release.hashCode();
    }

    @Override
    public String toString() {
        return "QuantConfig" + dict;
    }
}
