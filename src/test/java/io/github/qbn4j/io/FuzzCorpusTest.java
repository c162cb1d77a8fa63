package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the fixed fuzz corpus ({@code src/test/resources/fuzz-corpus/<reader>/}, written by
 * {@link FuzzCorpusGenerator}; failing inputs found by {@code -Pfuzz} are added there too) through
 * {@link FuzzContract}: every reader answers every corrupt file with a documented exception, in bounded
 * time and memory.
 */
class FuzzCorpusTest {

    private static final Path CORPUS = Path.of("src", "test", "resources", "fuzz-corpus");

    @TestFactory
    Stream<DynamicTest> everyReaderHonoursItsContractOnTheWholeCorpus() {
        return Stream.of(FuzzContract.Reader.values()).map(reader -> DynamicTest.dynamicTest(reader.folder(), () -> {
            List<Path> inputs;
            try (Stream<Path> files = Files.list(CORPUS.resolve(reader.folder()))) {
                inputs = files.sorted().toList();
            }
            assertThat(inputs).as("corpus of %s", reader.folder()).hasSizeGreaterThanOrEqualTo(200);
            FuzzContract contract = FuzzContract.warmedUp(reader);
            Map<FuzzContract.Outcome, Integer> outcomes = new EnumMap<>(FuzzContract.Outcome.class);
            List<String> failures = new ArrayList<>();
            try {
                for (Path input : inputs) {
                    try {
                        outcomes.merge(contract.check(Files.readAllBytes(input)), 1, Integer::sum);
                    } catch (AssertionError e) {
                        failures.add(input.getFileName() + ": " + e.getMessage());
                    }
                }
            } finally {
                contract.close();
            }
            assertThat(failures).as("%s inputs breaking the contract (outcomes of the others: %s)", reader.folder(),
                    outcomes).isEmpty();
            // the corpus must reach past the first checks: some inputs are refused later, some accepted
            assertThat(outcomes.getOrDefault(FuzzContract.Outcome.CORRUPT, 0)).isPositive();
        }));
    }
}
