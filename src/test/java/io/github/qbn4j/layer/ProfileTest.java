package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.Reference;
import io.github.qbn4j.Reference.Cpu;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The layer under several reference profiles: what differs, what is shared, what stays the default. */
class ProfileTest {

    private static final Reference INTEL = Reference.defaults();
    private static final Reference AMD = Reference.defaults().withCpu(Cpu.AMD_ZEN4);

    private static QuantizedBatchNormalization layer(int channels) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        float[] threes = new float[channels];
        Arrays.fill(threes, 3f);
        // variance 1, epsilon 0: rsqrt(1) is 0.99999994 on Intel packet lanes and exactly 1 on AMD
        // ones (TfMathTest shows both by hand), and 1 on scalar lanes everywhere. Gamma 3, because
        // 0.99999994 / 127 and 1 / 127 round to the same float32 and 3 * 0.99999994 / 127 and 3 / 127
        // do not.
        return QuantizedBatchNormalization.builder().gamma(threes).movingVariance(ones).epsilon(0).build();
    }

    @Test
    void theDefaultProfileIsIntelEagerAndCallUsesTheLayersOwn() {
        QuantizedBatchNormalization bn = layer(8);
        assertThat(bn.reference()).isEqualTo(INTEL);
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 8), new int[] {1, 2, 3, 4, 5, 6, 7, 8}, 7, FracBits.of(0));
        assertThat(bn.call(x)).isEqualTo(bn.call(x, INTEL));
        QuantizedBatchNormalization amdLayer = QuantizedBatchNormalization.builder().gamma(bn.gamma())
                .movingVariance(bn.movingVariance()).epsilon(0).reference(AMD).build();
        assertThat(amdLayer.call(x)).isEqualTo(bn.call(x, AMD));
    }

    @Test
    void packetLanesGiveOtherScalesOnAmdAndTheTailDoesNot() {
        QuantizedBatchNormalization nine = layer(9); // 8 packet lanes, 1 scalar lane
        FixedPoint x9 = FixedPoint.of(Shape.of(1, 1, 9), new int[9], 7, FracBits.of(0));
        assertThat(nine.fold(x9, INTEL).sigmaRec()).containsExactly(0.99999994f, 0.99999994f, 0.99999994f,
                0.99999994f, 0.99999994f, 0.99999994f, 0.99999994f, 0.99999994f, 1f);
        assertThat(nine.fold(x9, AMD).sigmaRec()).containsOnly(1f);

        // Eight packet lanes: a = 3 * rsqrt(1), and the scale max|a| / 127 differs in its last bit.
        QuantizedBatchNormalization bn = layer(8);
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 8), new int[8], 7, FracBits.of(0));
        QFloat intel = (QFloat) bn.call(x, INTEL);
        QFloat amd = (QFloat) bn.call(x, AMD);
        assertThat(intel.scales().get(0)).isEqualTo(3f * 0.99999994f / 127f).isEqualTo(0.023622045f);
        assertThat(amd.scales().get(0)).isEqualTo(3f / 127f).isEqualTo(0.023622047f);
        assertThat(intel).isNotEqualTo(amd);
    }

    @Test
    void profilesThatDeriveTheSameValuesShareThem() {
        QuantizedBatchNormalization small = layer(7); // every lane scalar: no CPU dependence
        assertThat(small.derivationOf(AMD)).isSameAs(small.derivationOf(INTEL));
        assertThat(small.derivationOf(Reference.defaults().withCpu(Cpu.named("amd-zen3"))))
                .isSameAs(small.derivationOf(INTEL));
        QuantizedBatchNormalization wide = layer(8);
        assertThat(wide.derivationOf(AMD)).isNotSameAs(wide.derivationOf(INTEL));
        assertThat(wide.derivationOf(Reference.defaults().withCpu(Cpu.named("amd-zen3"))))
                .isSameAs(wide.derivationOf(AMD));
    }
}
