package io.github.qbn4j.layer;

import io.github.qbn4j.Reference;
import io.github.qbn4j.tensor.Format;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The plans {@link QuantizedBatchNormalization#call} compiled, by key, least recently used first out:
 * bounded, and safe for concurrent calls. A plan is compiled outside the lock, so two threads missing
 * the same key at once may both compile it; the first one stored wins (both are equal).
 */
final class PlanCache {

    /** Plans kept per layer: a network feeds a layer few input formats. */
    static final int CAPACITY = 16;

    /**
     * What a plan depends on besides the layer: the input format (value bits, fractional bits,
     * scales) and the reference profile. Anything else a plan comes to depend on joins this key.
     */
    static final class Key {
        final Format format;
        final Reference reference;

        Key(Format format, Reference reference) {
            this.format = Objects.requireNonNull(format, "format");
            this.reference = Objects.requireNonNull(reference, "reference");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).format.equals(format) && ((Key) o).reference.equals(reference);
        }

        @Override
        public int hashCode() {
            return 31 * format.hashCode() + reference.hashCode();
        }

        @Override
        public String toString() {
            return format + " (" + reference + ")";
        }
    }

    private final int capacity;
    private final Map<Key, Plan> plans;

    PlanCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.plans = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Plan> eldest) {
                return size() > PlanCache.this.capacity;
            }
        };
    }

    /**
     * Returns the plan for a key, compiling and storing it if absent.
     *
     * @param key the key
     * @param compile makes the plan; its exceptions pass through, and nothing is stored
     * @return the plan
     */
    Plan get(Key key, Function<Key, Plan> compile) {
        synchronized (plans) {
            Plan p = plans.get(key);
            if (p != null) {
                return p;
            }
        }
        Plan compiled = compile.apply(key);
        synchronized (plans) {
            Plan p = plans.putIfAbsent(key, compiled);
            return p != null ? p : compiled;
        }
    }

    /** Returns the number of plans held, at most the capacity. */
    int size() {
        synchronized (plans) {
            return plans.size();
        }
    }

    int capacity() {
        return capacity;
    }
}
