package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.Format;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The plans {@code call} keeps: one compile per format, bounded, least recently used out, thread-safe. */
class PlanCacheTest {

    private static QuantizedBatchNormalization layer() {
        return QuantizedBatchNormalization.builder().gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f)
                .movingVariance(3.999f, 0.999f).build();
    }

    private static PlanCache.Key key(String format) {
        return new PlanCache.Key(Format.parse(format), io.github.qbn4j.Reference.defaults());
    }

    @Test
    void compilesOncePerKey() {
        QuantizedBatchNormalization bn = layer();
        PlanCache cache = new PlanCache(4);
        AtomicInteger compiles = new AtomicInteger();
        Plan first = cache.get(key("7:4"), k -> {
            compiles.incrementAndGet();
            return bn.compile(k.format);
        });
        Plan again = cache.get(key("7:4"), k -> {
            compiles.incrementAndGet();
            return bn.compile(k.format);
        });
        assertThat(again).isSameAs(first);
        assertThat(compiles).hasValue(1);
        assertThat(first.inputFracBits()).isEqualTo(FracBits.of(4));
    }

    @Test
    void keepsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
        QuantizedBatchNormalization bn = layer();
        PlanCache cache = new PlanCache(2);
        Plan a = cache.get(key("7:1"), k -> bn.compile(k.format));
        cache.get(key("7:2"), k -> bn.compile(k.format));
        assertThat(cache.get(key("7:1"), k -> bn.compile(k.format))).isSameAs(a); // 7:1 is now the most recent
        cache.get(key("7:3"), k -> bn.compile(k.format)); // drops 7:2
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(key("7:1"), k -> {
            throw new AssertionError("7:1 must still be held");
        })).isSameAs(a);
        AtomicInteger recompiled = new AtomicInteger();
        cache.get(key("7:2"), k -> {
            recompiled.incrementAndGet();
            return bn.compile(k.format);
        });
        assertThat(recompiled).as("7:2 was dropped").hasValue(1);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void storesNothingWhenCompilingFails() {
        QuantizedBatchNormalization bn = layer();
        PlanCache cache = new PlanCache(2);
        // 16 value bits: above the 15 of a 16-bit buffer
        QuantizedBatchNormalization narrow = QuantizedBatchNormalization.builder().gamma(1f, 2f)
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(16)).build();
        assertThatThrownBy(() -> cache.get(key("16:0"), k -> narrow.compile(k.format)))
                .isInstanceOf(QuantizationException.class);
        assertThat(cache.size()).isZero();
        assertThat(cache.get(key("7:0"), k -> bn.compile(k.format))).isNotNull();
        assertThatThrownBy(() -> new PlanCache(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be >= 1, got 0");
    }

    @Test
    void callKeepsAtMostSixteenPlansAndStaysExact() {
        QuantizedBatchNormalization bn = layer();
        for (int fb = -5; fb < 25; fb++) {
            FixedPoint x = FixedPoint.of(Shape.of(1, 2, 2), new int[] {10, -20, -7, 33}, 7, FracBits.of(fb));
            assertThat(bn.call(x)).as("fb %d", fb).isEqualTo(bn.callUncompiled(x));
            assertThat(bn.cachedPlans()).isLessThanOrEqualTo(PlanCache.CAPACITY);
        }
        assertThat(bn.cachedPlans()).isEqualTo(PlanCache.CAPACITY);
    }

    @Test
    void callGivesQuantizemlsErrorForTheInputItself() {
        QuantizedBatchNormalization narrow = QuantizedBatchNormalization.builder().gamma(1f, 2f)
                .quantConfig(QuantConfig.defaults().withBufferBitwidth(16)).build();
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 2}, 16, FracBits.of(0));
        String expected = "input value bits must be <= the 15 value bits of the buffer (buffer_bitwidth 16), got 16"
                + " (layer \"quantized_batch_normalization\")";
        assertThatThrownBy(() -> narrow.call(x)).isInstanceOf(QuantizationException.class).hasMessage(expected);
        assertThatThrownBy(() -> narrow.call(x)).isInstanceOf(QuantizationException.class).hasMessage(expected);
        assertThat(narrow.cachedPlans()).isZero();
    }

    @Test
    void concurrentCallsOnManyFormatsGiveTheStepByStepBits() throws Exception {
        QuantizedBatchNormalization bn = layer();
        List<QTensor> inputs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            FixedPoint fp = FixedPoint.of(Shape.of(1, 2, 2), new int[] {10, -20 + i, -7, 33 - i}, 7 + i % 3,
                    i % 2 == 0 ? FracBits.of(i % 20 - 4) : FracBits.perAxis(i % 5, i % 7));
            inputs.add(i % 4 == 3 && fp.isPerTensor() ? QFloat.of(fp, Scales.of(0.25f * (1 + i % 3))) : fp);
        }
        List<QTensor> expected = new ArrayList<>();
        for (QTensor x : inputs) {
            expected.add(bn.callUncompiled(x));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int round = 0; round < 50; round++) {
                        for (int i = 0; i < inputs.size(); i++) {
                            int k = (i + offset * 7 + round) % inputs.size();
                            wrong += bn.call(inputs.get(k)).equals(expected.get(k)) ? 0 : 1;
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(bn.cachedPlans()).isLessThanOrEqualTo(PlanCache.CAPACITY);
    }
}
