package io.github.qbn4j.layer;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The one source of randomness of the plan tests. The base seed is {@code -Dqbn4j.seed=...} or a
 * fixed default; each named run derives its own seed from it, and a failing run names its seed so
 * that {@code -Dqbn4j.seed} and the run's name reproduce it.
 */
final class Seeds {

    static final long BASE = Long.getLong("qbn4j.seed", 0x5EED_B4L);

    private Seeds() {
    }

    /**
     * Runs {@code body} with a generator seeded from the base seed and {@code name}; a failure is
     * rethrown with the seed in its message.
     */
    static void run(String name, Consumer<SplittableRandom> body) {
        long seed = BASE * 31 + name.hashCode();
        try {
            body.accept(new SplittableRandom(seed));
        } catch (AssertionError | RuntimeException e) {
            AssertionError wrapped = new AssertionError("failed with seed " + seed + " (run \"" + name
                    + "\", -Dqbn4j.seed=" + BASE + "): " + e.getMessage(), e);
            throw wrapped;
        }
    }
}
