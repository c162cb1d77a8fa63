package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.Seeds;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.quantizer.OutputQuantizer.Axis;
import io.github.qbn4j.tensor.FracBits;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 11, classes 6 and 7: aliasing through views, and parallel plans that must never hang nor leave
 * a half-written output. Expected bytes always come from the same plan run on separate arrays, which
 * {@code PlanPropertyTest} checks against the reference path.
 */
@ExtendWith(Seeds.class)
class HostileInputTest {

    private static final int C = 2;

    private static Plan plan() {
        QuantizedBatchNormalization bn = QuantizedBatchNormalization.builder().name("bn1")
                .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f)
                .quantConfig(QuantConfig.defaults().withOutputQuantizer(OutputQuantizer.of(8, true, Axis.PER_TENSOR, 8)))
                .rangeMax(8f).build();
        return bn.compile(7, FracBits.of(2), null);
    }

    private static byte[] random(int n, int run) {
        byte[] b = new byte[n];
        Seeds.random("layer.HostileInputTest/" + run).nextBytes(b);
        return b;
    }

    /** The plan on separate arrays: what any aliasing call must give, or refuse. */
    private static byte[] expected(Plan plan, byte[] in) {
        byte[] out = new byte[in.length];
        plan.apply(in.clone(), 0, out, 0, in.length);
        return out;
    }

    @Test
    void refusesAWrappedViewOfTheInputArrayOneChannelAhead() {
        Plan plan = plan();
        byte[] a = random(64, 1);
        byte[] before = a.clone();
        assertThatThrownBy(() -> plan.apply(a, 0, ByteBuffer.wrap(a), C, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("in and out must not overlap unless at the same offset, got offsets 0 and 2"
                        + " (indices into the shared array) for length 32");
        assertThat(a).isEqualTo(before);
    }

    @Test
    void refusesADuplicateOfTheSameHeapBuffer() {
        Plan plan = plan();
        ByteBuffer bb = ByteBuffer.wrap(random(64, 2));
        assertThatThrownBy(() -> plan.apply(bb, 0, bb.duplicate(), C, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not overlap");
        // a slice shares the array from its arrayOffset: slice at 4, index 0 is array index 4
        ByteBuffer slice = ByteBuffer.wrap(bb.array(), 4, 40).slice();
        assertThatThrownBy(() -> plan.apply(bb, 2, slice, 0, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got offsets 2 and 4 (indices into the shared array)");
    }

    @Test
    void computesInPlaceExactlyThroughViews() {
        Plan plan = plan();
        byte[] a = random(64, 3);
        byte[] want = expected(plan, Arrays.copyOfRange(a, 4, 36));
        // byte[] in, a slice starting at the same array index out
        plan.apply(a, 4, ByteBuffer.wrap(a, 2, 50).slice(), 2, 32);
        assertThat(Arrays.copyOfRange(a, 4, 36)).isEqualTo(want);
    }

    @Test
    void directDuplicatesAreRefusedOrReadBeforeWritten() {
        Plan plan = plan();
        byte[] data = random(1 << 16, 4); // many scratch chunks: a chunk written early would clobber later input
        ByteBuffer d = ByteBuffer.allocateDirect(data.length + C);
        d.put(0, data, 0, data.length);
        byte[] want = expected(plan, data);
        if (Runtime.version().feature() >= 22) {
            // the address is known: true overlap is refused, nothing written
            assertThatThrownBy(() -> plan.apply(d, 0, d.duplicate(), C, data.length))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(native addresses)");
            byte[] after = new byte[data.length];
            d.get(0, after, 0, after.length);
            assertThat(after).isEqualTo(data);
        } else {
            // only the low 30 address bits are known: the input is read in full first, so the bytes are right
            plan.apply(d, 0, d.duplicate(), C, data.length);
            byte[] got = new byte[data.length];
            d.get(C, got, 0, got.length);
            assertThat(got).isEqualTo(want);
        }
    }

    @Test
    void aReadOnlyViewOfTheOutputArrayIsReadBeforeWritten() {
        Plan plan = plan();
        byte[] a = random((1 << 16) + C, 5);
        byte[] want = expected(plan, Arrays.copyOfRange(a, 0, 1 << 16));
        // a read-only heap buffer hides its array: the plan cannot see that it is out's
        plan.apply(ByteBuffer.wrap(a).asReadOnlyBuffer(), 0, a, C, 1 << 16);
        assertThat(Arrays.copyOfRange(a, C, (1 << 16) + C)).isEqualTo(want);
    }

    private static final int BIG = 8 * Plan.MIN_ELEMENTS_PER_TASK;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aParallelPlanCalledFromATaskOfItsOwnSingleThreadPoolFinishes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            Plan parallel = plan().parallel(pool, 4);
            byte[] in = random(BIG, 6);
            byte[] out = new byte[BIG];
            Future<?> f = pool.submit(() -> parallel.apply(in, 0, out, 0, BIG));
            f.get(30, TimeUnit.SECONDS); // hung forever before: the only worker waited for its own tasks
            assertThat(out).isEqualTo(expected(plan(), in));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void parallelPlansOnTheCommonPoolCalledFromAParallelStreamFinish() {
        Plan parallel = plan().parallel(ForkJoinPool.commonPool(), 4);
        byte[] in = random(BIG, 7);
        byte[] want = expected(plan(), in);
        int calls = 4 * Math.max(2, ForkJoinPool.commonPool().getParallelism());
        long wrong = IntStream.range(0, calls).parallel().filter(i -> {
            byte[] out = new byte[BIG];
            parallel.apply(in, 0, out, 0, BIG);
            return !Arrays.equals(out, want);
        }).count();
        assertThat(wrong).isZero();
    }

    @Test
    void aRefusingExecutorStillGivesTheWholeOutput() {
        AtomicInteger refused = new AtomicInteger();
        Plan parallel = plan().parallel(r -> {
            refused.incrementAndGet();
            throw new RejectedExecutionException("full");
        }, 4);
        byte[] in = random(BIG, 8);
        byte[] out = new byte[BIG];
        Arrays.fill(out, (byte) 0x5A);
        parallel.apply(in, 0, out, 0, BIG);
        // before: the call threw with 16,384 of 65,536 elements already written
        assertThat(refused.get()).isEqualTo(1);
        assertThat(out).isEqualTo(expected(plan(), in));
    }

    @Test
    void anExecutorThatRunsTasksLateWritesNothingAfterTheCallReturns() throws Exception {
        ExecutorService late = Executors.newSingleThreadExecutor();
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        late.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            Plan parallel = plan().parallel(late, 4);
            byte[] in = random(BIG, 9);
            byte[] out = new byte[BIG];
            parallel.apply(in, 0, out, 0, BIG); // the helpers are queued behind the gate: the caller does all
            byte[] snapshot = out.clone();
            assertThat(out).isEqualTo(expected(plan(), in));
            gate.countDown();
            late.shutdown();
            assertThat(late.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(out).isEqualTo(snapshot);
        } finally {
            late.shutdownNow();
        }
    }
}
