package io.github.qbn4j;

import io.github.qbn4j.internal.RsqrtEstimate;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * What produced a reference result: the quantizeml release, the CPU it ran on and how the layer was
 * called. quantizeml's float32 results depend on all three, so qbn4j reproduces a result bit for bit
 * only under the profile that produced it.
 *
 * <ul>
 *   <li><b>quantizeml release</b> ({@link Quantizeml}): 0.5.2 on TensorFlow 2.12.1, or 0.17.1 (the
 *       last release with the standalone layer) on TensorFlow 2.15.1; see
 *       {@code docs/quantizeml-0.17.1.md} for what changed between them.</li>
 *   <li><b>CPU</b> ({@link Cpu}): TensorFlow's packet {@code rsqrt} starts from the CPU's
 *       {@code VRSQRTPS} estimate, which differs between vendors, so {@code rsqrt(variance + epsilon)}
 *       (and with it the buffer scale and sometimes integers) depends on the CPU.</li>
 *   <li><b>execution mode</b> ({@link Mode}): under {@code tf.function} or {@code model.predict}
 *       TensorFlow's graph optimizer rewrites some float32 operations of the layer, which changes the
 *       last bit of some scales and, rarely, integers.</li>
 * </ul>
 *
 * <p>The default, {@link #defaults()}, is quantizeml 0.5.2 / Intel / eager, the profile of qbn4j's
 * first golden suite. Immutable and thread-safe; equal profiles are {@link #equals equal}.
 *
 * <pre>{@code
 * Reference amdGraph = Reference.defaults().withCpu(Reference.Cpu.AMD_ZEN4).withMode(Reference.Mode.GRAPH);
 * QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder()
 *         .gamma(1f, 2f).movingVariance(3.999f, 0.999f).reference(amdGraph).build();
 * QTensor y = bn.call(x);                           // as quantizeml computed it on that machine and mode
 * QTensor yIntel = bn.call(x, Reference.defaults()); // the same layer under another profile
 * }</pre>
 */
public final class Reference {

    private static final Reference DEFAULTS = new Reference(Quantizeml.V0_5_2, Cpu.INTEL, Mode.EAGER);

    private final Quantizeml quantizeml;
    private final Cpu cpu;
    private final Mode mode;

    private Reference(Quantizeml quantizeml, Cpu cpu, Mode mode) {
        this.quantizeml = quantizeml;
        this.cpu = cpu;
        this.mode = mode;
    }

    /**
     * Returns quantizeml 0.5.2 on an Intel CPU, called eagerly.
     *
     * @return the default profile
     */
    public static Reference defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a profile.
     *
     * @param quantizeml the quantizeml release
     * @param cpu the CPU whose {@code VRSQRTPS} TensorFlow used
     * @param mode eager or graph execution
     * @return the profile
     * @throws NullPointerException if an argument is null
     */
    public static Reference of(Quantizeml quantizeml, Cpu cpu, Mode mode) {
        return new Reference(Objects.requireNonNull(quantizeml, "quantizeml"), Objects.requireNonNull(cpu, "cpu"),
                Objects.requireNonNull(mode, "mode"));
    }

    /**
     * Returns the quantizeml release.
     *
     * @return the release
     */
    public Quantizeml quantizeml() {
        return quantizeml;
    }

    /**
     * Returns the CPU.
     *
     * @return the CPU
     */
    public Cpu cpu() {
        return cpu;
    }

    /**
     * Returns the execution mode.
     *
     * @return eager or graph
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Returns this profile with another quantizeml release.
     *
     * @param quantizeml the release
     * @return a profile
     */
    public Reference withQuantizeml(Quantizeml quantizeml) {
        return of(quantizeml, cpu, mode);
    }

    /**
     * Returns this profile with another CPU.
     *
     * @param cpu the CPU
     * @return a profile
     */
    public Reference withCpu(Cpu cpu) {
        return of(quantizeml, cpu, mode);
    }

    /**
     * Returns this profile with another execution mode.
     *
     * @param mode the mode
     * @return a profile
     */
    public Reference withMode(Mode mode) {
        return of(quantizeml, cpu, mode);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reference r && quantizeml == r.quantizeml && cpu.equals(r.cpu) && mode == r.mode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(quantizeml, cpu, mode);
    }

    /**
     * Returns the profile as the command line writes it, e.g. {@code quantizeml 0.5.2, cpu intel, mode eager}.
     *
     * @return a short description
     */
    @Override
    public String toString() {
        return "quantizeml " + quantizeml.version() + ", cpu " + cpu.name() + ", mode " + mode.label();
    }

    /** A quantizeml release whose {@code QuantizedBatchNormalization} qbn4j reproduces. */
    public enum Quantizeml {
        /** quantizeml 0.5.2 (the same layer as 0.5.0 and 0.5.1) on TensorFlow 2.12.1. */
        V0_5_2("0.5.2", "2.12.1"),
        /**
         * quantizeml 0.17.1 on TensorFlow 2.15.1: b quantized per channel when its bitwidth is above 4,
         * the output quantizer's promotion to its own {@code buffer_bitwidth}, {@code upscale} rounding
         * through {@code rescale}, TensorFlow 2.15's Newton step in {@code rsqrt}, buffers up to 40 bits
         * ({@code docs/quantizeml-0.17.1.md}).
         */
        V0_17_1("0.17.1", "2.15.1");

        private final String version;
        private final String tensorflow;

        Quantizeml(String version, String tensorflow) {
            this.version = version;
            this.tensorflow = tensorflow;
        }

        /**
         * Returns the release as pip names it.
         *
         * @return e.g. {@code "0.5.2"}
         */
        public String version() {
            return version;
        }

        /**
         * Returns the TensorFlow release whose arithmetic is reproduced with it.
         *
         * @return e.g. {@code "2.12.1"}
         */
        public String tensorflow() {
            return tensorflow;
        }

        /**
         * Finds a release by its version string.
         *
         * @param version e.g. {@code "0.5.2"}
         * @return the release
         * @throws IllegalArgumentException if qbn4j does not reproduce that release
         */
        public static Quantizeml of(String version) {
            Objects.requireNonNull(version, "version");
            for (Quantizeml q : values()) {
                if (q.version.equals(version)) {
                    return q;
                }
            }
            throw new IllegalArgumentException("quantizeml must be one of " + versions() + ", got \"" + version + "\"");
        }

        /**
         * Whether this release is {@code other} or a later one.
         *
         * @param other a release
         * @return true if this release is at least {@code other}
         */
        public boolean isAtLeast(Quantizeml other) {
            return compareTo(Objects.requireNonNull(other, "other")) >= 0;
        }

        private static List<String> versions() {
            return java.util.Arrays.stream(values()).map(Quantizeml::version).toList();
        }
    }

    /** How the reference called the layer. */
    public enum Mode {
        /** {@code layer(x)} outside any {@code tf.function}. */
        EAGER,
        /**
         * Inside {@code tf.function}, as {@code model.predict} and Keras' compiled calls run it:
         * TensorFlow's graph optimizer rewrites some float32 operations first.
         */
        GRAPH;

        /**
         * Returns the mode as the command line and {@code reference.json} write it.
         *
         * @return {@code "eager"} or {@code "graph"}
         */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Finds a mode by its label.
         *
         * @param label {@code "eager"} or {@code "graph"} (any case)
         * @return the mode
         * @throws IllegalArgumentException for any other label
         */
        public static Mode of(String label) {
            Objects.requireNonNull(label, "label");
            for (Mode m : values()) {
                if (m.label().equalsIgnoreCase(label)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mode must be \"eager\" or \"graph\", got \"" + label + "\"");
        }
    }

    /**
     * A CPU, as far as quantizeml's results depend on it: its {@code VRSQRTPS} estimate of
     * {@code 1/sqrt(x)}, which TensorFlow refines with one Newton step on packet lanes.
     *
     * <p>Built in: {@link #INTEL} (Intel Xeon, Sapphire Rapids; the estimate is a lookup on the top
     * 10 mantissa bits) and {@link #AMD_ZEN4} (AMD EPYC family 25 model 17), also known as
     * {@code amd-zen3} (AMD EPYC family 25 model 1: the same estimate, measured on every positive
     * normal float). Another CPU is measured with {@code tools/rsqrtps/dump_rsqrtps.c} and loaded
     * from its output with {@link #load(Path)}; no code change is needed ({@code docs/cpus.md}).
     *
     * <p>Immutable and thread-safe. Two CPUs are equal when their names and estimates are.
     */
    public static final class Cpu {

        /** Largest table file {@link #load} reads. */
        public static final long MAX_TABLE_BYTES = 64L << 20;

        /** Intel Xeon (Sapphire Rapids), where the first golden suite was generated. */
        public static final Cpu INTEL = new Cpu("intel", "rsqrtps-intel.txt.gz", null);
        /** AMD EPYC Zen 4 (family 25 model 17); Zen 3 (family 25 model 1) has the same estimate. */
        public static final Cpu AMD_ZEN4 = new Cpu("amd-zen4", "rsqrtps-amd-zen4.txt.gz", null);
        private static final Cpu AMD_ZEN3 = new Cpu("amd-zen3", "rsqrtps-amd-zen4.txt.gz", null);
        private static final List<Cpu> BUILT_IN = List.of(INTEL, AMD_ZEN4, AMD_ZEN3);

        private final String name;
        private final String resource;
        private volatile RsqrtEstimate estimate;

        private Cpu(String name, String resource, RsqrtEstimate estimate) {
            this.name = name;
            this.resource = resource;
            this.estimate = estimate;
        }

        /**
         * Returns a built-in CPU by name: {@code intel}, {@code amd-zen4} or {@code amd-zen3}.
         *
         * @param name the name (any case)
         * @return the CPU
         * @throws IllegalArgumentException for another name
         */
        public static Cpu named(String name) {
            Objects.requireNonNull(name, "name");
            for (Cpu c : BUILT_IN) {
                if (c.name.equalsIgnoreCase(name)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("cpu must be one of " + builtInNames()
                    + " or a table measured with dump_rsqrtps (see docs/cpus.md), got \"" + name + "\"");
        }

        /**
         * Returns the names of the built-in CPUs.
         *
         * @return {@code [intel, amd-zen4, amd-zen3]}
         */
        public static List<String> builtInNames() {
            return BUILT_IN.stream().map(Cpu::name).toList();
        }

        /**
         * Reads a CPU's estimate from a table written by {@code dump_rsqrtps} (plain text, or
         * gzip-compressed). The CPU is named after the file, without {@code .gz} and {@code .txt}.
         *
         * @param table the file
         * @return the CPU
         * @throws IOException if the file cannot be read, or is larger than {@link #MAX_TABLE_BYTES}
         * @throws IllegalArgumentException if the table is malformed (the message names the file and line)
         */
        public static Cpu load(Path table) throws IOException {
            Objects.requireNonNull(table, "table");
            long size = Files.size(table);
            if (size > MAX_TABLE_BYTES) {
                throw new IOException(table + ": a rsqrtps table must be at most " + MAX_TABLE_BYTES
                        + " bytes, got " + size);
            }
            String file = table.getFileName() == null ? table.toString() : table.getFileName().toString();
            String name = file.replaceFirst("\\.gz$", "").replaceFirst("\\.txt$", "");
            try (InputStream in = Files.newInputStream(table)) {
                return new Cpu(name, null, read(in, table.toString()));
            }
        }

        private static RsqrtEstimate read(InputStream raw, String source) throws IOException {
            BufferedInputStream in = new BufferedInputStream(raw);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            InputStream text = gzip ? new GZIPInputStream(in) : in;
            // A table line is at most a few dozen characters; cap what a hostile file can make us read.
            InputStream bounded = new BoundedInputStream(text, MAX_TABLE_BYTES, source);
            return RsqrtEstimate.parse(new BufferedReader(new InputStreamReader(bounded, StandardCharsets.US_ASCII)),
                    source);
        }

        /**
         * Returns the name.
         *
         * @return e.g. {@code "intel"}, or the file name of a loaded table
         */
        public String name() {
            return name;
        }

        /**
         * Returns {@code VRSQRTPS(x)} on this CPU, the estimate TensorFlow's packet {@code rsqrt} refines.
         * Subnormal inputs are read as zero (TensorFlow runs with DAZ).
         *
         * @param x any float
         * @return the estimate: NaN for NaN and negative inputs, {@code ±inf} for {@code ±0}, 0 for {@code +inf}
         */
        public float rsqrtEstimate(float x) {
            return estimate().estimate(Math.abs(x) < Float.MIN_NORMAL ? x * 0f : x);
        }

        /**
         * Whether two CPUs give the same estimate for every float, whatever their names.
         *
         * @param other another CPU
         * @return true if their tables are equal
         */
        public boolean sameEstimateAs(Cpu other) {
            return estimate().equals(other.estimate());
        }

        private RsqrtEstimate estimate() {
            RsqrtEstimate e = estimate;
            if (e == null) {
                String source = "built-in table " + resource;
                try (InputStream in = RsqrtEstimate.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("the qbn4j jar is missing its " + source);
                    }
                    e = read(in, source);
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot read the " + source, ex);
                }
                estimate = e;
            }
            return e;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cpu c && name.equals(c.name) && (this == c || estimate().equals(c.estimate()));
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Refuses to read past a byte budget (a gzip stream can inflate without bound). */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private final long limit;
        private final String source;
        private long count;

        BoundedInputStream(InputStream in, long limit, String source) {
            super(in);
            this.limit = limit;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                charge(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                charge(n);
            }
            return n;
        }

        private void charge(long n) throws IOException {
            count += n;
            if (count > limit) {
                throw new IOException(source + ": a rsqrtps table must be at most " + limit
                        + " bytes once decompressed, got more");
            }
        }
    }
}
