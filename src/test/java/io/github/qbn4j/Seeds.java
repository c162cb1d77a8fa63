package io.github.qbn4j;

import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * The one source of randomness of the tests. The base seed is {@code -Dqbn4j.seed=N} or a fixed
 * default; every random generator of a test is derived from it and a name that the test states
 * ({@link #of}), so that the base seed and the test's name reproduce any run.
 *
 * <p>Every failure of a randomised test names its seed: {@link #run} puts the derived seed and the
 * run's name into the message, and a test class annotated {@code @ExtendWith(Seeds.class)} has the
 * base seed added to any failure that leaves one of its tests (a failure that already names it, or a
 * skipped test, passes unchanged). To rerun one failure: {@code mvn test -Dtest=Class#method
 * -Dqbn4j.seed=N}.
 */
public final class Seeds implements TestExecutionExceptionHandler {

    /** The base seed: {@code -Dqbn4j.seed}, or {@code 0x5EED_B4} when the property is not set. */
    public static final long BASE = Long.getLong("qbn4j.seed", 0x5EED_B4L);

    /** What every message that names a seed contains, and how {@link #handleTestExecutionException} knows it. */
    private static final String PROPERTY = "-Dqbn4j.seed=";

    /** Used by JUnit for {@code @ExtendWith(Seeds.class)}. */
    public Seeds() {
    }

    /**
     * The seed of the run {@code name}: {@code BASE * 31 + name.hashCode()}.
     *
     * @param name the name of the run, unique among the tests
     * @return its seed
     */
    public static long of(String name) {
        return BASE * 31 + name.hashCode();
    }

    /**
     * A generator seeded with {@link #of}{@code (name)}.
     *
     * @param name the name of the run, unique among the tests
     * @return a new generator
     */
    public static SplittableRandom random(String name) {
        return new SplittableRandom(of(name));
    }

    /**
     * The seed of the run {@code name}, for a failure message.
     *
     * @param name the name of the run
     * @return {@code seed S (run "name", -Dqbn4j.seed=B)}
     */
    public static String describe(String name) {
        return "seed " + of(name) + " (run \"" + name + "\", " + PROPERTY + BASE + ")";
    }

    /** A test body that draws from a seeded generator. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the body.
         *
         * @param random the run's generator
         * @throws Exception anything: it fails the run, with the seed in the message
         */
        void accept(SplittableRandom random) throws Exception;
    }

    /**
     * Runs {@code body} with {@link #random}{@code (name)}; a failure is rethrown as an
     * {@link AssertionError} whose message starts with {@link #describe}{@code (name)}.
     *
     * @param name the name of the run, unique among the tests
     * @param body the test body
     */
    public static void run(String name, Body body) {
        try {
            body.accept(random(name));
        } catch (TestAbortedException e) {
            throw e;
        } catch (Exception | AssertionError e) {
            throw new AssertionError("failed with " + describe(name) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        String message = failure.getMessage();
        if (failure instanceof TestAbortedException || (message != null && message.contains(PROPERTY))) {
            throw failure;
        }
        throw new AssertionError(message + " [randomised test: base seed " + BASE + ", rerun with " + PROPERTY
                + BASE + "]", failure);
    }
}
