package io.github.qbn4j.layer;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import io.github.qbn4j.Reference;
import io.github.qbn4j.internal.BnConstants;
import io.github.qbn4j.internal.BnKernel;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.internal.Float32Kernel;
import io.github.qbn4j.internal.Kernels;
import io.github.qbn4j.internal.TensorAccess;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link QuantizedBatchNormalization} compiled for one input format (value bits, fractional bits,
 * scales): every per-channel constant quantizeml 0.5.2 recomputes on each call, computed once, and a
 * kernel that applies them to the caller's channel-last (NHWC) buffers without allocating.
 *
 * <p><b>Arithmetic.</b> For an input integer {@code x} of channel {@code c} (the integer payload of
 * the input tensor, before any expansion), with {@code B} the buffer's value bits and
 * {@code sat_B} the clip to {@code [-2^B, float32(2^B - 1)]}, each step rounded to float32:
 * <pre>
 *   s   = sat_B(sat_B(sat_B(x * 2^inShift[c]) * a[c]) + b[c])           the buffer
 *   out = sat_o(floor(float32(sat_B(s * q[c]) * 2^outShift[c]) + 0.5))   with an output quantizer
 * </pre>
 * Ties of the final rounding go toward +infinity (quantizeml's {@code floor(x + 0.5)}). The result
 * is {@code s} ({@link #resultValueBits()} = {@code B}) without an output quantizer, {@code out}
 * with one. It equals {@link QuantizedBatchNormalization#call} bit for bit: {@link #apply(QTensor)}
 * is the same function on tensors.
 *
 * <p><b>Buffers.</b> Each {@code apply} reads {@code length} elements of {@code in} from
 * {@code inOffset} and writes {@code length} results to {@code out} from {@code outOffset}, in C order
 * with the channel last; {@code length} is a whole number of pixels (a multiple of
 * {@link #channels()}). Offsets and lengths count elements, also for {@link ByteBuffer}s, which are
 * read and written at absolute indices (their positions and limits are not changed; the limit
 * bounds the indices). A {@code ByteBuffer} holds one int8 per element. {@code in} and {@code out}
 * may be the same storage at the same place (in place), not otherwise overlapping. Storage is compared
 * through views: a heap {@code ByteBuffer} is its backing array from {@code arrayOffset()}, a direct one
 * its native address; an overlap that is not exact is refused. Where a view cannot be located (a
 * read-only heap buffer hides its array; before JDK 22 a direct buffer's address is known modulo 2^30
 * only) and could overlap the output, the input is copied before the first write, so the result is
 * that of separate buffers.
 *
 * <p><b>Checks, all before the first write.</b> Indices ({@link IndexOutOfBoundsException}), the
 * length, a read-only output buffer, an output type too narrow for {@link #resultValueBits()}
 * (a {@code byte}/{@code ByteBuffer} holds 7 value bits, {@code short} 15, {@code int} 30 — not 31,
 * because a 31-bit result can be {@code +2^31} — and {@code long} any), and the input values
 * ({@link IllegalArgumentException}). <b>Input integers outside the input format's range</b>
 * {@code [-2^vb, float32(2^vb - 1)]}, or not held exactly by a float32, <b>are rejected</b> with
 * their index: quantizeml would have saturated (or rounded) them when the input tensor was built,
 * so there is no reference result for them. The check reads the input once more, and only when the
 * input type can hold such values (never for int8 input of 7 value bits). If a check fails, nothing
 * has been written.
 *
 * <p><b>Kernels.</b> {@link #kernel()} tells which implementation runs: a readable float32 loop, an
 * integer loop used only when a bound computed at compile time proves it exact, or their SIMD
 * versions when the {@code jdk.incubator.vector} module is present at run time. All give the same
 * bits; the library needs no {@code --add-modules} flag.
 *
 * <p><b>Allocation.</b> {@code apply} on arrays allocates nothing. Types without a fused loop
 * (anything but int8 to int8) and direct {@code ByteBuffer}s go through a scratch area of a few
 * KiB, allocated once per thread and plan. A {@link #parallel parallel} plan allocates its tasks on
 * each call; a {@link #counting counting} plan uses the float32 kernel.
 *
 * <p>Plans are immutable and thread-safe (a counting plan writes to its counters, which are not).
 *
 * <pre>{@code
 * Plan plan = bn.compile(7, FracBits.of(4), null);      // int8 inputs with 4 fractional bits
 * byte[] in = ...;                                       // N*H*W*C values, channel last
 * byte[] out = new byte[in.length];                      // with an 8-bit output quantizer
 * plan.apply(in, 0, out, 0, in.length);
 * plan.parallel(executor, 2).apply(in, 0, out, 0, in.length);   // same bits, two tasks
 * }</pre>
 */
public final class Plan {

    /** The implementations of the element-wise chain. */
    public enum Kernel {
        /** The float32 chain written out literally, one element at a time: exact for every plan. */
        SCALAR_FLOAT32,
        /** {@code (x * A + C) >> K} in {@code int}: only where a compile-time bound proves it exact. */
        SCALAR_INTEGER,
        /** The float32 chain in SIMD lanes ({@code jdk.incubator.vector}): exact for every plan. */
        VECTOR_FLOAT32,
        /** The integer form in SIMD lanes: only where the bound proves it exact. */
        VECTOR_INTEGER;

        boolean isVector() {
            return this == VECTOR_FLOAT32 || this == VECTOR_INTEGER;
        }

        boolean isInteger() {
            return this == SCALAR_INTEGER || this == VECTOR_INTEGER;
        }
    }

    /** Elements per task below which a parallel plan runs on the calling thread. */
    static final int MIN_ELEMENTS_PER_TASK = 1 << 14;

    /** Scratch elements per thread for the widening path (rounded to whole pixels). */
    private static final int CHUNK = 4096;

    private static final int BYTES = 0;
    private static final int SHORTS = 1;
    private static final int INTS = 2;
    private static final int LONGS = 3;
    private static final int BUFFER = 4;
    /** float32 integers: a tensor's storage (input) or a result tensor's (output); never checked here. */
    private static final int FLOATS = 5;
    private static final String[] TYPE_NAMES = {"byte[]", "short[]", "int[]", "long[]", "ByteBuffer", "float[]"};
    private static final int[] TYPE_VALUE_BITS = {7, 15, 30, 63, 7, 31};

    private static final TensorAccess TENSORS = TensorAccess.get();

    private final Compiled compiled;
    private final Kernel kernelKind;
    private final BnKernel kernel;
    private final SaturationCounts counts;
    private final Executor executor;
    private final int tasks;

    /** What all views of one compiled plan share. */
    private static final class Compiled {
        final String layer;
        final int channels;
        final int inputValueBits;
        final FracBits inputFracBits;
        final Scales inputScales;
        final BnConstants constants;
        final int resultValueBits;
        final FracBits resultFracBits;
        final Scales resultScales;
        final ReferenceError[] rankErrorKinds = new ReferenceError[5];
        final String[] rankErrors = new String[5];
        final int chunk;
        final ThreadLocal<Scratch> scratch;

        Compiled(String layer, int channels, int inputValueBits, FracBits inputFracBits, Scales inputScales,
                BnConstants constants, int resultValueBits, FracBits resultFracBits, Scales resultScales) {
            this.layer = layer;
            this.channels = channels;
            this.inputValueBits = inputValueBits;
            this.inputFracBits = inputFracBits;
            this.inputScales = inputScales;
            this.constants = constants;
            this.resultValueBits = resultValueBits;
            this.resultFracBits = resultFracBits;
            this.resultScales = resultScales;
            this.chunk = Math.max(1, CHUNK / channels) * channels;
            this.scratch = ThreadLocal.withInitial(() -> new Scratch(chunk));
        }
    }

    /** Per-thread buffers of the widening path. */
    private static final class Scratch {
        final int[] ints;
        final float[] floats;
        final byte[] inBytes;
        final byte[] outBytes;

        Scratch(int chunk) {
            ints = new int[chunk];
            floats = new float[chunk];
            inBytes = new byte[chunk];
            outBytes = new byte[chunk];
        }
    }

    private Plan(Compiled compiled, Kernel kernelKind, BnKernel kernel, SaturationCounts counts, Executor executor,
            int tasks) {
        this.compiled = compiled;
        this.kernelKind = kernelKind;
        this.kernel = kernel;
        this.counts = counts;
        this.executor = executor;
        this.tasks = tasks;
    }

    /** Compiles a plan from a layer and its folding for one input format. */
    static Plan compile(QuantizedBatchNormalization bn, Folding f, int inputValueBits, FracBits inputFracBits,
            Scales inputScales) {
        int channels = bn.channels();
        long[] a = new long[channels];
        long[] b = new long[channels];
        for (int c = 0; c < channels; c++) {
            a[c] = f.a().valueAt(c);
            b[c] = f.bAligned().valueAt(c);
        }
        OutputQuantizer oq = bn.outputQuantizer();
        int bufferBits = bn.quantConfig().bufferValueBits();
        long[] q = null;
        int[] outShift = null;
        int resultBits = bufferBits;
        FracBits resultFracBits = f.bufferFracBits();
        Scales resultScales = f.bufferScales();
        if (oq != null) {
            FixedPoint scales = f.quantizedOutputScales();
            q = new long[channels];
            for (int c = 0; c < channels; c++) {
                q[c] = scales.valueAt(scales.shape().rank() == 0 ? 0 : c);
            }
            outShift = f.outputShift();
            resultBits = oq.valueBits();
            resultFracBits = f.outputFracBits();
            resultScales = null;
        }
        boolean v017 = f.reference().quantizeml().isAtLeast(Reference.Quantizeml.V0_17_1);
        // quantizeml 0.17.1: a per-axis FixedPoint input is expanded through rescale (it rounds), and the
        // output quantizer promotes the buffer to its own buffer_bitwidth before scaling it
        boolean roundsInput = v017 && inputScales == null && !inputFracBits.isPerTensor();
        int promoted = v017 && oq != null ? oq.promotedValueBits(bufferBits) : bufferBits;
        BnConstants k = BnConstants.of(bufferBits, inputValueBits, f.inputShift(), a, b, q, outShift, resultBits,
                roundsInput, promoted);
        Compiled compiled = new Compiled(bn.name(), channels, inputValueBits, inputFracBits, inputScales, k,
                resultBits, resultFracBits, resultScales);
        for (int rank = 3; rank <= 4; rank++) {
            int[] dims = new int[rank];
            java.util.Arrays.fill(dims, 1);
            dims[rank - 1] = channels;
            FixedPoint zeros = FixedPoint.of(Shape.of(dims), new long[channels], inputValueBits, inputFracBits);
            try {
                bn.fold(inputScales == null ? zeros : QFloat.of(zeros, inputScales), f.reference());
            } catch (QuantizationException e) {
                compiled.rankErrorKinds[rank] = e.referenceError();
                compiled.rankErrors[rank] = e.getMessage();
            }
        }
        Kernel kind = choose(Kernels.vectorAvailable(), k.integerExact(), k.vectorExact());
        return new Plan(compiled, kind, create(kind, k), null, null, 1);
    }

    /**
     * The automatic choice: vector kernels when the module is there, the integer form when proven.
     *
     * @param vectorAvailable whether {@code jdk.incubator.vector} can be used
     * @param integerExact whether the integer form is proven exact
     * @return the kernel to use
     */
    static Kernel choose(boolean vectorAvailable, boolean integerExact) {
        return choose(vectorAvailable, integerExact, true);
    }

    /**
     * The automatic choice when the float32 vector kernel may not be exact for the plan (quantizeml
     * 0.17.1's chain, {@link BnConstants#vectorExact()}): then the scalar float32 kernel.
     */
    static Kernel choose(boolean vectorAvailable, boolean integerExact, boolean vectorFloat32Exact) {
        if (vectorAvailable && (integerExact || vectorFloat32Exact)) {
            return integerExact ? Kernel.VECTOR_INTEGER : Kernel.VECTOR_FLOAT32;
        }
        return integerExact ? Kernel.SCALAR_INTEGER : Kernel.SCALAR_FLOAT32;
    }

    private static BnKernel create(Kernel kind, BnConstants k) {
        switch (kind) {
            case SCALAR_FLOAT32:
                return Kernels.scalarFloat32(k);
            case SCALAR_INTEGER:
                return Kernels.scalarInteger(k);
            case VECTOR_FLOAT32:
                return Kernels.vector(k, false);
            default:
                return Kernels.vector(k, true);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Description and views

    /**
     * Returns the channel count.
     *
     * @return the elements per pixel
     */
    public int channels() {
        return compiled.channels;
    }

    /**
     * Returns the value bits of the input format this plan was compiled for.
     *
     * @return the input value bits
     */
    public int inputValueBits() {
        return compiled.inputValueBits;
    }

    /**
     * Returns the fractional bits of the input format.
     *
     * @return per-tensor or per-axis fractional bits
     */
    public FracBits inputFracBits() {
        return compiled.inputFracBits;
    }

    /**
     * Returns the scales of the input format.
     *
     * @return the scales of a QFloat input, or null for a FixedPoint input
     */
    public Scales inputScales() {
        return compiled.inputScales;
    }

    /**
     * Whether the layer has an output quantizer.
     *
     * @return true if results are the output quantizer's, false if they are the buffer
     */
    public boolean hasOutputQuantizer() {
        return compiled.constants.hasOutputQuantizer();
    }

    /**
     * Returns the value bits of the results: the output quantizer's, or the buffer's.
     *
     * @return the value bits, so results lie in {@code [-2^vb, float32(2^vb - 1)]}
     */
    public int resultValueBits() {
        return compiled.resultValueBits;
    }

    /**
     * Returns the fractional bits of the results.
     *
     * @return the output quantizer's fractional bits, or the buffer's
     */
    public FracBits resultFracBits() {
        return compiled.resultFracBits;
    }

    /**
     * Returns the scales of the results.
     *
     * @return the buffer's scales without an output quantizer, null with one (a FixedPoint result)
     */
    public Scales resultScales() {
        return compiled.resultScales;
    }

    /**
     * Returns the kernel this plan runs.
     *
     * @return the kernel
     */
    public Kernel kernel() {
        return counts != null ? Kernel.SCALAR_FLOAT32 : kernelKind;
    }

    /**
     * Whether the compile-time bound proves the integer kernels exact for this plan.
     *
     * @return true if {@link Kernel#SCALAR_INTEGER} and {@link Kernel#VECTOR_INTEGER} may be used
     */
    public boolean integerKernelProven() {
        return compiled.constants.integerExact();
    }

    /**
     * Says why the integer kernels are or are not proven exact, e.g. {@code "an intermediate may pass
     * 16777216 at channel 3"}.
     *
     * @return the verdict of the bound
     */
    public String integerKernelVerdict() {
        return compiled.constants.integerVerdict();
    }

    /**
     * Says whether {@link Kernel#VECTOR_FLOAT32} computes this plan exactly: always under quantizeml
     * 0.5.2; under 0.17.1 not when the expand's rounding of odd inputs in {@code [2^23, 2^24)} can
     * change a value (per-axis inputs of 24 or more value bits), where plans use the scalar float32
     * kernel (or an integer kernel if proven).
     *
     * @return {@code "exact"} or the reason
     */
    public String vectorFloat32Verdict() {
        return compiled.constants.vectorVerdict();
    }

    /**
     * Whether the vector kernels can run in this JVM ({@code jdk.incubator.vector} present).
     *
     * @return true if {@link Kernel#VECTOR_FLOAT32} can be used
     */
    public static boolean vectorKernelsAvailable() {
        return Kernels.vectorAvailable();
    }

    /**
     * Whether {@link #withKernel} can run this plan on a kernel here: integer kernels need the
     * compile-time bound, vector kernels need {@code jdk.incubator.vector}, and the float32 vector
     * kernel (which does not round the input) needs a plan where quantizeml 0.17.1's expand rounding
     * cannot change a value ({@link #vectorFloat32Verdict()}).
     *
     * @param kernel the kernel
     * @return true if {@code withKernel(kernel)} succeeds
     */
    public boolean canRun(Kernel kernel) {
        Objects.requireNonNull(kernel, "kernel");
        return (!kernel.isInteger() || integerKernelProven()) && (!kernel.isVector() || Kernels.vectorAvailable())
                && (kernel != Kernel.VECTOR_FLOAT32 || compiled.constants.vectorExact());
    }

    /**
     * Returns the same plan running another kernel (all kernels give the same bits).
     *
     * @param kernel the kernel
     * @return a plan sharing this plan's constants
     * @throws IllegalArgumentException if an integer kernel is asked for but not proven exact, or the
     *     float32 vector kernel for a plan it would not compute exactly
     * @throws IllegalStateException if a vector kernel is asked for but not available
     */
    public Plan withKernel(Kernel kernel) {
        Objects.requireNonNull(kernel, "kernel");
        if (kernel.isInteger() && !integerKernelProven()) {
            throw new IllegalArgumentException("kernel must be exact for this plan, got " + kernel
                    + " while the integer bound fails: " + integerKernelVerdict());
        }
        if (kernel == Kernel.VECTOR_FLOAT32 && !compiled.constants.vectorExact()) {
            throw new IllegalArgumentException("kernel must be exact for this plan, got " + kernel + " while "
                    + compiled.constants.vectorVerdict() + " (use " + Kernel.SCALAR_FLOAT32 + ")");
        }
        if (kernel.isVector() && !Kernels.vectorAvailable()) {
            throw new IllegalStateException("kernel " + kernel + " must be available, got: " + Kernels.vectorStatus());
        }
        BnKernel k = kernel == kernelKind ? this.kernel : create(kernel, compiled.constants);
        return new Plan(compiled, kernel, k, counts, executor, tasks);
    }

    /**
     * Returns the same plan counting saturations into {@code counts} (on the float32 kernel).
     *
     * @param counts counters with {@link #channels()} channels; updated by every apply
     * @return the counting plan
     * @throws IllegalArgumentException if the channel counts differ
     */
    public Plan counting(SaturationCounts counts) {
        Objects.requireNonNull(counts, "counts");
        if (counts.channels() != channels()) {
            throw new IllegalArgumentException("counts must have " + channels() + " channels, got " + counts.channels());
        }
        return new Plan(compiled, kernelKind, kernel, counts, executor, tasks);
    }

    /**
     * Returns the same plan splitting each apply into up to {@code tasks} runs of whole pixels. Up to
     * {@code tasks - 1} helpers are given to {@code executor}; the calling thread and the helpers claim
     * runs one at a time until none is left, then the caller waits for the runs other threads have
     * claimed and rethrows the first failure. The results are those of one thread. Runs of fewer than
     * 16384 elements per task are not split.
     *
     * <p><b>It never deadlocks</b>, whatever the executor: the caller only ever waits for runs that are
     * already running on another thread. A call from a worker of the same executor (a task of a fixed
     * pool, a parallel stream over {@code ForkJoinPool.commonPool()}), an executor that is saturated,
     * shut down or refuses tasks ({@code execute} throws), or one that runs them late: the caller then
     * does the remaining runs itself, and the output is complete. A helper that starts after the call
     * has returned finds nothing to do and writes nothing.
     *
     * @param executor runs the helpers; any executor (a direct one, {@code Runnable::run}, works too)
     * @param tasks the most tasks, 1 or more
     * @return the parallel plan
     * @throws IllegalArgumentException if {@code tasks < 1}
     */
    public Plan parallel(Executor executor, int tasks) {
        Objects.requireNonNull(executor, "executor");
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        return new Plan(compiled, kernelKind, kernel, counts, executor, tasks);
    }

    // ------------------------------------------------------------------------------------------------
    // Tensors

    /**
     * Applies the plan to a tensor: the same result as {@link QuantizedBatchNormalization#call}.
     *
     * @param x a tensor of this plan's input format (value bits, fractional bits, scales), rank 3 or 4,
     *     with {@link #channels()} channels
     * @return a FixedPoint with an output quantizer, else the buffer as a QFloat
     * @throws IllegalArgumentException if the format or channel count differs
     * @throws QuantizationException ({@code ValueError}) for a rank or axis the layer refuses
     */
    public QTensor apply(QTensor x) {
        Objects.requireNonNull(x, "x");
        Compiled s = compiled;
        Shape shape = x.shape();
        int rank = shape.rank();
        if (rank != 3 && rank != 4) {
            throw new QuantizationException(ReferenceError.VALUE_ERROR, "input rank must be 3 or 4, got " + rank
                    + " (shape " + shape + ", layer \"" + s.layer + "\")");
        }
        if (s.rankErrors[rank] != null) {
            throw new QuantizationException(s.rankErrorKinds[rank], s.rankErrors[rank]);
        }
        if (shape.channels() != s.channels) {
            throw new IllegalArgumentException("input has " + shape.channels() + " channels, expected " + s.channels
                    + " (layer \"" + s.layer + "\")");
        }
        Scales scales = x instanceof QFloat ? ((QFloat) x).scales() : null;
        if (x.valueBits() != s.inputValueBits || !x.fracBits().equals(s.inputFracBits)
                || !Objects.equals(scales, s.inputScales)) {
            throw new IllegalArgumentException("x must have the plan's input format (valueBits " + s.inputValueBits
                    + ", fracBits " + s.inputFracBits + ", scales " + s.inputScales + "), got valueBits "
                    + x.valueBits() + ", fracBits " + x.fracBits() + ", scales " + scales);
        }
        int n = shape.size();
        FixedPoint payload = x.fixedPoint();
        byte[] inBytes = TENSORS.bytes(payload);
        boolean byteResult = s.resultValueBits <= 7;
        Object out = byteResult ? new byte[n] : new float[n];
        int outType = byteResult ? BYTES : FLOATS;
        if (inBytes != null) {
            dispatch(inBytes, BYTES, 0, out, outType, 0, n);
        } else if (s.inputValueBits < 31) {
            dispatch(TENSORS.floats(payload), FLOATS, 0, out, outType, 0, n);
        } else {
            // a 31-bit payload can hold +2^31, which no int does: evaluate on floats
            float[] values = TENSORS.floats(payload);
            float[] result = byteResult ? new float[n] : (float[]) out;
            for (int i = 0; i < n; i++) {
                result[i] = counts == null ? Float32Kernel.evaluate(s.constants, values[i], i % s.channels)
                        : Float32Kernel.countingEvaluate(s.constants, values[i], i % s.channels, counts.buffer,
                                counts.output);
            }
            if (byteResult) {
                narrow(result, n, out, BYTES, 0);
            }
        }
        FixedPoint fp = byteResult ? TENSORS.wrap(shape, (byte[]) out, s.resultValueBits, s.resultFracBits)
                : TENSORS.wrap(shape, (float[]) out, s.resultValueBits, s.resultFracBits);
        return s.resultScales == null ? fp : QFloat.of(fp, s.resultScales);
    }

    /** Whether the layer refuses inputs of this rank (3 or 4) in this plan's format. */
    boolean refusesRank(int rank) {
        return compiled.rankErrors[rank] != null;
    }

    // ------------------------------------------------------------------------------------------------
    // Buffers: see the class description for the contract shared by every overload.

    /**
     * int8 to int8. See the class description.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (a result needs at most 7 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     * @throws IndexOutOfBoundsException if a range is out of bounds
     * @throws IllegalArgumentException if {@code length} is not whole pixels, an input value is out of
     *     range (named by index), or the output type is too narrow for {@link #resultValueBits()}
     */
    public void apply(byte[] in, int inOffset, byte[] out, int outOffset, int length) {
        run(in, BYTES, inOffset, out, BYTES, outOffset, length);
    }

    /**
     * int8 to int16. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 15 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(byte[] in, int inOffset, short[] out, int outOffset, int length) {
        run(in, BYTES, inOffset, out, SHORTS, outOffset, length);
    }

    /**
     * int8 to int32. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 30 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(byte[] in, int inOffset, int[] out, int outOffset, int length) {
        run(in, BYTES, inOffset, out, INTS, outOffset, length);
    }

    /**
     * int8 to int64 (always exact). See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(byte[] in, int inOffset, long[] out, int outOffset, int length) {
        run(in, BYTES, inOffset, out, LONGS, outOffset, length);
    }

    /**
     * int8 to an int8 buffer. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results at absolute indices (at most 7 value bits); writable
     * @param outIndex absolute index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(byte[] in, int inOffset, ByteBuffer out, int outIndex, int length) {
        run(in, BYTES, inOffset, out, BUFFER, outIndex, length);
    }

    /**
     * int16 to int8. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 7 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(short[] in, int inOffset, byte[] out, int outOffset, int length) {
        run(in, SHORTS, inOffset, out, BYTES, outOffset, length);
    }

    /**
     * int16 to int16. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 15 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(short[] in, int inOffset, short[] out, int outOffset, int length) {
        run(in, SHORTS, inOffset, out, SHORTS, outOffset, length);
    }

    /**
     * int16 to int32. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 30 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(short[] in, int inOffset, int[] out, int outOffset, int length) {
        run(in, SHORTS, inOffset, out, INTS, outOffset, length);
    }

    /**
     * int16 to int64. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(short[] in, int inOffset, long[] out, int outOffset, int length) {
        run(in, SHORTS, inOffset, out, LONGS, outOffset, length);
    }

    /**
     * int16 to an int8 buffer. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results at absolute indices (at most 7 value bits); writable
     * @param outIndex absolute index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(short[] in, int inOffset, ByteBuffer out, int outIndex, int length) {
        run(in, SHORTS, inOffset, out, BUFFER, outIndex, length);
    }

    /**
     * int32 to int8. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers, each a float32 integer in the input range (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 7 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(int[] in, int inOffset, byte[] out, int outOffset, int length) {
        run(in, INTS, inOffset, out, BYTES, outOffset, length);
    }

    /**
     * int32 to int16. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers, each a float32 integer in the input range (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 15 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(int[] in, int inOffset, short[] out, int outOffset, int length) {
        run(in, INTS, inOffset, out, SHORTS, outOffset, length);
    }

    /**
     * int32 to int32. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers, each a float32 integer in the input range (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results (at most 30 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(int[] in, int inOffset, int[] out, int outOffset, int length) {
        run(in, INTS, inOffset, out, INTS, outOffset, length);
    }

    /**
     * int32 to int64. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers, each a float32 integer in the input range (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(int[] in, int inOffset, long[] out, int outOffset, int length) {
        run(in, INTS, inOffset, out, LONGS, outOffset, length);
    }

    /**
     * int32 to an int8 buffer. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers, each a float32 integer in the input range (not modified)
     * @param inOffset index of the first input element
     * @param out receives the results at absolute indices (at most 7 value bits); writable
     * @param outIndex absolute index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(int[] in, int inOffset, ByteBuffer out, int outIndex, int length) {
        run(in, INTS, inOffset, out, BUFFER, outIndex, length);
    }

    /**
     * An int8 buffer to int8. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers at absolute indices, heap or direct (not modified)
     * @param inIndex absolute index of the first input element
     * @param out receives the results (at most 7 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(ByteBuffer in, int inIndex, byte[] out, int outOffset, int length) {
        run(in, BUFFER, inIndex, out, BYTES, outOffset, length);
    }

    /**
     * An int8 buffer to int16. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers at absolute indices, heap or direct (not modified)
     * @param inIndex absolute index of the first input element
     * @param out receives the results (at most 15 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(ByteBuffer in, int inIndex, short[] out, int outOffset, int length) {
        run(in, BUFFER, inIndex, out, SHORTS, outOffset, length);
    }

    /**
     * An int8 buffer to int32. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers at absolute indices, heap or direct (not modified)
     * @param inIndex absolute index of the first input element
     * @param out receives the results (at most 30 value bits)
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(ByteBuffer in, int inIndex, int[] out, int outOffset, int length) {
        run(in, BUFFER, inIndex, out, INTS, outOffset, length);
    }

    /**
     * An int8 buffer to int64. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers at absolute indices, heap or direct (not modified)
     * @param inIndex absolute index of the first input element
     * @param out receives the results
     * @param outOffset index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(ByteBuffer in, int inIndex, long[] out, int outOffset, int length) {
        run(in, BUFFER, inIndex, out, LONGS, outOffset, length);
    }

    /**
     * An int8 buffer to an int8 buffer, heap or direct. See {@link #apply(byte[], int, byte[], int, int)}.
     *
     * @param in input integers at absolute indices (not modified)
     * @param inIndex absolute index of the first input element
     * @param out receives the results at absolute indices (at most 7 value bits); writable
     * @param outIndex absolute index of the first output element
     * @param length element count, a multiple of {@link #channels()}
     */
    public void apply(ByteBuffer in, int inIndex, ByteBuffer out, int outIndex, int length) {
        run(in, BUFFER, inIndex, out, BUFFER, outIndex, length);
    }

    /**
     * An int8 buffer to an int8 buffer, relative as NIO's bulk operations are: reads the
     * {@code in.remaining()} elements from {@code in.position()}, writes as many results to
     * {@code out} from {@code out.position()}, then advances both positions by that count (once if
     * {@code in} and {@code out} are the same buffer, which runs in place). Otherwise as
     * {@link #apply(byte[], int, byte[], int, int)}: if a check fails, nothing is written and no
     * position moves.
     *
     * <pre>{@code
     * ByteBuffer in = ByteBuffer.allocateDirect(n);    // filled, then flipped
     * ByteBuffer out = ByteBuffer.allocateDirect(n);
     * plan.apply(in, out);                             // in.remaining() == 0 afterwards
     * out.flip();                                      // ready to read the results
     * }</pre>
     *
     * @param in input integers from its position to its limit, heap or direct (contents not modified)
     * @param out receives the results from its position (at most 7 value bits); writable
     * @throws IllegalArgumentException if {@code out.remaining() < in.remaining()}, the count is not
     *     a multiple of {@link #channels()}, or as the other overloads
     */
    public void apply(ByteBuffer in, ByteBuffer out) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        int length = in.remaining();
        if (out.remaining() < length) {
            throw new IllegalArgumentException("out must have at least in.remaining() = " + length
                    + " elements remaining, got " + out.remaining());
        }
        run(in, BUFFER, in.position(), out, BUFFER, out.position(), length);
        in.position(in.position() + length);
        if (out != in) {
            out.position(out.position() + length);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Checks, then dispatch

    private void run(Object in, int inType, int inOffset, Object out, int outType, int outOffset, int length) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Compiled s = compiled;
        Objects.checkFromIndexSize(inOffset, length, capacity(in, inType));
        Objects.checkFromIndexSize(outOffset, length, capacity(out, outType));
        if (length % s.channels != 0) {
            throw new IllegalArgumentException("length must be a multiple of the " + s.channels
                    + " channels (whole pixels), got " + length);
        }
        if (outType == BUFFER && ((ByteBuffer) out).isReadOnly()) {
            throw new IllegalArgumentException("out must be a writable ByteBuffer, got a read-only one");
        }
        if (s.resultValueBits > TYPE_VALUE_BITS[outType]) {
            throw new IllegalArgumentException(narrowOutputMessage(outType));
        }
        if (Aliasing.of(in, inType == BUFFER, inOffset, out, outType == BUFFER, outOffset, length)
                == Aliasing.MAY_OVERLAP) {
            // a view whose memory cannot be located (a read-only heap buffer; a direct buffer before
            // JDK 22): read the whole input before the first write, which is right whether or not it overlaps
            ByteBuffer view = (ByteBuffer) in;
            byte[] copy = new byte[length];
            view.get(inOffset, copy, 0, length);
            in = copy;
            inType = BYTES;
            inOffset = 0;
        }
        checkInputValues(in, inType, inOffset, length);
        dispatch(in, inType, inOffset, out, outType, outOffset, length);
    }

    /** Runs checked ranges on this thread, or split over the executor. */
    private void dispatch(Object in, int inType, int inOffset, Object out, int outType, int outOffset, int length) {
        if (executor == null || tasks == 1 || length < 2 * MIN_ELEMENTS_PER_TASK) {
            runRange(in, inType, inOffset, out, outType, outOffset, length, counts);
        } else {
            runParallel(in, inType, inOffset, out, outType, outOffset, length);
        }
    }

    private String narrowOutputMessage(int outType) {
        Compiled s = compiled;
        String range = "[-2^" + s.resultValueBits + ", " + (long) F32.upperBound(s.resultValueBits) + "]";
        String what = s.constants.hasOutputQuantizer() ? "the output quantizer's " + s.resultValueBits + " value bits"
                : "the buffer's " + s.resultValueBits + " value bits (no output quantizer)";
        String msg = "out must hold results in " + range + " (" + what + "), got " + TYPE_NAMES[outType]
                + ", which holds " + TYPE_VALUE_BITS[outType] + " value bits";
        if (outType == INTS && s.resultValueBits == 31) {
            msg += ": quantizeml clips 31-bit values at float32(2^31 - 1) = +2^31, one past Integer.MAX_VALUE;"
                    + " use long[]";
        } else {
            msg += "; use a wider output array";
        }
        return msg;
    }

    private static int capacity(Object buffer, int type) {
        switch (type) {
            case BYTES:
                return ((byte[]) buffer).length;
            case SHORTS:
                return ((short[]) buffer).length;
            case INTS:
                return ((int[]) buffer).length;
            case LONGS:
                return ((long[]) buffer).length;
            default:
                return ((ByteBuffer) buffer).limit();
        }
    }

    /** Rejects input integers that no input tensor of the plan's format can hold. */
    private void checkInputValues(Object in, int inType, int offset, int length) {
        int vb = compiled.inputValueBits;
        if (inType != INTS && TYPE_VALUE_BITS[inType] <= vb) {
            return; // every value of the type is in range (and a float32); an int may be neither
        }
        long lo = -(1L << vb);
        long hi = (long) F32.upperBound(vb);
        for (int i = 0; i < length; i++) {
            long x;
            switch (inType) {
                case BYTES:
                    x = ((byte[]) in)[offset + i];
                    break;
                case SHORTS:
                    x = ((short[]) in)[offset + i];
                    break;
                case INTS:
                    x = ((int[]) in)[offset + i];
                    break;
                default:
                    x = ((ByteBuffer) in).get(offset + i);
                    break;
            }
            if (x < lo || x > hi || (long) (float) x != x) {
                throw new IllegalArgumentException("in must hold integers in [" + lo + ", " + hi + "] (the plan's "
                        + vb + " input value bits) that float32 holds exactly, got " + x + " at index "
                        + (offset + i) + " (channel " + (i % compiled.channels) + ")");
            }
        }
    }

    /**
     * Splits the range into {@code n} parts that any thread may claim, one at a time, from a shared
     * counter: the tasks given to the executor and the calling thread itself. The caller claims parts
     * until none is left and then waits only for parts that other threads have claimed, which are running.
     * So it never waits for a task that has not started: a caller that is itself a worker of the executor
     * (a fixed pool's task, a parallel stream on the common pool) helps instead of blocking, and a task
     * the executor refuses, or runs late, leaves its parts to the caller. Every part is written exactly
     * once, whatever the executor does.
     */
    private void runParallel(Object in, int inType, int inOffset, Object out, int outType, int outOffset,
            int length) {
        int channels = compiled.channels;
        int pixels = length / channels;
        int n = (int) Math.min(tasks, Math.max(1, (long) length / MIN_ELEMENTS_PER_TASK));
        n = Math.min(n, pixels);
        int parts = n;
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(parts);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        SaturationCounts[] partCounts = new SaturationCounts[parts];
        Runnable worker = () -> {
            for (int t = next.getAndIncrement(); t < parts; t = next.getAndIncrement()) {
                try {
                    int from = (int) ((long) pixels * t / parts) * channels;
                    int to = (int) ((long) pixels * (t + 1) / parts) * channels;
                    SaturationCounts tc = counts == null ? null : new SaturationCounts(channels);
                    partCounts[t] = tc;
                    runRange(in, inType, inOffset + from, out, outType, outOffset + from, to - from, tc);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int t = 0; t < n - 1 && next.get() < parts; t++) {
            try {
                executor.execute(worker);
            } catch (RuntimeException refused) {
                break; // RejectedExecutionException or any other refusal: the caller does the rest
            }
        }
        worker.run();
        awaitUninterruptibly(done);
        Throwable first = failure.get();
        if (first instanceof RuntimeException) {
            throw (RuntimeException) first;
        }
        if (first instanceof Error) {
            throw (Error) first;
        }
        if (first != null) {
            throw new IllegalStateException("a task failed", first);
        }
        if (counts != null) {
            for (SaturationCounts tc : partCounts) {
                counts.add(tc);
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the tasks write into the caller's buffers: wait for them
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // The loops (everything checked)

    private void runRange(Object in, int inType, int inOffset, Object out, int outType, int outOffset, int length,
            SaturationCounts counting) {
        if (counting == null && (inType == BYTES || inType == BUFFER) && (outType == BYTES || outType == BUFFER)) {
            runBytes(in, inType, inOffset, out, outType, outOffset, length);
            return;
        }
        Compiled s = compiled;
        Scratch scratch = s.scratch.get();
        for (int done = 0; done < length; done += s.chunk) {
            int n = Math.min(s.chunk, length - done);
            int[] ints;
            int intsOffset;
            if (inType == INTS) {
                ints = (int[]) in;
                intsOffset = inOffset + done;
            } else {
                ints = scratch.ints;
                intsOffset = 0;
                widen(in, inType, inOffset + done, ints, n, scratch);
            }
            float[] dst = outType == FLOATS ? (float[]) out : scratch.floats;
            int dstOffset = outType == FLOATS ? outOffset + done : 0;
            if (counting != null) {
                Float32Kernel.countingInts(s.constants, ints, intsOffset, dst, dstOffset, n, counting.buffer,
                        counting.output);
            } else {
                kernel.ints(ints, intsOffset, dst, dstOffset, n);
            }
            if (outType != FLOATS) {
                narrow(scratch.floats, n, out, outType, outOffset + done);
            }
        }
    }

    /** The int8-to-int8 path: straight on arrays, through the scratch for direct buffers. */
    private void runBytes(Object in, int inType, int inOffset, Object out, int outType, int outOffset, int length) {
        byte[] inArray = inType == BYTES ? (byte[]) in : heapArray((ByteBuffer) in);
        int inBase = inType == BYTES ? inOffset : inArray == null ? 0 : ((ByteBuffer) in).arrayOffset() + inOffset;
        byte[] outArray = outType == BYTES ? (byte[]) out : heapArray((ByteBuffer) out);
        int outBase = outType == BYTES ? outOffset
                : outArray == null ? 0 : ((ByteBuffer) out).arrayOffset() + outOffset;
        if (inArray != null && outArray != null) {
            kernel.bytes(inArray, inBase, outArray, outBase, length);
            return;
        }
        Compiled s = compiled;
        Scratch scratch = s.scratch.get();
        for (int done = 0; done < length; done += s.chunk) {
            int n = Math.min(s.chunk, length - done);
            byte[] src = inArray;
            int srcOff = inBase + done;
            if (src == null) {
                ((ByteBuffer) in).get(inOffset + done, scratch.inBytes, 0, n);
                src = scratch.inBytes;
                srcOff = 0;
            }
            if (outArray != null) {
                kernel.bytes(src, srcOff, outArray, outBase + done, n);
            } else {
                kernel.bytes(src, srcOff, scratch.outBytes, 0, n);
                ((ByteBuffer) out).put(outOffset + done, scratch.outBytes, 0, n);
            }
        }
    }

    private static byte[] heapArray(ByteBuffer b) {
        return b.hasArray() ? b.array() : null;
    }

    private static void widen(Object in, int inType, int offset, int[] dst, int n, Scratch scratch) {
        switch (inType) {
            case BYTES: {
                byte[] a = (byte[]) in;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[offset + i];
                }
                break;
            }
            case SHORTS: {
                short[] a = (short[]) in;
                for (int i = 0; i < n; i++) {
                    dst[i] = a[offset + i];
                }
                break;
            }
            case FLOATS: {
                float[] a = (float[]) in;
                for (int i = 0; i < n; i++) {
                    dst[i] = (int) a[offset + i];
                }
                break;
            }
            default: {
                byte[] a = scratch.inBytes;
                ((ByteBuffer) in).get(offset, a, 0, n);
                for (int i = 0; i < n; i++) {
                    dst[i] = a[i];
                }
                break;
            }
        }
    }

    /** Results are float32 integers already clipped to a range the output type holds. */
    private static void narrow(float[] src, int n, Object out, int outType, int offset) {
        switch (outType) {
            case BYTES: {
                byte[] a = (byte[]) out;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = (byte) src[i];
                }
                break;
            }
            case SHORTS: {
                short[] a = (short[]) out;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = (short) src[i];
                }
                break;
            }
            case INTS: {
                int[] a = (int[]) out;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = (int) src[i];
                }
                break;
            }
            case LONGS: {
                long[] a = (long[]) out;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = (long) src[i];
                }
                break;
            }
            default: {
                ByteBuffer b = (ByteBuffer) out;
                for (int i = 0; i < n; i++) {
                    b.put(offset + i, (byte) src[i]);
                }
                break;
            }
        }
    }

    /** Returns e.g. {@code Plan[layer=bn1, channels=64, input=7 bits fb 4, result=7 bits, kernel=VECTOR_INTEGER]}. */
    @Override
    public String toString() {
        Compiled s = compiled;
        return "Plan[layer=" + s.layer + ", channels=" + s.channels + ", input=" + s.inputValueBits + " bits fb "
                + s.inputFracBits + (s.inputScales == null ? "" : " scales " + s.inputScales) + ", result="
                + s.resultValueBits + " bits fb " + s.resultFracBits + ", kernel=" + kernel() + "]";
    }
}
