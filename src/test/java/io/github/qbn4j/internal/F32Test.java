package io.github.qbn4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class F32Test {

    @Test
    void pow2IsExactForNormalExponentsAndFlushesSubnormals() {
        assertThat(F32.pow2(0)).isEqualTo(1f);
        assertThat(F32.pow2(-126)).isEqualTo(Float.MIN_NORMAL);
        assertThat(F32.pow2(127)).isEqualTo(0x1p127f);
        // tf.pow(2.0, -127.0) is 0: TensorFlow flushes subnormal results (tools/fp-probe).
        assertThat(F32.pow2(-127)).isZero();
        assertThat(F32.pow2(128)).isInfinite();
        assertThat(F32.pow2(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(F32.pow2(Float.POSITIVE_INFINITY)).isInfinite();
    }

    @Test
    void saturationUpperBoundBecomesAPowerOfTwoFrom25ValueBits() {
        // float32(2^24 - 1) is exact; float32(2^25 - 1) rounds to 2^25.
        assertThat(F32.upperBound(7)).isEqualTo(127f);
        assertThat(F32.upperBound(24)).isEqualTo(16777215f);
        assertThat(F32.upperBound(25)).isEqualTo(33554432f);
        assertThat(F32.upperBound(31)).isEqualTo(2147483648f);
    }

    @Test
    void saturatesToBothLimitsAndNormalizesNegativeZero() {
        assertThat(F32.saturate(128f, 7)).isEqualTo(127f);
        assertThat(F32.saturate(-129f, 7)).isEqualTo(-128f);
        assertThat(F32.saturate(-128f, 7)).isEqualTo(-128f);
        assertThat(F32.saturate(127f, 7)).isEqualTo(127f);
        assertThat(Float.floatToRawIntBits(F32.saturate(-0f, 7))).isZero();
    }

    @Test
    void roundHalfEvenAndHalfUpDifferOnNegativeAndEvenTies() {
        assertThat(F32.roundHalfEven(2.5f)).isEqualTo(2f);
        assertThat(F32.roundHalfEven(3.5f)).isEqualTo(4f);
        assertThat(F32.roundHalfEven(-2.5f)).isEqualTo(-2f);
        assertThat(F32.roundHalfUp(2.5f)).isEqualTo(3f);
        assertThat(F32.roundHalfUp(-2.5f)).isEqualTo(-2f);
        assertThat(F32.roundHalfUp(-3.5f)).isEqualTo(-3f);
    }

    @Test
    void roundHalfUpAddsHalfInFloat32() {
        // 2^24 + 1 is not a float: float32(8388607.5 + 0.5) = 8388608 exactly, but
        // float32(16777215 + 0.5) rounds to 16777216 before the floor.
        assertThat(F32.roundHalfUp(16777215f)).isEqualTo(16777216f);
    }

    @Test
    void ceilLog2MatchesQuantizemlAroundPowersOfTwo() {
        // quantizeml 0.5.2 FixedPoint.max_frac_bits(7, r) = 7 - ceil_log2(r), clamped at 7
        // (src/test/resources/reference/unit_reference.txt, lines "max_frac_bits k d r fb").
        assertThat(7 - F32.ceilLog2(8.000001f)).isEqualTo(4f);   // 2^3 + 1 ulp: log rounds to 3
        assertThat(7 - F32.ceilLog2(8.000002f)).isEqualTo(3f);
        assertThat(7 - F32.ceilLog2(1.0000001f)).isEqualTo(6f);
        assertThat(7 - F32.ceilLog2(8192f)).isEqualTo(-6f);
        assertThat(7 - F32.ceilLog2(8192.001f)).isEqualTo(-7f);
        assertThat(7 - F32.ceilLog2(1048576.1f)).isEqualTo(-13f); // 2^20 + 1 ulp: still 20
        assertThat(F32.ceilLog2(0f)).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void maxFracBitsClampsZeroRangesToTheValueBits() {
        TfMath eager = TfMath.of(io.github.qbn4j.Reference.defaults());
        assertThat(eager.maxFracBits(7, new float[] {0f}, true)).containsExactly(7f);
        assertThat(eager.maxFracBits(7, new float[] {0f}, false)).containsExactly(Float.POSITIVE_INFINITY);
    }

    @Test
    void ftzFlushesSubnormalsOnly() {
        assertThat(F32.ftz(Float.MIN_VALUE)).isZero();
        assertThat(F32.ftz(-Float.MIN_VALUE)).isZero();
        assertThat(F32.ftz(Float.MIN_NORMAL)).isEqualTo(Float.MIN_NORMAL);
    }
}
