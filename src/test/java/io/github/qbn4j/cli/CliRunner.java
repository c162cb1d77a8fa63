package io.github.qbn4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the tool in-process and keeps its exit status and both output streams. */
final class CliRunner {

    static final Path MODELS = Path.of("src/test/resources/models");
    static final Path FIXTURES = Path.of("src/test/resources/cli");
    static final Path MINI = Path.of("src/test/resources/conformance-mini");

    final int status;
    final String out;
    final String err;

    private CliRunner(int status, String out, String err) {
        this.status = status;
        this.out = out;
        this.err = err;
    }

    static CliRunner run(String... args) {
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, out, err);
        }
        return new CliRunner(status, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    }

    /** For assertion messages: both streams. */
    String describe() {
        return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
