package io.github.qbn4j.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.qbn4j.internal.F32;
import io.github.qbn4j.layer.Folding;
import io.github.qbn4j.layer.Plan;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One quantized batch normalization over the same int8 bytes, by every candidate: the compiled plan
 * (automatic kernel, i.e. SIMD when {@code jdk.incubator.vector} is present; and its scalar
 * kernel), a naive per-element loop, the high-level {@code bn.call} and the plan's tensor overload, ONNX Runtime on two graphs of
 * the same layer, and {@code System.arraycopy} of the same bytes as the roofline.
 *
 * <p>Before timing, each candidate's output is compared with the plan's float32 kernel (itself
 * tested equal to {@code bn.call}) and a line {@code CHECK <candidate> ... mismatches=M of N} is
 * printed. Results are per call (one whole tensor); divide by the element count for ns/element.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx12g"})
public class BnBenchmark {

    /** Shapes, input frac-bit form, output quantizer and threads shared by every candidate. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"1x56x56x64", "1x112x112x64", "8x112x112x64", "1x7x7x1024", "1x224x224x3", "dram"})
        public String shape;
        @Param({"perTensor", "perAxis"})
        public String input;
        @Param({"on", "off"})
        public String oq;
        @Param({"1", "2"})
        public int threads;

        int[] dims;
        int channels;
        int n;
        QuantizedBatchNormalization bn;
        FracBits fb;
        Plan plan;
        byte[] in;
        byte[] out8;
        long[] out64;
        byte[] reference8;
        long[] reference64;
        ExecutorService pool;

        @Setup(Level.Trial)
        public void setUp() {
            dims = BenchLayer.dims(shape);
            channels = dims[dims.length - 1];
            long size = 1;
            for (int d : dims) {
                size *= d;
            }
            n = Math.toIntExact(size);
            bn = BenchLayer.layer(channels, "on".equals(oq));
            fb = BenchLayer.inputFracBits(channels, "perAxis".equals(input));
            plan = bn.compile(7, fb, null);
            in = new byte[n];
            BenchLayer.fillInput(in);
            pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1) : null;
            Plan reference = plan.withKernel(Plan.Kernel.SCALAR_FLOAT32);
            if (hasInt8Output()) {
                out8 = new byte[n];
                reference8 = new byte[n];
                reference.apply(in, 0, reference8, 0, n);
                System.out.println("CHECK reference " + describe() + " sha256=" + sha256(reference8));
            } else {
                out64 = new long[n];
                reference64 = new long[n];
                reference.apply(in, 0, reference64, 0, n);
            }
            System.out.println("CHECK plan " + describe() + " kernel=" + plan.kernel() + " integerBound="
                    + plan.integerKernelVerdict());
        }

        boolean hasInt8Output() {
            return "on".equals(oq);
        }

        String describe() {
            return "shape=" + shape + " input=" + input + " oq=" + oq + " threads=" + threads;
        }

        void report(String candidate, byte[] got) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                m += got[i] != reference8[i] ? 1 : 0;
            }
            System.out.println("CHECK " + candidate + " " + describe() + " mismatches=" + m + " of " + n);
        }

        void report(String candidate, long[] got) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                m += got[i] != reference64[i] ? 1 : 0;
            }
            System.out.println("CHECK " + candidate + " " + describe() + " mismatches=" + m + " of " + n);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** The plan on its automatic kernel and on the scalar kernel the plan picks without the module. */
    @State(Scope.Benchmark)
    public static class Plans {
        Plan auto;
        Plan scalar;

        @Setup(Level.Trial)
        public void setUp(Data d) {
            Plan base = d.threads > 1 ? d.plan.parallel(d.pool, d.threads) : d.plan;
            auto = base;
            scalar = base.withKernel(d.plan.integerKernelProven() ? Plan.Kernel.SCALAR_INTEGER : Plan.Kernel.SCALAR_FLOAT32);
            for (Plan p : new Plan[] {auto, scalar}) {
                if (d.hasInt8Output()) {
                    java.util.Arrays.fill(d.out8, (byte) 0);
                    p.apply(d.in, 0, d.out8, 0, d.n);
                    d.report("plan-" + p.kernel(), d.out8);
                } else {
                    java.util.Arrays.fill(d.out64, 0);
                    p.apply(d.in, 0, d.out64, 0, d.n);
                    d.report("plan-" + p.kernel(), d.out64);
                }
            }
        }
    }

