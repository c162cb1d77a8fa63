package io.github.qbn4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qbn4j.Reference;
import io.github.qbn4j.Reference.Cpu;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TfMathTest {

    private static final TfMath INTEL = TfMath.of(Reference.defaults());
    private static final TfMath AMD = TfMath.of(Reference.defaults().withCpu(Cpu.AMD_ZEN4));

    @Test
    void rsqrtUsesTheScalarFormulaOnTailLanesOnEveryCpu() {
        // Fewer than 8 elements: every lane is scalar, 1 / float32(sqrt(x)), whatever the CPU.
        float[] x = {4f, 0.251f, 1.001f};
        for (TfMath math : new TfMath[] {INTEL, AMD}) {
            float[] r = math.rsqrt(x);
            for (int i = 0; i < x.length; i++) {
                assertThat(r[i]).isEqualTo(1f / (float) Math.sqrt(x[i]));
            }
        }
    }

    @Test
    void rsqrtPacketLanesMatchTensorFlowOnIntel() {
        // tf.math.rsqrt(tf.constant(np.full(8, v, np.float32)))[7] and the scalar tf.math.rsqrt(v),
        // TensorFlow 2.12.1 on an Intel Xeon (printed by a one-off probe; tools/fp-probe/CheckRsqrt
        // checks 2^26 packet values against TensorFlow):
        //   v      packet         scalar       correctly rounded
        //   1.0    0.99999994     1.0          1.0
        //   2.0    0.7071067      0.70710677   0.70710677
        //   0.251  1.9960117      1.9960121    1.996012
        //   4.0    0.49999997     0.5          0.5
        //   1.001  0.9995002      0.9995004    0.99950033
        float[] inputs = {1.0f, 2.0f, 0.251f, 4.0f, 1.001f};
        float[] packet = {0.99999994f, 0.7071067f, 1.9960117f, 0.49999997f, 0.9995002f};
        float[] scalar = {1.0f, 0.70710677f, 1.9960121f, 0.5f, 0.9995004f};
        for (int i = 0; i < inputs.length; i++) {
            float[] nine = new float[9];
            Arrays.fill(nine, inputs[i]);
            float[] r = INTEL.rsqrt(nine);
            assertThat(r[7]).as("packet rsqrt(%s)", inputs[i]).isEqualTo(packet[i]);
            assertThat(r[8]).as("scalar rsqrt(%s)", inputs[i]).isEqualTo(scalar[i]);
        }
    }

    @Test
    void amdNewtonStepFromTheEstimateOfOneGivesExactlyOne() {
        // By hand from the table's first line (parity 0, mantissa 0: bits 3f7ff800, r = 1 - 2^-13):
        //   -0.5 * r = -(2^-1 - 2^-14), exact;  x * r = r;
        //   (-0.5 r) * r = -(2^-1 - 2^-13 + 2^-27): the ulp in [0.25, 0.5) is 2^-25, so float32 drops
        //   the 2^-27 (a quarter ulp): -(2^-1 - 2^-13);
        //   + 1.5 = 1 + 2^-13, exact;  r * (1 + 2^-13) = 1 - 2^-26, a quarter ulp below 1: rounds to 1.
        // TensorFlow 2.12.1 on an AMD EPYC (family 25 model 1) prints 1.0 for the packet lane as well.
        assertThat(Float.floatToRawIntBits(Cpu.AMD_ZEN4.rsqrtEstimate(1f))).isEqualTo(0x3f7ff800);
        float[] nine = new float[9];
        Arrays.fill(nine, 1f);
        assertThat(AMD.rsqrt(nine)[0]).isEqualTo(1f);
        assertThat(INTEL.rsqrt(nine)[0]).isEqualTo(0.99999994f);
    }

    @Test
    void rsqrtPacketLanesMatchTensorFlowOnAmd() {
        // tf.math.rsqrt(tf.constant(np.full(9, v, np.float32))) lanes 7 (packet) and 8 (scalar),
        // TensorFlow 2.12.1 on an AMD EPYC, CPU family 25 model 1, 2026-12-03, as float32 bits:
        //   v      packet     scalar
        //   1.0    3f800000   3f800000
        //   1.001  3f7fdf41   3f7fdf42
        //   1.5    3f5105ec   3f5105eb
        //   0.251  3fff7d53   3fff7d53
        //   3.999  3f000419   3f000419
        float[] inputs = {1.0f, 1.001f, 1.5f, 0.251f, 3.999f};
        int[] packet = {0x3f800000, 0x3f7fdf41, 0x3f5105ec, 0x3fff7d53, 0x3f000419};
        int[] scalar = {0x3f800000, 0x3f7fdf42, 0x3f5105eb, 0x3fff7d53, 0x3f000419};
        for (int i = 0; i < inputs.length; i++) {
            float[] nine = new float[9];
            Arrays.fill(nine, inputs[i]);
            float[] r = AMD.rsqrt(nine);
            assertThat(Float.floatToRawIntBits(r[7])).as("packet rsqrt(%s)", inputs[i]).isEqualTo(packet[i]);
            assertThat(Float.floatToRawIntBits(r[8])).as("scalar rsqrt(%s)", inputs[i]).isEqualTo(scalar[i]);
        }
    }

    @Test
    void rsqrtPacketLanesFollowTensorFlow215UnderQuantizeml0171() {
        // tf.math.rsqrt(tf.constant(np.full(9, x, np.float32))) lane 7 (packet), on this AMD EPYC
        // (family 25 model 1), 2026-12-03, TensorFlow 2.12.1 (/work/venv/qml) and 2.15.1
        // (/work/venv/qml17), as float32 bits; 2.15's Newton step h = (x*r)*r - 1, y = (r*-0.5)*h + r
        // differs from 2.12's r*(1.5 + (-0.5r)(xr)) by one ulp on these inputs:
        //   x           2.12 packet  2.15 packet
        //   0x3f8020c6  3f7fdf3f     3f7fdf40
        //   0x3faf8911  3f5a9b34     3f5a9b33
        //   0x3ff07bcd  3f3ac495     3f3ac494
        //   0x4024bb36  3f1f910b     3f1f910a
        int[] inputs = {0x3f8020c6, 0x3faf8911, 0x3ff07bcd, 0x4024bb36};
        int[] tf212 = {0x3f7fdf3f, 0x3f5a9b34, 0x3f3ac495, 0x3f1f910b};
        int[] tf215 = {0x3f7fdf40, 0x3f5a9b33, 0x3f3ac494, 0x3f1f910a};
        TfMath amd017 = TfMath.of(Reference.defaults().withCpu(Cpu.AMD_ZEN4)
                .withQuantizeml(Reference.Quantizeml.V0_17_1));
        for (int i = 0; i < inputs.length; i++) {
            float[] nine = new float[9];
            Arrays.fill(nine, Float.intBitsToFloat(inputs[i]));
            assertThat(Float.floatToRawIntBits(AMD.rsqrt(nine)[7])).isEqualTo(tf212[i]);
            assertThat(Float.floatToRawIntBits(amd017.rsqrt(nine)[7])).isEqualTo(tf215[i]);
        }
    }
}
