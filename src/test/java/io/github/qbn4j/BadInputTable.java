package io.github.qbn4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The rows of the bad-input table of {@code TESTING.md}, each one a test: an entry point, a class of bad
 * input, the exception it must raise (its exact class and, for a {@link QuantizationException}, the
 * Python class) and its exact message.
 *
 * <p>{@link #tests()} runs every row and then checks that {@code TESTING.md} lists the row word for word,
 * so that the table cannot drift from the code. Each run also writes the rows it observed to
 * {@code target/bad-input-table/<test>.md}, which is where the table's rows are copied from.
 *
 * <p>Messages that name a temporary file are compared after the registered {@link #replace
 * replacements} (e.g. the {@code @TempDir} path becomes {@code <tmp>}).
 */
public final class BadInputTable {

    /** The call under test. */
    @FunctionalInterface
    public interface Call {
        /**
         * Makes the call.
         *
         * @throws Throwable what the call throws
         */
        void run() throws Throwable;
    }

    /**
     * What a command-line run "throws": its exit status and the first line it printed on standard error.
     * Rendered as {@code exit N}.
     */
    public static final class Exit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        /**
         * Creates the outcome of a run.
         *
         * @param status the exit status
         * @param firstErrorLine the first line of standard error
         */
        public Exit(int status, String firstErrorLine) {
            super(firstErrorLine);
            this.status = status;
        }

        /**
         * Returns the exit status.
         *
         * @return the status
         */
        public int status() {
            return status;
        }
    }

    private static final Path TESTING_MD = Path.of("TESTING.md");

    private final String testName;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> replacements = new LinkedHashMap<>();
    private final Map<String, String> patterns = new LinkedHashMap<>();

    private record Row(String entryPoint, String badInput, String type, String message, Call call) {
    }

    /**
     * Starts a table.
     *
     * @param testName the test class as the table names it, e.g. {@code tensor.BadInputTest}
     */
    public BadInputTable(String testName) {
        this.testName = testName;
    }

    /**
     * Replaces a literal in every observed message before comparing it, e.g. a temporary directory.
     *
     * @param literal the text to replace
     * @param placeholder what to write instead
     * @return this table
     */
    public BadInputTable replace(String literal, String placeholder) {
        replacements.put(literal, placeholder);
        return this;
    }

    /**
     * Replaces every match of a regular expression in every observed message, e.g. a random file name.
     *
     * @param regex the pattern
     * @param placeholder what to write instead
     * @return this table
     */
    public BadInputTable replaceAll(String regex, String placeholder) {
        patterns.put(regex, placeholder);
        return this;
    }

    /**
     * Adds a row.
     *
     * @param entryPoint the public method, e.g. {@code FixedPoint.of}
     * @param badInput the class of bad input, e.g. {@code null}, {@code wrong rank}
     * @param type the expected exception: its simple class name, for a {@link QuantizationException}
     *     followed by the Python class in parentheses, or {@code exit N} for a command-line run
     * @param message the exact expected message
     * @param call the call
     * @return this table
     */
    public BadInputTable add(String entryPoint, String badInput, String type, String message, Call call) {
        rows.add(new Row(entryPoint, badInput, type, message, call));
        return this;
    }

    /**
     * One test per row, then one that checks that {@code TESTING.md} lists every row.
     *
     * @return the tests
     */
    public Stream<DynamicTest> tests() {
        List<String> observed = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        Stream<DynamicTest> each = rows.stream().map(r -> DynamicTest.dynamicTest(
                r.entryPoint + ": " + r.badInput, () -> {
                    Throwable thrown = null;
                    try {
                        r.call.run();
                    } catch (Throwable t) {
                        thrown = t;
                    }
                    assertThat(thrown).as("%s with %s must be refused", r.entryPoint, r.badInput).isNotNull();
                    String type = describe(thrown);
                    String message = normalize(thrown.getMessage());
                    observed.add(markdown(r.entryPoint, r.badInput, type, message));
                    raw.add(type + "\t" + message.replace("\\", "\\\\").replace("\n", "\\n"));
                    if (!type.equals(r.type) || !message.equals(r.message)) {
                        AssertionError e = new AssertionError(r.entryPoint + " with " + r.badInput + ": expected "
                                + r.type + " \"" + r.message + "\", got " + type + " \"" + message + "\"");
                        e.initCause(thrown);
                        throw e;
                    }
                }));
        DynamicTest listed = DynamicTest.dynamicTest("TESTING.md lists every row of " + testName, () -> {
            write(testName + ".md", observed);
            write(testName + ".raw", raw);
            String doc = Files.readString(TESTING_MD, StandardCharsets.UTF_8);
            List<String> missing = rows.stream()
                    .map(r -> markdown(r.entryPoint, r.badInput, r.type, r.message))
                    .filter(row -> !doc.contains(row))
                    .collect(Collectors.toList());
            assertThat(missing).as("rows of %s missing from TESTING.md", testName).isEmpty();
        });
        return Stream.concat(each, Stream.of(listed));
    }

    private static void write(String name, List<String> lines) {
        try {
            Path dir = Path.of("target", "bad-input-table");
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String normalize(String message) {
        String m = message == null ? "(no message)" : message;
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            m = m.replace(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : patterns.entrySet()) {
            m = m.replaceAll(e.getKey(), e.getValue());
        }
        return m;
    }

    /**
     * The type column for a throwable.
     *
     * @param t the throwable
     * @return e.g. {@code QuantizationException (ValueError)}, {@code NullPointerException}, {@code exit 3}
     */
    public static String describe(Throwable t) {
        if (t instanceof Exit) {
            return "exit " + ((Exit) t).status();
        }
        if (t instanceof QuantizationException) {
            return "QuantizationException (" + ((QuantizationException) t).referenceError().pythonName() + ")";
        }
        return t.getClass().getSimpleName();
    }

    private String markdown(String entryPoint, String badInput, String type, String message) {
        return "| `" + entryPoint + "` | " + badInput + " | " + type + " | " + cell(message) + " | "
                + testName + " |";
    }

    private static String cell(String message) {
        StringBuilder sb = new StringBuilder();
        for (char c : message.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")
                .toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
