package io.github.qbn4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the keras-h5 reader with Jazzer, seeded from
 * {@code src/test/resources/fuzz-corpus/keras-h5/}: every input must honour {@link FuzzContract}. Runs only
 * under {@code -Pfuzz} (see TESTING.md); a finding is written to {@code target/fuzz/keras-h5/}.
 */
class KerasH5FuzzTest {

    private static final FuzzContract CONTRACT = FuzzContract.warmedUp(FuzzContract.Reader.KERAS_H5).inline();

    @FuzzTest(maxExecutions = 100_000)
    void fuzz(byte[] input) {
        CONTRACT.check(input);
    }
}
