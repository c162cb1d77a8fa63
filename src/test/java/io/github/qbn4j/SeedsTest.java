package io.github.qbn4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** {@link Seeds}: the derivation of a run's seed, and the seed in every failure. */
class SeedsTest {

    @Test
    void aRunsSeedIsDerivedFromTheBaseSeedAndItsName() {
        assertThat(Seeds.of("x")).isEqualTo(Seeds.BASE * 31 + "x".hashCode());
        assertThat(Seeds.of("x")).isNotEqualTo(Seeds.of("y"));
        SplittableRandom expected = new SplittableRandom(Seeds.BASE * 31 + "x".hashCode());
        assertThat(Seeds.random("x").nextLong()).isEqualTo(expected.nextLong());
    }

    @Test
    void aFailedRunNamesItsSeedAndKeepsTheCause() {
        AssertionError failure = new AssertionError("expected 1, got 2");
        assertThatThrownBy(() -> Seeds.run("x", r -> {
            throw failure;
        })).isInstanceOf(AssertionError.class)
                .hasMessage("failed with seed " + (Seeds.BASE * 31 + "x".hashCode()) + " (run \"x\", -Dqbn4j.seed="
                        + Seeds.BASE + "): expected 1, got 2")
                .hasCause(failure);
        assertThatThrownBy(() -> Seeds.run("x", r -> {
            throw new IOException("disk full");
        })).isInstanceOf(AssertionError.class).hasMessageEndingWith("): disk full");
    }

    @Test
    void anAbortedRunStaysAborted() {
        TestAbortedException aborted = new TestAbortedException("no vector module");
        assertThatThrownBy(() -> Seeds.run("x", r -> {
            throw aborted;
        })).isSameAs(aborted);
    }

    @Test
    void theExtensionAddsTheBaseSeedToAFailureThatDoesNotNameIt() {
        Seeds extension = new Seeds();
        AssertionError plain = new AssertionError("expected 1, got 2");
        assertThatThrownBy(() -> extension.handleTestExecutionException(null, plain))
                .isInstanceOf(AssertionError.class)
                .hasMessage("expected 1, got 2 [randomised test: base seed " + Seeds.BASE + ", rerun with -Dqbn4j.seed="
                        + Seeds.BASE + "]")
                .hasCause(plain);

        AssertionError named = new AssertionError("failed with " + Seeds.describe("x") + ": boom");
        assertThatThrownBy(() -> extension.handleTestExecutionException(null, named)).isSameAs(named);
        TestAbortedException aborted = new TestAbortedException("skipped");
        assertThatThrownBy(() -> extension.handleTestExecutionException(null, aborted)).isSameAs(aborted);
    }
}
