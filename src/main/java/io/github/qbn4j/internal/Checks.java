package io.github.qbn4j.internal;

/**
 * Argument checks shared by the public classes. Messages read
 * {@code <name> must be <constraint>, got <actual>}.
 */
public final class Checks {

    private Checks() {
    }

    /**
     * Checks that {@code value} lies in {@code [min, max]}.
     *
     * @param name the argument name for the message
     * @param value the value
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return {@code value}
     * @throws IllegalArgumentException if it does not
     */
    public static int inRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /**
     * Whether a parsed JSON value is an integer: an {@code Integer}, {@code Long} or
     * {@code BigInteger} (Jackson's types for integers of growing size), not a {@code Double} such as
     * {@code 8.0}.
     *
     * @param value the value
     * @return true for an integer of any size
     */
    public static boolean isJsonInteger(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
    }

    /**
     * The exact {@code int} of a JSON integer in {@code [min, max]}: a value of any size is compared as
     * it is written, never narrowed first (narrowing turned {@code 2^40} into 0 and {@code 2^32 + 8}
     * into 8).
     *
     * @param name the key for the message
     * @param value an {@code Integer}, {@code Long} or {@code BigInteger}
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the value
     * @throws IllegalArgumentException {@code <name> must be an integer in [min, max], got <value>} if
     *     it is not an integer or lies outside the range
     */
    public static int jsonInt(String name, Object value, int min, int max) {
        if (isJsonInteger(value)) {
            java.math.BigInteger v = new java.math.BigInteger(value.toString());
            if (v.compareTo(java.math.BigInteger.valueOf(min)) >= 0
                    && v.compareTo(java.math.BigInteger.valueOf(max)) <= 0) {
                return v.intValue();
            }
        }
        throw new IllegalArgumentException(name + " must be an integer in [" + min + ", " + max + "], got "
                + value);
    }

    /**
     * Checks that every element is finite.
     *
     * @param name the argument name for the message
     * @param values the values (not modified)
     * @throws IllegalArgumentException naming the first non-finite element
     */
    public static void finite(String name, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(
                        name + " must be finite, got " + values[i] + " at index " + i);
            }
        }
    }

    /**
     * Checks an array length.
     *
     * @param name the argument name for the message
     * @param length the actual length
     * @param expected the expected length
     * @param context what the expectation comes from, e.g. {@code "the channel count"}
     * @throws IllegalArgumentException if they differ
     */
    public static void length(String name, int length, int expected, String context) {
        if (length != expected) {
            throw new IllegalArgumentException(
                    name + " must have " + expected + " elements (" + context + "), got " + length);
        }
    }

    /**
     * A short, deterministic rendering of the first elements of an array.
     *
     * @param values the array
     * @param max how many elements to show at most
     * @return e.g. {@code [1, 2, 3, …]}
     */
    public static String head(float[] values, int max) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(values.length, max); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            float v = values[i];
            if (v == Math.rint(v) && Math.abs(v) < 1e15f) {
                sb.append((long) v);
            } else {
                sb.append(v);
            }
        }
        if (values.length > max) {
            sb.append(", …");
        }
        return sb.append(']').toString();
    }
}
