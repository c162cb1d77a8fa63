package io.github.qbn4j.conformance;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.Reference;
import io.github.qbn4j.io.FileFormatException;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.io.NpyArray;
import io.github.qbn4j.io.Npz;
import io.github.qbn4j.io.QTensorFiles;
import io.github.qbn4j.io.ReferenceFiles;
import io.github.qbn4j.layer.Plan;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.QTensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A conformance suite in the interchange format: a folder of case folders, each holding
 * {@code layer.json}, {@code weights.npz}, {@code x.npz} and either {@code y.npz} (the output
 * quantizeml computed) or {@code error.txt} (the Python exception quantizeml raised: its class name on
 * the first line, its message after), and optionally {@code trace.npz} (intermediates).
 *
 * <p><b>Which profile.</b> quantizeml's bits depend on the CPU and the execution mode that produced
 * them ({@link Reference}). A suite names its profile in a {@code reference.json} at its root
 * ({@link ReferenceFiles}); without one it is taken to be {@link Reference#defaults()}.
 * {@link #withReference} overrides it, and {@link #diagnose} tries several profiles on one case.
 * Each {@code layer.json} may carry the quantizeml release of its configuration
 * ({@code "quantizeml": "0.17.1"}, {@link LayerFiles}); a case whose marker names another release
 * than the suite's {@code reference.json} <b>fails</b> (a suite holds one release, and the marker
 * decides how the configuration is read). Without a {@code reference.json} or an explicit profile,
 * each case runs under its marker's release.
 *
 * <p><b>When a case passes.</b>
 * <ul>
 *   <li>With {@code y.npz}: qbn4j reads the layer and the input, and the output equals
 *       {@code y.npz} exactly ({@link TensorComparison}) through every path a service may run:
 *       {@link QuantizedBatchNormalization#call(QTensor, Reference)}, and a compiled {@link Plan} on
 *       every kernel available in this JVM (the float32 kernel always, the integer kernels where their
 *       bound is proven, the vector kernels where {@code jdk.incubator.vector} is present).</li>
 *   <li>With {@code error.txt}: qbn4j refuses the case, while reading it or calling the layer, with
 *       an {@link IllegalArgumentException} or a {@link FileFormatException}. A
 *       {@link QuantizationException} names the Python class quantizeml raises for the same input;
 *       if that class differs from the one in {@code error.txt}, the case <b>fails</b>: both
 *       libraries must refuse for the same reason. A plain {@code IllegalArgumentException} is a
 *       check qbn4j makes on its own and passes a case of any class. Compiling and applying a plan
 *       must refuse the case as well.</li>
 *   <li>With {@code trace.npz}, additionally, every intermediate it holds equals the one qbn4j
 *       computes: the folded parameters ({@link QuantizedBatchNormalization#fold(QTensor)}: {@code a},
 *       {@code b}, their frac bits and shifts, the buffer's frac bits and scale, the output scale,
 *       frac bits and shift) and the per-element tensors {@code x * a}, the buffer and the scaled
 *       buffer. Keys are named as the golden generator names them; an unknown key is a failure, so
 *       that nothing in a trace goes unchecked by mistake. The pre-rounding arguments
 *       ({@code a_scaled}, {@code b_scaled}, {@code qscales_scaled}, {@code out_scaled}) are left
 *       uncompared: each is one float32 operation on compared keys.</li>
 * </ul>
 * Any other exception (a {@code NullPointerException}, an {@code ArithmeticException}, an unreadable
 * file) is a failure, reported with a short stack summary. The message of every result shows both
 * sides; for an error case, the expected Python class and message next to qbn4j's.
 *
 * <pre>{@code
 * ConformanceSuite suite = ConformanceSuite.open(Path.of("src/test/resources/golden/bn-0.5.2"));
 * for (ConformanceSuite.CaseResult r : suite.runAll()) {
 *     if (!r.passed()) {
 *         System.out.println(r.name() + ": " + r.message());
 *     }
 * }
 * }</pre>
 *
 * <p>A suite object holds the folder and its sorted list of case names, fixed when opened; running a
 * case reads its files afresh. Instances are immutable and thread-safe.
 */
public final class ConformanceSuite {

    /** The file that makes a sub-folder a case. */
    public static final String LAYER_JSON = LayerFiles.LAYER_JSON;
    /** The layer's weights. */
    public static final String WEIGHTS_NPZ = LayerFiles.WEIGHTS_NPZ;
    /** The input tensor. */
    public static final String X_NPZ = "x.npz";
    /** The expected output tensor. */
    public static final String Y_NPZ = "y.npz";
    /** The expected error, instead of {@code y.npz}. */
    public static final String ERROR_TXT = "error.txt";
    /** The optional intermediates. */
    public static final String TRACE_NPZ = "trace.npz";

    private static final int STACK_FRAMES = 6;

    private final Path directory;
    private final List<String> caseNames;
    private final Reference declared;
    private final Reference override;

    private ConformanceSuite(Path directory, List<String> caseNames, Reference declared, Reference override) {
        this.directory = directory;
        this.caseNames = caseNames;
        this.declared = declared;
        this.override = override;
    }

    /**
     * Opens a suite: every direct sub-folder of {@code suiteDir} that contains {@code layer.json} is a
     * case, named by the sub-folder, in lexicographic order; {@code reference.json}, if present, names
     * the profile. Nothing else is read yet.
     *
     * @param suiteDir the suite folder
     * @return the suite (possibly with no case)
     * @throws java.nio.file.NotDirectoryException if {@code suiteDir} is not a directory
     * @throws FileFormatException if the suite's {@code reference.json} is malformed
     * @throws IOException if the folder cannot be listed
     * @throws NullPointerException if {@code suiteDir} is null
     */
    public static ConformanceSuite open(Path suiteDir) throws IOException {
        Objects.requireNonNull(suiteDir, "suiteDir");
        if (!Files.isDirectory(suiteDir)) {
            throw new java.nio.file.NotDirectoryException(suiteDir + " (a conformance suite must be a directory)");
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> children = Files.list(suiteDir)) {
            for (Path child : (Iterable<Path>) children::iterator) {
                if (Files.isDirectory(child) && Files.isRegularFile(child.resolve(LAYER_JSON))) {
                    names.add(child.getFileName().toString());
                }
            }
        }
        Collections.sort(names);
        Reference declared = ReferenceFiles.readIfPresent(suiteDir).orElse(null);
        return new ConformanceSuite(suiteDir, Collections.unmodifiableList(names), declared, null);
    }

    /**
     * Finds the suites at and below a folder: {@code root} itself if it holds a case, and every folder
     * below it that holds one, each opened with {@link #open} and so run under its <em>own</em>
     * {@code reference.json} (never a parent folder's). Suites come in path order, a folder before the
     * folders inside it. A case folder is not searched further, and symbolic links to folders below
     * {@code root} are not followed (a link cannot make the search loop). Folders without a case are
     * searched but not returned.
     *
     * <pre>{@code
     * for (ConformanceSuite suite : ConformanceSuite.discover(Path.of("src/test/resources/golden"))) {
     *     System.out.println(suite.directory() + " under " + suite.reference());
     * }
     * }</pre>
     *
     * @param root the folder to search
     * @return the suites, possibly none; {@code root}'s own first when it holds a case
     * @throws java.nio.file.NotDirectoryException if {@code root} is not a directory
     * @throws FileFormatException if a suite's {@code reference.json} is malformed
     * @throws IOException if a folder cannot be listed
     * @throws NullPointerException if {@code root} is null
     */
    public static List<ConformanceSuite> discover(Path root) throws IOException {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new java.nio.file.NotDirectoryException(root + " (a folder of conformance suites must be a directory)");
        }
        List<ConformanceSuite> suites = new ArrayList<>();
        java.util.Deque<Path> pending = new java.util.ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            Path dir = pending.pop();
            List<Path> subfolders = new ArrayList<>();
            boolean hasCase = false;
            try (Stream<Path> children = Files.list(dir)) {
                for (Path child : (Iterable<Path>) children::iterator) {
                    if (Files.isDirectory(child) && Files.isRegularFile(child.resolve(LAYER_JSON))) {
                        hasCase = true;
                    } else if (Files.isDirectory(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        subfolders.add(child);
                    }
                }
            }
            if (hasCase) {
                suites.add(open(dir));
            }
            subfolders.sort(Collections.reverseOrder());
            for (Path sub : subfolders) {
                pending.push(sub); // reverse order onto a stack: visited in path order
            }
        }
        return Collections.unmodifiableList(suites);
    }

    /**
     * Returns the profile the suite's {@code reference.json} names.
     *
     * @return the declared profile, or empty when the suite has no {@code reference.json}
     */
    public Optional<Reference> declaredReference() {
        return Optional.ofNullable(declared);
    }

    /**
     * Returns the profile {@link #run(String)} reproduces: the one given to {@link #withReference}, else
     * the declared one, else {@link Reference#defaults()}.
     *
     * @return the profile
     */
    public Reference reference() {
        return override != null ? override : declared != null ? declared : Reference.defaults();
    }

    /**
     * Returns this suite run under another profile than the one it declares.
     *
     * @param reference the profile
     * @return a suite over the same cases
     */
    public ConformanceSuite withReference(Reference reference) {
        return new ConformanceSuite(directory, caseNames, declared, Objects.requireNonNull(reference, "reference"));
    }

    /**
     * Returns the suite folder.
     *
     * @return the path given to {@link #open}
     */
    public Path directory() {
        return directory;
    }

    /**
     * Returns the case names, sorted.
     *
     * @return an unmodifiable list
     */
    public List<String> caseNames() {
        return caseNames;
    }

    /**
     * Runs every case, in order.
     *
     * @return one result per case, in {@link #caseNames()} order
     */
    public List<CaseResult> runAll() {
        List<CaseResult> results = new ArrayList<>();
        for (String name : caseNames) {
            results.add(run(name));
        }
        return Collections.unmodifiableList(results);
    }

    /**
     * Runs one case (see the class description for when it passes). Never throws for a problem of the
     * case itself: that is a failed result.
     *
     * @param caseName one of {@link #caseNames()}
     * @return the result
     * @throws IllegalArgumentException if {@code caseName} is not a case of this suite
     * @throws NullPointerException if {@code caseName} is null
     */
    public CaseResult run(String caseName) {
        return run(caseName, reference(), override == null && declared == null);
    }

    /**
     * Runs one case under a given profile (see the class description for when it passes).
     *
     * @param caseName one of {@link #caseNames()}
     * @param reference the profile
     * @return the result
     * @throws IllegalArgumentException if {@code caseName} is not a case of this suite
     * @throws NullPointerException if an argument is null
     */
    public CaseResult run(String caseName, Reference reference) {
        return run(caseName, reference, false);
    }

    private CaseResult run(String caseName, Reference reference, boolean followMarker) {
        Objects.requireNonNull(caseName, "caseName");
        Objects.requireNonNull(reference, "reference");
        if (!caseNames.contains(caseName)) {
            throw new IllegalArgumentException("caseName must be one of the " + caseNames.size()
                    + " cases of " + directory + ", got \"" + caseName + "\"");
        }
        Path dir = directory.resolve(caseName);
        boolean hasY = Files.exists(dir.resolve(Y_NPZ));
        boolean hasError = Files.exists(dir.resolve(ERROR_TXT));
        if (hasY == hasError) {
            return fail(caseName, "the case must hold exactly one of " + Y_NPZ + " and " + ERROR_TXT + ", it has "
                    + (hasY ? "both" : "neither"));
        }

        // The expected side: a problem here is a broken suite, never a pass.
        ExpectedError expectedError = null;
        QTensor expected = null;
        Map<String, NpyArray> trace = null;
        try {
            if (hasError) {
                expectedError = ExpectedError.parse(Files.readString(dir.resolve(ERROR_TXT), StandardCharsets.UTF_8));
            } else {
                expected = QTensorFiles.read(dir.resolve(Y_NPZ));
            }
            if (Files.exists(dir.resolve(TRACE_NPZ))) {
                trace = Npz.read(dir.resolve(TRACE_NPZ));
            }
        } catch (IOException | RuntimeException e) {
            return fail(caseName, "cannot read the expected results: " + summary(e));
        }

        // qbn4j's side.
        QuantizedBatchNormalization layer = null;
        QTensor x = null;
        QTensor actual;
        try {
            layer = LayerFiles.read(dir.resolve(LAYER_JSON), dir.resolve(WEIGHTS_NPZ));
            Reference.Quantizeml marker = layer.reference().quantizeml();
            if (followMarker) {
                reference = reference.withQuantizeml(marker);
            } else if (declared != null && marker != declared.quantizeml()) {
                return fail(caseName, LAYER_JSON + " says quantizeml " + marker.version() + " (its \"quantizeml\" key"
                        + ", absent meaning 0.5.2), but the suite's reference.json says quantizeml "
                        + declared.quantizeml().version() + ": a suite must hold one release");
            }
            x = QTensorFiles.read(dir.resolve(X_NPZ));
            actual = layer.call(x, reference);
        } catch (FileFormatException e) {
            if (e.exceedsLimit()) {
                // too large for the budget is not a refusal quantizeml would make: the case fails, the run goes on
                return fail(caseName, "refused by the read limits: " + summary(e));
            }
            return rejected(caseName, expectedError, e);
        } catch (IllegalArgumentException e) {
            CaseResult result = rejected(caseName, expectedError, e);
            if (result.passed() && layer != null && x != null) {
                String planProblem = planAccepts(layer, x, reference);
                if (planProblem != null) {
                    return fail(caseName, planProblem + "\n  expected " + expectedError);
                }
            }
            return result;
        } catch (OutOfMemoryError | StackOverflowError e) {
            return fail(caseName, "qbn4j ran out of memory or stack: " + e);
        } catch (Exception | AssertionError e) {
            return fail(caseName, "qbn4j failed unexpectedly: " + summary(e)
                    + (expectedError == null ? "" : "\n  expected " + expectedError));
        }
        if (expectedError != null) {
            return fail(caseName, "expected " + expectedError.className + ", but qbn4j produced an output: "
                    + actual + "\n  expected " + expectedError);
        }

        TensorComparison cmp = TensorComparison.compare(expected, actual);
        String paths = "call";
        if (cmp.matches()) {
            PlanOutcome plans = checkPlans(layer, x, expected, reference);
            if (plans.problem != null) {
                return fail(caseName, plans.problem);
            }
            paths = "call, plan on " + plans.kernels;
        }
        List<String> traceProblems = new ArrayList<>();
        String traceSummary = "";
        if (trace != null) {
            try {
                TraceKeys.Outcome outcome = TraceKeys.compare(trace, layer, x, layer.fold(x, reference));
                traceProblems.addAll(outcome.problems);
                traceSummary = "; trace matches (" + outcome.checked + " keys"
                        + (outcome.notChecked.isEmpty() ? "" : ", not compared: " + outcome.notChecked) + ")";
            } catch (Exception | AssertionError e) {
                traceProblems.add("trace: qbn4j cannot fold the input: " + summary(e));
            }
        }
        if (cmp.matches() && traceProblems.isEmpty()) {
            return new CaseResult(caseName, true, "output matches (" + paths + "): "
                    + cmp.report().substring("tensors match: ".length()) + traceSummary);
        }
        StringBuilder sb = new StringBuilder();
        if (!cmp.matches()) {
            sb.append("output differs: ").append(cmp.firstMismatch().orElseThrow());
            if (!traceProblems.isEmpty()) {
                sb.append(" (and ").append(traceProblems.get(0)).append(')');
            }
            sb.append('\n').append(cmp.report());
        } else {
            sb.append(traceProblems.get(0)).append(" (the output matches)");
        }
        for (String p : traceProblems) {
            sb.append("\n  ").append(p);
        }
        return fail(caseName, sb.toString());
    }

    /**
     * Runs one case under each of several profiles, to find which produced it: the diagnosis for
     * vectors that came from an unknown machine or execution mode.
     *
     * @param caseName one of {@link #caseNames()}
     * @param candidates the profiles to try, in the order to report them
     * @return the profiles that reproduce the case, and the result under each candidate
     * @throws IllegalArgumentException if {@code caseName} is not a case of this suite
     */
    public Diagnosis diagnose(String caseName, List<Reference> candidates) {
        Objects.requireNonNull(candidates, "candidates");
        List<Reference> matching = new ArrayList<>();
        List<CaseResult> results = new ArrayList<>();
        for (Reference r : candidates) {
            CaseResult result = run(caseName, r);
            results.add(result);
            if (result.passed()) {
                matching.add(r);
            }
        }
        return new Diagnosis(caseName, List.copyOf(matching), List.copyOf(candidates), List.copyOf(results));
    }

    /**
     * Which of several profiles reproduce one case.
     *
     * @param name the case name
     * @param matching the candidates under which the case passes, in candidate order
     * @param candidates every profile tried
     * @param results the result under each candidate, in candidate order
     */
    public record Diagnosis(String name, List<Reference> matching, List<Reference> candidates,
            List<CaseResult> results) {

        /**
         * Creates a diagnosis.
         *
         * @param name the case name
         * @param matching the matching candidates
         * @param candidates every profile tried
         * @param results one result per candidate
         */
        public Diagnosis {
            Objects.requireNonNull(name, "name");
            matching = List.copyOf(matching);
            candidates = List.copyOf(candidates);
            results = List.copyOf(results);
        }

        /**
         * Whether at least one candidate reproduces the case.
         *
         * @return true if {@link #matching()} is not empty
         */
        public boolean matchesAny() {
            return !matching.isEmpty();
        }
    }

    /** What the compiled plans gave: the kernels run, or the first problem. */
    private static final class PlanOutcome {
        final List<Plan.Kernel> kernels = new ArrayList<>();
        String problem;
    }

    /**
     * The fast path: a plan compiled for the input's format, on every kernel this JVM can run, must
     * give the expected output too.
     */
    private static PlanOutcome checkPlans(QuantizedBatchNormalization layer, QTensor x, QTensor expected,
            Reference reference) {
        PlanOutcome outcome = new PlanOutcome();
        Plan plan;
        try {
            plan = layer.compile(x, reference);
        } catch (RuntimeException e) {
            outcome.problem = "call gives the expected output, but compiling a plan fails: " + summary(e);
            return outcome;
        }
        for (Plan.Kernel kernel : Plan.Kernel.values()) {
            if (!plan.canRun(kernel)) {
                continue;
            }
            try {
                TensorComparison cmp = TensorComparison.compare(expected, plan.withKernel(kernel).apply(x));
                if (!cmp.matches()) {
                    outcome.problem = "call gives the expected output, but the plan on " + kernel + " differs: "
                            + cmp.firstMismatch().orElseThrow() + "\n" + cmp.report();
                    return outcome;
                }
            } catch (RuntimeException e) {
                outcome.problem = "call gives the expected output, but the plan on " + kernel + " fails: " + summary(e);
                return outcome;
            }
            outcome.kernels.add(kernel);
        }
        return outcome;
    }

    /** Null when compiling or applying a plan refuses the input, as the call did; else the problem. */
    private static String planAccepts(QuantizedBatchNormalization layer, QTensor x, Reference reference) {
        try {
            layer.compile(x, reference).apply(x);
            return "call refuses the case, but a compiled plan applies it";
        } catch (IllegalArgumentException e) {
            return null;
        } catch (RuntimeException e) {
            return "call refuses the case, but a compiled plan fails otherwise: " + summary(e);
        }
    }

    private static CaseResult rejected(String name, ExpectedError expected, Exception e) {
        String ours = "qbn4j: " + describe(e);
        if (expected == null) {
            return fail(name, "expected an output (" + Y_NPZ + "), but qbn4j rejected the case; " + ours);
        }
        if (e instanceof QuantizationException) {
            String python = ((QuantizationException) e).referenceError().pythonName();
            if (!python.equals(expected.className)) {
                return fail(name, "rejected for another reason: expected " + expected.className + ", qbn4j raises "
                        + python + "\n  expected " + expected + "\n  " + ours);
            }
        }
        return new CaseResult(name, true, "rejected as expected\n  expected " + expected + "\n  " + ours);
    }

    private static String describe(Exception e) {
        if (e instanceof QuantizationException) {
            return ((QuantizationException) e).referenceError().pythonName() + " (QuantizationException): "
                    + e.getMessage();
        }
        if (e instanceof FileFormatException) {
            return "FileFormatException: " + e.getMessage();
        }
        return "IllegalArgumentException (a qbn4j-only check): " + e.getMessage();
    }

    /**
     * A throwable, its message and its first stack frames (and those of its causes' first frame), on
     * one line.
     */
    static String summary(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(STACK_FRAMES, frames.length); i++) {
            sb.append(i == 0 ? " at " : " <- ").append(frames[i]);
        }
        for (Throwable cause = t.getCause(); cause != null && cause != t; cause = cause.getCause()) {
            sb.append("; caused by ").append(cause);
        }
        return sb.toString();
    }

    private static CaseResult fail(String name, String message) {
        return new CaseResult(name, false, message);
    }

    /** The content of an {@code error.txt}. */
    private static final class ExpectedError {
        final String className;
        final String message;

        private ExpectedError(String className, String message) {
            this.className = className;
            this.message = message;
        }

        static ExpectedError parse(String text) {
            String t = text.strip();
            int nl = t.indexOf('\n');
            String cls = (nl < 0 ? t : t.substring(0, nl)).strip();
            if (cls.isEmpty()) {
                throw new IllegalArgumentException(ERROR_TXT + " must name the Python exception class on its "
                        + "first line, got an empty file");
            }
            return new ExpectedError(cls, nl < 0 ? "" : t.substring(nl + 1).strip());
        }

        @Override
        public String toString() {
            return className + (message.isEmpty() ? "" : ": " + message.replace("\n", " "));
        }
    }

    /**
     * The outcome of one case.
     *
     * @param name the case name (its folder)
     * @param passed whether the case passed
     * @param message what was compared and found: for a failure, the first line says what differs
     *     first, the following lines give details
     */
    public record CaseResult(String name, boolean passed, String message) {

        /**
         * Creates a result.
         *
         * @param name the case name
         * @param passed whether the case passed
         * @param message the description
         * @throws NullPointerException if {@code name} or {@code message} is null
         */
        public CaseResult {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(message, "message");
        }

        /**
         * Returns the first line of the message: for a failure, what differs first.
         *
         * @return the first line
         */
        public String summary() {
            int nl = message.indexOf('\n');
            return nl < 0 ? message : message.substring(0, nl);
        }
    }
}
