package io.github.qbn4j.cli;

import io.github.qbn4j.conformance.ConformanceSuite;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code qbn4j conformance}: runs a conformance suite. */
final class ConformanceCommand {

    static final String USAGE = String.join("\n",
            "Usage: qbn4j conformance [--verbose] [--quiet] SUITE_DIR",
            "",
            "Runs every case of SUITE_DIR (each sub-folder with a layer.json: weights.npz, x.npz, and",
            "y.npz or error.txt, optionally trace.npz). Outputs are compared exactly: values, value",
            "bits, frac bits and scales. An error.txt case passes when qbn4j refuses the case for the",
            "same reason. Prints one line per failing case with the first mismatch and ends with the",
            "line \"N passed, M failed\". Suites of " + Progress.MIN_ITEMS + " cases or more report progress on",
            "standard error each time another tenth of the cases is done.",
            "",
            "Options:",
            "  --verbose, -v   also print passing cases, and the full message of failing ones",
            "  --quiet, -q     no progress",
            "",
            Main.EXIT_CODES);

    private ConformanceCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws CliException, IOException {
        Args a = Args.parse(argv, Set.of(), Set.of("--verbose", "--quiet"));
        if (a.help()) {
            out.println(USAGE);
            return Main.EXIT_OK;
        }
        String dir = a.single("SUITE_DIR");
        boolean verbose = a.has("--verbose");
        ConformanceSuite suite;
        try {
            suite = ConformanceSuite.open(Path.of(dir));
        } catch (NotDirectoryException e) {
            throw CliException.file(dir + " is not a directory", e);
        }
        List<String> names = suite.caseNames();
        Progress progress = Progress.tenths(err, "conformance", "cases", names.size(), a.has("--quiet"));
        int passed = 0;
        int failed = 0;
        for (String name : names) {
            ConformanceSuite.CaseResult r = suite.run(name);
            if (r.passed()) {
                passed++;
                if (verbose) {
                    out.println("PASS " + r.name() + ": " + r.summary());
                }
            } else {
                failed++;
                out.println("FAIL " + r.name() + ": " + (verbose ? r.message() : r.summary()));
            }
            progress.step(", " + failed + " failed");
        }
        if (passed + failed == 0) {
            err.println("qbn4j conformance: no case in " + dir + " (a case is a sub-folder with a layer.json)");
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 && passed > 0 ? Main.EXIT_OK : Main.EXIT_CASES_FAILED;
    }
}