    @Benchmark
    public Object planAuto(Data d, Plans p) {
        if (d.hasInt8Output()) {
            p.auto.apply(d.in, 0, d.out8, 0, d.n);
            return d.out8;
        }
        p.auto.apply(d.in, 0, d.out64, 0, d.n);
        return d.out64;
    }

    @Benchmark
    public Object planScalar(Data d, Plans p) {
        if (d.hasInt8Output()) {
            p.scalar.apply(d.in, 0, d.out8, 0, d.n);
            return d.out8;
        }
        p.scalar.apply(d.in, 0, d.out64, 0, d.n);
        return d.out64;
    }

    /** System.arraycopy of the input bytes (split over the same threads): the roofline. */
    @Benchmark
    public Object arraycopy(Data d, Copy c) throws InterruptedException {
        if (d.threads == 1) {
            System.arraycopy(d.in, 0, c.copy, 0, d.n);
        } else {
            int half = d.n / 2;
            CountDownLatch done = new CountDownLatch(1);
            d.pool.execute(() -> {
                System.arraycopy(d.in, half, c.copy, half, d.n - half);
                done.countDown();
            });
            System.arraycopy(d.in, 0, c.copy, 0, half);
            done.await();
        }
        return c.copy;
    }

    /**
     * A copy of the same bytes by a Vector API loop (ordinary vector loads and stores, one thread):
     * the roofline of a kernel written like the plan's, without its arithmetic. Where it falls short of
     * System.arraycopy, the difference is the store path (arraycopy's stub), not arithmetic.
     */
    @Benchmark
    public Object vectorCopy(Data d, Copy c) {
        jdk.incubator.vector.VectorSpecies<Byte> s = jdk.incubator.vector.ByteVector.SPECIES_PREFERRED;
        int n = d.n - d.n % s.length();
        for (int i = 0; i < n; i += s.length()) {
            jdk.incubator.vector.ByteVector.fromArray(s, d.in, i).intoArray(c.copy, i);
        }
        for (int i = n; i < d.n; i++) {
            c.copy[i] = d.in[i];
        }
        return c.copy;
    }

    /** The destination of the copy. */
    @State(Scope.Benchmark)
    public static class Copy {
        byte[] copy;

        @Setup(Level.Trial)
        public void setUp(Data d) {
            copy = new byte[d.n];
        }
    }

    /** A naive loop: per element, channel by modulo and every power of two and bound recomputed. */
    @State(Scope.Benchmark)
    public static class Naive {
        int bufferBits;
        int outBits;
        int[] inShift;
        float[] a;
        float[] b;
        float[] q;
        int[] outShift;
        boolean oq;

        @Setup(Level.Trial)
        public void setUp(Data d) {
            Folding f = d.bn.fold(7, d.fb, null);
            bufferBits = d.bn.quantConfig().bufferValueBits();
            inShift = f.inputShift();
            a = f.a().fixedPoint().copyValuesAsFloat();
            b = f.bAligned().fixedPoint().copyValuesAsFloat();
            oq = f.hasOutputQuantizer();
            if (oq) {
                float[] qs = f.quantizedOutputScales().copyValuesAsFloat();
                q = new float[d.channels];
                for (int c = 0; c < d.channels; c++) {
                    q[c] = qs[qs.length == 1 ? 0 : c];
                }
                outShift = f.outputShift();
                outBits = d.bn.outputQuantizer().valueBits();
            }
            if (d.threads == 1 && d.n <= 1 << 24) {
                runNaive(d, this);
                if (d.hasInt8Output()) {
                    d.report("naive", d.out8);
                } else {
                    d.report("naive", d.out64);
                }
            }
        }
    }

    @Benchmark
    public Object naive(Data d, Naive s) {
        return runNaive(d, s);
    }

