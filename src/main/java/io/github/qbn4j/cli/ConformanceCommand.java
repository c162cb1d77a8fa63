package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.conformance.ConformanceSuite;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code qbn4j conformance}: runs a conformance suite, or every suite below a folder. */
final class ConformanceCommand {

    static final String USAGE = String.join("\n",
            "Usage: qbn4j conformance [--cpu CPU|auto] [--mode MODE|auto] [--quantizeml V] [--verbose]",
            "                         [--quiet] SUITE_DIR",
            "",
            "Runs every case of SUITE_DIR (each sub-folder with a layer.json: weights.npz, x.npz, and",
            "y.npz or error.txt, optionally trace.npz). Outputs are compared exactly: values, value",
            "bits, frac bits and scales. An error.txt case passes when qbn4j refuses the case for the",
            "same reason. Prints one line per failing case with the first mismatch and ends with the",
            "line \"N passed, M failed\". Suites of " + Progress.MIN_ITEMS + " cases or more report progress on",
            "standard error each time another tenth of the cases is done.",
            "",
            "A folder of suites works too (e.g. src/test/resources/golden): every folder at or below",
            "SUITE_DIR that holds cases is a suite. When folders below SUITE_DIR hold cases, every suite is",
            "run under its own reference.json, in a block of its own (\"suite NAME: N cases\", its",
            "profile and failing cases, \"suite NAME: P of N passed\"), and the last line is the total",
            "\"N passed, M failed\".",
            "",
            "Each case is checked through the layer's call and through a compiled plan on every kernel",
            "this JVM can run. The results depend on the profile that produced the suite (quantizeml",
            "release, CPU, eager or graph execution): the suite's reference.json names it, the options",
            "below override it. With auto, every case is run under every profile that auto allows and",
            "the report says which profiles each case matches; a case passes when one of them does.",
            "",
            "Options:",
            ProfileOptions.HELP_AUTO,
            "  --verbose, -v   also print passing cases, and the full message of failing ones",
            "  --quiet, -q     no progress",
            "",
            Main.EXIT_CODES);

    private ConformanceCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws CliException, IOException {
        Args a = Args.parse(argv, ProfileOptions.OPTIONS, Set.of("--verbose", "--quiet"));
        if (a.help()) {
            out.println(USAGE);
            return Main.EXIT_OK;
        }
        String dir = a.single("SUITE_DIR");
        boolean verbose = a.has("--verbose");
        boolean quiet = a.has("--quiet");
        Path root = Path.of(dir);
        List<ConformanceSuite> suites;
        try {
            suites = ConformanceSuite.discover(root);
        } catch (NotDirectoryException e) {
            throw CliException.file(dir + " is not a directory", e);
        }
        if (suites.isEmpty()) {
            // what an empty suite always printed: its profile, the note, and the count
            suites = List.of(ConformanceSuite.open(root));
        }
        boolean single = suites.size() == 1 && suites.get(0).directory().equals(root);
        int[] total = new int[2];
        for (ConformanceSuite suite : suites) {
            String name = single ? dir : relative(root, suite.directory());
            if (!single) {
                out.println("suite " + name + ": " + suite.caseNames().size()
                        + (suite.caseNames().size() == 1 ? " case" : " cases"));
            }
            int[] counts = runSuite(a, suite, dir, verbose, quiet, out, err);
            if (!single) {
                out.println("suite " + name + ": " + counts[0] + " of " + (counts[0] + counts[1]) + " passed");
            }
            total[0] += counts[0];
            total[1] += counts[1];
        }
        out.println(total[0] + " passed, " + total[1] + " failed");
        return total[1] == 0 && total[0] > 0 ? Main.EXIT_OK : Main.EXIT_CASES_FAILED;
    }

    /** The suite's folder relative to the folder given, e.g. {@code bn-0.5.2}, or "." for the folder itself. */
    private static String relative(Path root, Path suite) {
        String r = root.relativize(suite).toString();
        return r.isEmpty() ? "." : r;
    }

    /**
     * Runs one suite under its own profile (its reference.json, then the options), printing its block
     * of results.
     *
     * @return the counts of passed and failed cases
     */
    private static int[] runSuite(Args a, ConformanceSuite suite, String dir, boolean verbose, boolean quiet,
            PrintStream out, PrintStream err) throws CliException, IOException {
        Reference base = suite.declaredReference().orElse(Reference.defaults());
        String origin = suite.declaredReference().isPresent() ? "reference.json" : "default";
        if (ProfileOptions.auto(a)) {
            return diagnose(suite, ProfileOptions.candidates(a, base), dir, verbose, quiet, out, err);
        }
        Reference reference = ProfileOptions.resolve(a, base);
        if (!reference.equals(base)) {
            origin = "options over " + origin;
        }
        suite = suite.withReference(reference);
        out.println("profile: " + reference + " (" + origin + ")");
        List<String> names = suite.caseNames();
        Progress progress = Progress.tenths(err, "conformance", "cases", names.size(), quiet);
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
        return new int[] {passed, failed};
    }

    /**
     * Runs every case under every candidate profile: one line per case that not every candidate
     * reproduces (every case with --verbose), then how many cases each profile reproduces.
     *
     * @return the counts of cases some profile reproduces and of cases none does
     */
    private static int[] diagnose(ConformanceSuite suite, List<Reference> candidates, String dir, boolean verbose,
            boolean quiet, PrintStream out, PrintStream err) {
        out.println("profiles tried: " + candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            out.println("  [" + (i + 1) + "] " + candidates.get(i));
        }
        List<String> names = suite.caseNames();
        Progress progress = Progress.tenths(err, "conformance", "cases", names.size(), quiet);
        int[] perProfile = new int[candidates.size()];
        int passed = 0;
        int failed = 0;
        for (String name : names) {
            ConformanceSuite.Diagnosis d = suite.diagnose(name, candidates);
            Set<Reference> matching = new HashSet<>(d.matching());
            for (int i = 0; i < candidates.size(); i++) {
                if (matching.contains(candidates.get(i))) {
                    perProfile[i]++;
                }
            }
            if (d.matchesAny()) {
                passed++;
            } else {
                failed++;
            }
            if (!d.matchesAny()) {
                out.println("FAIL " + name + ": matches no profile; under [1]: "
                        + (verbose ? d.results().get(0).message() : d.results().get(0).summary()));
            } else if (verbose || d.matching().size() < candidates.size()) {
                out.println("MATCH " + name + ": " + d.matching().stream()
                        .map(r -> "[" + (candidates.indexOf(r) + 1) + "]").collect(Collectors.joining(" ")));
            }
            progress.step(", " + failed + " match no profile");
        }
        if (names.isEmpty()) {
            err.println("qbn4j conformance: no case in " + dir + " (a case is a sub-folder with a layer.json)");
        }
        for (int i = 0; i < candidates.size(); i++) {
            out.println("profile [" + (i + 1) + "] " + candidates.get(i) + ": " + perProfile[i] + " of " + names.size()
                    + " cases");
        }
        return new int[] {passed, failed};
    }
}
