package io.github.qbn4j.io;

import io.github.qbn4j.layer.QuantizedBatchNormalization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every file reader must do with any input, however corrupt: return, or throw one of the
 * documented exceptions — {@link FileFormatException} (naming the file) for a corrupt file,
 * {@link IllegalArgumentException} for content that is well formed but refused, another
 * {@link IOException} for I/O — within a time bound and an allocation bound. Never an
 * {@code OutOfMemoryError}, {@code StackOverflowError}, {@code NegativeArraySizeException},
 * {@code ArithmeticException}, {@code ClassCastException}, {@code NullPointerException},
 * {@code IndexOutOfBoundsException} or any other throwable, and never a hang.
 *
 * <p>Used by the corpus test of the ordinary build ({@code FuzzCorpusTest}) and by the Jazzer fuzz tests
 * of {@code -Pfuzz}. {@link #check} throws an {@link AssertionError} describing the input (as hex) and the
 * offending throwable when the contract is broken.
 */
public final class FuzzContract {

    /** The readers under test, named as their corpus folders. */
    public enum Reader {
        /** {@link Npy#read(Path)} and {@link Npy#read(java.io.InputStream, String)}. */
        NPY("npy", ".npy"),
        /** {@link Npz#read(Path, ReadLimits)} with {@link #LIMITS}. */
        NPZ("npz", ".npz"),
        /** {@link QTensorFiles#read(Path, ReadLimits)} with {@link #LIMITS}. */
        QTENSOR("qtensor", ".npz"),
        /** {@link LayerFiles#read(Path, Path)} of a fuzzed {@code layer.json} with valid weights. */
        LAYER_JSON("layer-json", ".json"),
        /** {@link KerasModels#loadAll}, {@link KerasModels#loadAllQuantized} and {@link KerasModels#loadWeights}. */
        KERAS_H5("keras-h5", ".h5"),
        /** {@link KerasModels#loadAll} of a {@code .keras} archive. */
        KERAS_ARCHIVE("keras-archive", ".keras");

        private final String folder;
        private final String suffix;

        Reader(String folder, String suffix) {
            this.folder = folder;
            this.suffix = suffix;
        }

        /**
         * Returns the corpus folder name.
         *
         * @return e.g. {@code layer-json}
         */
        public String folder() {
            return folder;
        }

        /**
         * Finds a reader by folder name.
         *
         * @param folder the folder name
         * @return the reader
         */
        public static Reader of(String folder) {
            for (Reader r : values()) {
                if (r.folder.equals(folder)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("reader must be one of the corpus folders, got " + folder);
        }
    }

    /** Per-input time bound of every reader, in milliseconds ({@code -Dqbn4j.fuzz.timeoutMs}). */
    static final long TIMEOUT_MS = Long.getLong("qbn4j.fuzz.timeoutMs", 1000);

    /**
     * The budget the NPZ and quantized-tensor readers are given (issue 11): a well-formed archive may
     * honestly inflate to anything, so the allocation bound holds only under a read budget; at most 2^18
     * elements and 2 MiB per tensor, 4 MiB per file.
     */
    static final ReadLimits LIMITS = ReadLimits.of(1L << 18, 2L << 20, 4L << 20);

    /** Per-input allocation bound: the readers cap what a file's declared sizes may make them allocate. */
    static long allocationBound(Reader reader, int inputLength) {
        long base = reader == Reader.KERAS_H5 || reader == Reader.KERAS_ARCHIVE ? 160L << 20 : 24L << 20;
        return base + 64L * inputLength;
    }

    /**
     * {@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes}, reached by reflection: the tests
     * compile inside the module, which does not read {@code java.management}.
     */
    private static final java.lang.reflect.Method ALLOCATED;
    private static final Object THREADS;

    static {
        try {
            THREADS = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long allocatedBytes() {
        try {
            return (Long) ALLOCATED.invoke(THREADS);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Reader reader;
    private final Path dir;
    private final Path input;
    private final Path weights;
    private ExecutorService worker;
    private boolean inline;
    private boolean warmingUp;

    /**
     * Creates a checker with its own temporary folder (the fuzzed bytes are written to a file there).
     *
     * @param reader the reader to check
     */
    public FuzzContract(Reader reader) {
        this.reader = reader;
        try {
            this.dir = Files.createTempDirectory("qbn4j-fuzz-" + reader.folder);
            this.input = dir.resolve("input" + reader.suffix);
            this.weights = dir.resolve("weights.npz");
            if (reader == Reader.LAYER_JSON) {
                Npz.write(weights, Map.of(
                        "gamma", NpyArray.ofFloat32(new int[] {2}, new float[] {1f, 2f}),
                        "beta", NpyArray.ofFloat32(new int[] {2}, new float[] {0.5f, -1f}),
                        "moving_mean", NpyArray.ofFloat32(new int[] {2}, new float[] {1f, -2f}),
                        "moving_variance", NpyArray.ofFloat32(new int[] {2}, new float[] {3.999f, 0.999f})));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.worker = newWorker();
    }

    /**
     * A checker that has already read the seeds of its reader's corpus once, so that loading classes
     * (Jackson, jhdf) does not count against the first inputs' time bound.
     *
     * @param reader the reader to check
     * @return the checker
     */
    public static FuzzContract warmedUp(Reader reader) {
        FuzzContract contract = new FuzzContract(reader);
        contract.warmingUp = true;
        Path corpus = Path.of("src", "test", "resources", "fuzz-corpus", reader.folder);
        try (java.util.stream.Stream<Path> files = Files.list(corpus)) {
            for (Path seed : files.filter(f -> f.getFileName().toString().startsWith("seed-")).sorted().toList()) {
                try {
                    contract.check(Files.readAllBytes(seed));
                } catch (AssertionError ignored) {
                    // the corpus test reports it; here only the classes matter
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        contract.warmingUp = false;
        return contract;
    }

    /**
     * Reads on the calling thread and checks the time bound afterwards, instead of on a worker thread that
     * is abandoned when it overruns: for Jazzer, whose own {@code -timeout} ends a hung run, and which
     * follows coverage on the fuzzing thread.
     *
     * @return this checker
     */
    public FuzzContract inline() {
        this.inline = true;
        return this;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-reader");
            t.setDaemon(true);
            return t;
        });
    }

    /** What one input did: accepted, or refused with a documented exception. */
    public enum Outcome {
        /** The reader returned normally. */
        ACCEPTED,
        /** A {@link FileFormatException}. */
        CORRUPT,
        /** An {@link IllegalArgumentException}. */
        REFUSED,
        /** Another {@link IOException}. */
        IO
    }

    /**
     * Runs the reader on {@code bytes} and checks the contract.
     *
     * @param bytes the file content
     * @return how the reader answered
     * @throws AssertionError if the contract is broken
     */
    public Outcome check(byte[] bytes) {
        try {
            Files.write(input, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Object[] result;
        // the warm-up loads classes (Jackson, jhdf): only the exception contract applies to it
        boolean waived = warmingUp;
        long bound = waived ? TimeUnit.MINUTES.toMillis(10) : TIMEOUT_MS;
        if (inline) {
            long start = System.nanoTime();
            long before = allocatedBytes();
            List<Throwable> t = read();
            result = new Object[] {t, allocatedBytes() - before};
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (elapsed > bound) {
                throw new AssertionError(reader.folder + " reader took " + elapsed + " ms (bound " + bound + " ms) on "
                        + describe(bytes));
            }
        } else {
            Future<Object[]> f = worker.submit(() -> {
                long before = allocatedBytes();
                List<Throwable> t = read();
                return new Object[] {t, allocatedBytes() - before};
            });
            try {
                result = f.get(bound, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                worker.shutdownNow();
                worker = newWorker();
                throw new AssertionError(reader.folder + " reader took more than " + bound + " ms on "
                        + describe(bytes));
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError(e);
            }
        }
        @SuppressWarnings("unchecked")
        List<Throwable> thrown = (List<Throwable>) result[0];
        long allocated = (Long) result[1];
        if (!waived && allocated > allocationBound(reader, bytes.length)) {
            throw new AssertionError(reader.folder + " reader allocated " + allocated + " bytes (bound "
                    + allocationBound(reader, bytes.length) + ") on " + describe(bytes));
        }
        Outcome outcome = Outcome.ACCEPTED;
        for (Throwable t : thrown) {
            Outcome o = classify(t, bytes);
            if (outcome == Outcome.ACCEPTED) {
                outcome = o;
            }
        }
        return outcome;
    }

    private Outcome classify(Throwable thrown, byte[] bytes) {
        if (thrown == null) {
            return Outcome.ACCEPTED;
        }
        if (thrown instanceof FileFormatException) {
            String message = thrown.getMessage();
            // the fuzzed file, or for a layer.json the weights file it leads to
            if (message == null || !message.contains(dir.toString())) {
                throw new AssertionError(reader.folder + " reader threw a FileFormatException that does not name the"
                        + " file, on " + describe(bytes) + ": " + message, thrown);
            }
            return Outcome.CORRUPT;
        }
        if (thrown instanceof IllegalArgumentException) {
            return Outcome.REFUSED;
        }
        if (thrown instanceof IOException) {
            return Outcome.IO;
        }
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        throw new AssertionError(reader.folder + " reader threw " + thrown.getClass().getName()
                + ", not a documented exception, on " + describe(bytes) + "\n" + trace, thrown);
    }

    /** A call of the reader; what it throws is collected. */
    @FunctionalInterface
    private interface Read {
        void run() throws Throwable;
    }

    private static void attempt(List<Throwable> thrown, Read read) {
        try {
            read.run();
            thrown.add(null);
        } catch (Throwable t) {
            thrown.add(t);
        }
    }

    /** Every entry point of the reader, each on its own: one result (null or a throwable) per call. */
    private List<Throwable> read() {
        List<Throwable> thrown = new java.util.ArrayList<>();
        switch (reader) {
            case NPY:
                attempt(thrown, () -> Npy.read(input));
                attempt(thrown, () -> Npy.read(new ByteArrayInputStream(Files.readAllBytes(input)),
                        input.toString()));
                break;
            case NPZ:
                attempt(thrown, () -> Npz.read(input, LIMITS));
                break;
            case QTENSOR:
                attempt(thrown, () -> QTensorFiles.read(input, LIMITS));
                break;
            case LAYER_JSON:
                attempt(thrown, () -> {
                    QuantizedBatchNormalization bn = LayerFiles.read(input, weights);
                    bn.getConfig();
                });
                break;
            case KERAS_H5:
                attempt(thrown, () -> KerasModels.loadAll(input));
                attempt(thrown, () -> KerasModels.loadAllQuantized(input));
                attempt(thrown, () -> KerasModels.loadWeights(input, KerasBatchNormalization.Spec.of("bn_add")));
                break;
            default:
                attempt(thrown, () -> KerasModels.loadAll(input));
                break;
        }
        return thrown;
    }

    /** The input as hex, shortened past 4 KiB, and its length. */
    static String describe(byte[] bytes) {
        int shown = Math.min(bytes.length, 4096);
        return "an input of " + bytes.length + " bytes: " + HexFormat.of().formatHex(bytes, 0, shown)
                + (shown < bytes.length ? "…" : "");
    }

    /** Stops the worker thread and deletes the temporary folder. */
    public void close() {
        worker.shutdownNow();
        try {
            for (Path p : List.of(input, weights, dir)) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary file is harmless
        }
    }
}
