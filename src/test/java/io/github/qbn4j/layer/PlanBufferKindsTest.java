package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.Seeds;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Shape;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every one of the 25 buffer overloads of {@link Plan#apply}, at an offset, gives {@link
 * QuantizedBatchNormalization#call}'s values and writes nothing outside its range; a plan describes the
 * format it was compiled for.
 */
@ExtendWith(Seeds.class)
class PlanBufferKindsTest {

    private static final int C = 3;
    private static final int PIXELS = 700;  // past one scratch chunk of 4096 elements for C = 3
    private static final int N = C * PIXELS;
    private static final int OFF = 5;

    private static QuantizedBatchNormalization layer() {
        return QuantizedBatchNormalization.builder().name("kinds")
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(24)
                        .withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8)))
                .gamma(0.8f, -1.2f, 0.3f).beta(0.05f, 0.1f, -0.02f).movingMean(0.5f, -0.25f, 1f)
                .movingVariance(0.25f, 1f, 0.04f).rangeMax(6f).build();
    }

    private static Object container(Class<?> type, int n, long[] values, int offset) {
        Object c;
        if (type == byte[].class || type == ByteBuffer.class) {
            byte[] a = new byte[n];
            for (int i = 0; i < values.length; i++) {
                a[offset + i] = (byte) values[i];
            }
            c = type == byte[].class ? a : ByteBuffer.wrap(a);
        } else if (type == short[].class) {
            short[] a = new short[n];
            for (int i = 0; i < values.length; i++) {
                a[offset + i] = (short) values[i];
            }
            c = a;
        } else if (type == int[].class) {
            int[] a = new int[n];
            for (int i = 0; i < values.length; i++) {
                a[offset + i] = (int) values[i];
            }
            c = a;
        } else {
            long[] a = new long[n];
            System.arraycopy(values, 0, a, offset, values.length);
            c = a;
        }
        return c;
    }

    private static long get(Object c, int i) {
        if (c instanceof ByteBuffer) {
            return ((ByteBuffer) c).get(i);
        }
        if (c instanceof byte[]) {
            return ((byte[]) c)[i];
        }
        if (c instanceof short[]) {
            return ((short[]) c)[i];
        }
        if (c instanceof int[]) {
            return ((int[]) c)[i];
        }
        return ((long[]) c)[i];
    }

    @Test
    void everyOverloadGivesTheReferenceValuesInsideItsRangeOnly() throws Exception {
        QuantizedBatchNormalization bn = layer();
        SplittableRandom r = Seeds.random("buffer-kinds");
        long[] x = new long[N];
        for (int i = 0; i < N; i++) {
            x[i] = r.nextInt(-128, 128);
        }
        QTensor y = bn.callUncompiled(FixedPoint.of(Shape.of(1, PIXELS, C), x, 7, FracBits.of(4)));
        long[] expected = y.copyValues();
        Plan plan = bn.compile(7, FracBits.of(4), null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Plan[] plans = {plan, plan.withKernel(Plan.Kernel.SCALAR_FLOAT32), plan.parallel(pool, 2)};
            Class<?>[] ins = {byte[].class, short[].class, int[].class, ByteBuffer.class};
            Class<?>[] outs = {byte[].class, short[].class, int[].class, long[].class, ByteBuffer.class};
            int checked = 0;
            for (Plan p : plans) {
                for (Class<?> in : ins) {
                    for (Class<?> out : outs) {
                        Method apply = Plan.class.getMethod("apply", in, int.class, out, int.class, int.class);
                        Object src = container(in, N + 2 * OFF, x, OFF);
                        // a sentinel around the written range
                        Object marked = container(out, N + 2 * OFF, fill(N + 2 * OFF, 77), 0);
                        apply.invoke(p, src, OFF, marked, OFF + 1, N);
                        for (int i = 0; i < N; i++) {
                            assertThat(get(marked, OFF + 1 + i)).as("%s -> %s at %s (%s)", in.getSimpleName(),
                                    out.getSimpleName(), i, p.kernel()).isEqualTo(expected[i]);
                        }
                        for (int i : new int[] {0, OFF, OFF + N + 1, N + 2 * OFF - 1}) {
                            assertThat(get(marked, i)).as("outside the range at %s", i).isEqualTo(77);
                        }
                        checked++;
                    }
                }
            }
            assertThat(checked).isEqualTo(3 * 20);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] fill(int n, long v) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void aPlanDescribesTheFormatItWasCompiledFor() {
        QuantizedBatchNormalization bn = layer();
        Plan plan = bn.compile(7, FracBits.perAxis(4, 3, 2), null);
        assertThat(plan.inputValueBits()).isEqualTo(7);
        assertThat(plan.inputFracBits()).isEqualTo(FracBits.perAxis(4, 3, 2));
        assertThat(plan.inputScales()).isNull();
        assertThat(plan.hasOutputQuantizer()).isTrue();
        assertThat(plan.channels()).isEqualTo(3);
        assertThat(plan.resultValueBits()).isEqualTo(7);
        assertThat(plan.toString()).startsWith("Plan[layer=kinds, channels=3, input=7 bits fb [4, 3, 2], result=7 bits");
        Plan buffer = QuantizedBatchNormalization.builder().gamma(1f, 2f).build()
                .compile(7, FracBits.of(2), io.github.qbn4j.tensor.Scales.of(0.5f));
        assertThat(buffer.hasOutputQuantizer()).isFalse();
        assertThat(buffer.resultValueBits()).isEqualTo(31);
        assertThat(buffer.inputScales()).isEqualTo(io.github.qbn4j.tensor.Scales.of(0.5f));
        assertThat(buffer.toString()).contains("scales 0.5");
        assertThat(Plan.vectorKernelsAvailable()).isEqualTo(plan.kernel() == Plan.Kernel.VECTOR_FLOAT32
                || plan.kernel() == Plan.Kernel.VECTOR_INTEGER);
    }
}
