package io.github.qbn4j.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * A probe for the DRAM target of BENCHMARKS.md, not a candidate: loops shaped like the plan's int8
 * kernel (L int8 loaded, L float lanes, L int8 stored per step; L = 16 with AVX-512) that do fewer and fewer of its
 * operations. Their constants are arbitrary, so their outputs are not the layer's and are not checked.
 *
 * <ul>
 *   <li>{@code copy16}: load and store only;</li>
 *   <li>{@code widen}: + int8 to int lanes and back (3 micro-ops per step on x86);</li>
 *   <li>{@code oneFma}: + int to float and one FMA;</li>
 *   <li>{@code twoFma}: + the second FMA (the plan's arithmetic without its output clip);</li>
 *   <li>{@code full}: + the clip ({@code max}, {@code min}): every operation of the plan's loop.</li>
 * </ul>
 *
 * <p>In cache their times grow with the operations per step. If at DRAM size removing operations
 * saves far less than it does in cache, the arithmetic's throughput is not what limits the plan there.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx12g"})
public class DensityBenchmark {

    // the plan's species: as many float lanes as the CPU's widest vectors, and as many int8
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final float MAGIC = 12582912f; // 1.5 * 2^23, as in the plan

    /** The bytes: the same shapes and input as {@link BnBenchmark}. */
    @State(Scope.Benchmark)
    public static class Bytes {
        @Param({"8x112x112x64", "4x1024x1024x64"})
        public String shape;

        byte[] in;
        byte[] out;
        int n;

        @Setup(Level.Trial)
        public void setUp() {
            long size = 1;
            for (int d : BenchLayer.dims(shape)) {
                size *= d;
            }
            n = Math.toIntExact(size) / L * L;
            in = new byte[n];
            out = new byte[n];
            BenchLayer.fillInput(in);
        }
    }

    /** Load and store only, 16 bytes at a time like the plan (no vector arithmetic). */
    @Benchmark
    public byte[] copy16(Bytes b) {
        byte[] in = b.in;
        byte[] out = b.out;
        for (int i = 0; i < b.n; i += L) {
            ByteVector.fromArray(BS, in, i).intoArray(out, i);
        }
        return out;
    }

    /** int8 to int lanes and back: the plan's conversions at both ends. */
    @Benchmark
    public byte[] widen(Bytes b) {
        byte[] in = b.in;
        byte[] out = b.out;
        for (int i = 0; i < b.n; i += L) {
            load(in, i).convertShape(VectorOperators.I2B, BS, 0).reinterpretAsBytes().intoArray(out, i);
        }
        return out;
    }

    /** + int to float and one FMA. */
    @Benchmark
    public byte[] oneFma(Bytes b) {
        byte[] in = b.in;
        byte[] out = b.out;
        FloatVector m = FloatVector.broadcast(FS, 0.375f);
        FloatVector c = FloatVector.broadcast(FS, MAGIC + 3f);
        for (int i = 0; i < b.n; i += L) {
            FloatVector r = ((FloatVector) load(in, i).convert(VectorOperators.I2F, 0)).fma(m, c);
            store(r.reinterpretAsInts(), out, i);
        }
        return out;
    }

    /** + the second FMA: the plan's arithmetic without its output clip. */
    @Benchmark
    public byte[] twoFma(Bytes b) {
        byte[] in = b.in;
        byte[] out = b.out;
        FloatVector m = FloatVector.broadcast(FS, 6f);
        FloatVector d = FloatVector.broadcast(FS, 49f);
        FloatVector s = FloatVector.broadcast(FS, 0.0625f);
        FloatVector magic = FloatVector.broadcast(FS, MAGIC);
        for (int i = 0; i < b.n; i += L) {
            FloatVector r = ((FloatVector) load(in, i).convert(VectorOperators.I2F, 0)).fma(m, d).fma(s, magic);
            store(r.reinterpretAsInts(), out, i);
        }
        return out;
    }

    /** + the clip ({@code max}, {@code min} on the bits): every operation of the plan's loop. */
    @Benchmark
    public byte[] full(Bytes b) {
        byte[] in = b.in;
        byte[] out = b.out;
        FloatVector m = FloatVector.broadcast(FS, 6f);
        FloatVector d = FloatVector.broadcast(FS, 49f);
        FloatVector s = FloatVector.broadcast(FS, 0.0625f);
        FloatVector magic = FloatVector.broadcast(FS, MAGIC);
        IntVector lo = IntVector.broadcast(IS, Float.floatToRawIntBits(MAGIC) - 128);
        IntVector hi = IntVector.broadcast(IS, Float.floatToRawIntBits(MAGIC) + 127);
        for (int i = 0; i < b.n; i += L) {
            FloatVector r = ((FloatVector) load(in, i).convert(VectorOperators.I2F, 0)).fma(m, d).fma(s, magic);
            store(r.reinterpretAsInts().max(lo).min(hi), out, i);
        }
        return out;
    }

    private static IntVector load(byte[] in, int i) {
        return (IntVector) ByteVector.fromArray(BS, in, i).convertShape(VectorOperators.B2I, IS, 0);
    }

    private static void store(IntVector v, byte[] out, int i) {
        v.convertShape(VectorOperators.I2B, BS, 0).reinterpretAsBytes().intoArray(out, i);
    }
}
