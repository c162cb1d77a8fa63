package io.github.qbn4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the layer-json reader with Jazzer, seeded from
 * {@code src/test/resources/fuzz-corpus/layer-json/}: every input must honour {@link FuzzContract}. Runs only
 * under {@code -Pfuzz} (see TESTING.md); a finding is written to {@code target/fuzz/layer-json/}.
 */
class LayerJsonFuzzTest {

    private static final FuzzContract CONTRACT = FuzzContract.warmedUp(FuzzContract.Reader.LAYER_JSON).inline();

    @FuzzTest(maxExecutions = 100_000)
    void fuzz(byte[] input) {
        CONTRACT.check(input);
    }
}
