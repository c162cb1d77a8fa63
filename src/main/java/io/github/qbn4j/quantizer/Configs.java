package io.github.qbn4j.quantizer;

import io.github.qbn4j.internal.Checks;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import java.util.Map;
import java.util.Set;

/**
 * Reading quantizeml configuration dictionaries (JSON-like maps) with Python's type rules: an int
 * is an {@link Integer} or {@link Long} (a JSON {@code 8.0} is a float and is refused, as Python's
 * {@code isinstance(8.0, int)} is false), a bool a {@link Boolean}.
 */
final class Configs {

    /** Keys every Keras layer accepts; quantizeml passes them to the base class, qbn4j ignores them. */
    static final Set<String> KERAS_BASE_KEYS = Set.of("name", "trainable", "dtype");

    private Configs() {
    }

    static void checkKeys(String owner, Map<String, ?> config, Set<String> allowed) {
        for (String key : config.keySet()) {
            if (!allowed.contains(key) && !KERAS_BASE_KEYS.contains(key)) {
                throw new QuantizationException(ReferenceError.TYPE_ERROR, owner + " config key must be one of "
                        + new java.util.TreeSet<>(allowed) + ", got unknown key \"" + key + "\"");
            }
        }
    }

    /** The quantizer bitwidth check of quantizeml's {@code Quantizer.__init__}. */
    static int bitwidth(String owner, Object value, boolean signed) {
        int min = signed ? 2 : 1;
        if (!Checks.isJsonInteger(value)
                || new java.math.BigInteger(value.toString()).compareTo(java.math.BigInteger.valueOf(min)) < 0) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, owner + " bitwidth must be an int >= "
                    + min + ", got " + value);
        }
        int max = signed ? 32 : 31;
        // compared exactly: a bitwidth of 2^64 + 8 is refused, not narrowed to 8
        if (new java.math.BigInteger(value.toString()).compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(owner + " bitwidth must be <= " + max
                    + " (qbn4j supports at most 31 value bits), got " + value);
        }
        return ((Number) value).intValue();
    }

    static boolean bool(String owner, String key, Object value) {
        if (!(value instanceof Boolean)) {
            throw new IllegalArgumentException(owner + " " + key + " must be a bool, got " + value);
        }
        return (Boolean) value;
    }

    static Object get(Map<String, ?> config, String key, Object fallback) {
        return config.containsKey(key) ? config.get(key) : fallback;
    }
}