    static Object runNaive(Data d, Naive s) {
        int channels = d.channels;
        for (int i = 0; i < d.n; i++) {
            int c = i % channels;
            float x = d.in[i];
            float xs = F32.saturate(F32.ftz(x * F32.pow2(s.inShift[c])), s.bufferBits);
            float p = F32.saturate(F32.ftz(xs * s.a[c]), s.bufferBits);
            float y = F32.saturate(F32.ftz(p + s.b[c]), s.bufferBits);
            if (s.oq) {
                float v = F32.saturate(F32.ftz(y * s.q[c]), s.bufferBits);
                y = F32.saturate(F32.roundHalfUp(F32.ftz(v * F32.pow2(s.outShift[c]))), s.outBits);
                d.out8[i] = (byte) y;
            } else {
                d.out64[i] = (long) y;
            }
        }
        return s.oq ? d.out8 : d.out64;
    }

    /**
     * The high-level API: a FixedPoint in, a tensor out. {@code x} is built from the int8 bytes (so
     * stored as bytes); {@code xFloat32} holds the same values stored as float32 integers, as the
     * results of tensor operations are (made by a rescale that changes nothing).
     */
    @State(Scope.Benchmark)
    public static class HighLevel {
        FixedPoint x;
        FixedPoint xFloat32;

        @Setup(Level.Trial)
        public void setUp(Data d) {
            if (d.n > 1 << 24) {
                throw new IllegalStateException("the high-level API is not run on the DRAM tensor (float32 copies "
                        + "of 2^28 elements)");
            }
            x = FixedPoint.of(Shape.of(d.dims), d.in, 7, d.fb);
            xFloat32 = FixedPoint.of(Shape.of(d.dims), d.in, 15, d.fb).rescale(d.fb, 7);
            check(d, "highLevel", d.bn.call(x));
            check(d, "highLevelFloat32", d.bn.call(xFloat32));
            check(d, "planTensor", d.plan.apply(x));
            check(d, "planTensorFloat32", d.plan.apply(xFloat32));
        }

        private static void check(Data d, String candidate, QTensor y) {
            if (d.hasInt8Output()) {
                d.report(candidate, ((FixedPoint) y).copyValuesAsByte());
            } else {
                d.report(candidate, y.copyValues());
            }
        }
    }

    /** {@code bn.call(x)}: the cached plan for x's format, run on x's bytes, a new tensor out. */
    @Benchmark
    public QTensor highLevel(Data d, HighLevel h) {
        return d.bn.call(h.x);
    }

    /** {@code bn.call(x)} with x stored as float32 integers. */
    @Benchmark
    public QTensor highLevelFloat32(Data d, HighLevel h) {
        return d.bn.call(h.xFloat32);
    }

    /** {@code Plan.apply(QTensor)}: the plan's tensor overload, x stored as bytes. */
    @Benchmark
    public QTensor planTensor(Data d, HighLevel h) {
        return d.plan.apply(h.x);
    }

    /** {@code Plan.apply(QTensor)} with x stored as float32 integers. */
    @Benchmark
    public QTensor planTensorFloat32(Data d, HighLevel h) {
        return d.plan.apply(h.xFloat32);
    }

    /** ONNX Runtime sessions on the two graphs, inputs and a pinned output over direct buffers. */
    @State(Scope.Benchmark)
    public static class Ort {
        OrtEnvironment env;
        OrtSession qlinear;
        OrtSession qdq;
        Map<String, OnnxTensor> qlinearInputs = new HashMap<>();
        Map<String, OnnxTensor> qdqInputs = new HashMap<>();
        Map<String, OnnxTensor> output = new HashMap<>();
        ByteBuffer y;

        @Setup(Level.Trial)
        public void setUp(Data d) throws OrtException, IOException {
            if (!d.hasInt8Output() || d.fb.isPerAxis()) {
                throw new IllegalStateException("ONNX Runtime graphs are built for int8 per-tensor inputs and an "
                        + "int8 output quantizer only");
            }
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(d.threads);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            qlinear = env.createSession(resource("bn_qlinear.onnx"), so);
            qdq = env.createSession(resource("bn_qdq.onnx"), so);
            long[] shape = new long[d.dims.length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = d.dims[i];
            }
            ByteBuffer x = ByteBuffer.allocateDirect(d.n).order(ByteOrder.nativeOrder());
            x.put(d.in).rewind();
            y = ByteBuffer.allocateDirect(d.n).order(ByteOrder.nativeOrder());
            OnnxTensor xt = OnnxTensor.createTensor(env, x, shape, OnnxJavaType.INT8);
            output.put("y", OnnxTensor.createTensor(env, y, shape, OnnxJavaType.INT8));

            Folding f = d.bn.fold(7, d.fb, null);
            int c = d.channels;
            float xScale = F32.pow2(-d.fb.get(0));
            float aScale = f.a().scales().get(0);
            float bufferScale = f.bufferScales().get(0);
            float[] aFloat = f.aFloat();
            float maxA = 0;
            for (float v : aFloat) {
                maxA = Math.max(maxA, Math.abs(v));
            }
            float pScale = 128f * xScale * maxA / 127f;
            float bScale = bufferScale * F32.pow2(-f.bUnaligned().fracBits().get(0));
            FracBits outFb = f.outputFracBits();
            float[] yScales = new float[c];
            for (int i = 0; i < c; i++) {
                yScales[i] = F32.pow2(-outFb.get(i));
            }
            qlinearInputs.put("x", xt);
            qlinearInputs.put("x_scale", OnnxTensor.createTensor(env, xScale));
            qlinearInputs.put("x_zp", OnnxTensor.createTensor(env, (byte) 0));
            qlinearInputs.put("a", int8Vector(f.a().copyValues()));
            qlinearInputs.put("a_scale", OnnxTensor.createTensor(env, aScale));
            qlinearInputs.put("a_zp", OnnxTensor.createTensor(env, (byte) 0));
            qlinearInputs.put("p_scale", OnnxTensor.createTensor(env, pScale));
            qlinearInputs.put("p_zp", OnnxTensor.createTensor(env, (byte) 0));
            qlinearInputs.put("b", int8Vector(f.bUnaligned().copyValues()));
            qlinearInputs.put("b_scale", OnnxTensor.createTensor(env, bScale));
            qlinearInputs.put("b_zp", OnnxTensor.createTensor(env, (byte) 0));
            // QLinearAdd has one output scale: the first channel's (the layer's are per channel)
            qlinearInputs.put("y_scale", OnnxTensor.createTensor(env, yScales[0]));
            qlinearInputs.put("y_zp", OnnxTensor.createTensor(env, (byte) 0));

            qdqInputs.put("x", xt);
            qdqInputs.put("x_scale", OnnxTensor.createTensor(env, xScale));
            qdqInputs.put("x_zp", OnnxTensor.createTensor(env, (byte) 0));
            qdqInputs.put("a", OnnxTensor.createTensor(env, FloatBuffer.wrap(aFloat), new long[] {c}));
            qdqInputs.put("b", OnnxTensor.createTensor(env, FloatBuffer.wrap(f.bFloat()), new long[] {c}));
            qdqInputs.put("y_scale", OnnxTensor.createTensor(env, FloatBuffer.wrap(yScales), new long[] {c}));
            qdqInputs.put("y_zp", int8Vector(new long[c]));

            byte[] got = new byte[d.n];
            run(qlinear, qlinearInputs);
            y.get(0, got);
            d.report("ortQLinear", got);
            run(qdq, qdqInputs);
            y.get(0, got);
            d.report("ortQdq", got);
        }

        private OnnxTensor int8Vector(long[] values) throws OrtException {
            ByteBuffer b = ByteBuffer.allocateDirect(values.length);
            for (long v : values) {
                b.put((byte) v);
            }
            b.rewind();
            return OnnxTensor.createTensor(env, b, new long[] {values.length}, OnnxJavaType.INT8);
        }

        void run(OrtSession session, Map<String, OnnxTensor> inputs) throws OrtException {
            try (OrtSession.Result r = session.run(inputs, output)) {
                // the output is the pinned tensor over y
            }
        }

        private static byte[] resource(String name) throws IOException {
            try (InputStream s = BnBenchmark.class.getResourceAsStream("/onnx/" + name)) {
                return s.readAllBytes();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws OrtException {
            qlinear.close();
            qdq.close();
        }
    }

    @Benchmark
    public Object ortQLinear(Ort o) throws OrtException {
        o.run(o.qlinear, o.qlinearInputs);
        return o.y;
    }

    @Benchmark
    public Object ortQdq(Ort o) throws OrtException {
        o.run(o.qdq, o.qdqInputs);
        return o.y;
    }

    static String sha256(byte[] b) {
        try {
            StringBuilder sb = new StringBuilder();
            for (byte x : MessageDigest.getInstance("SHA-256").digest(b)) {
                sb.append(String.format("%02x", x));
            }
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
