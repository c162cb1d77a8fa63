package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Element values of every dtype as doubles and floats, unsigned ones included, and the value semantics of
 * {@link NpyArray}. Expected values are worked out by hand in the comments.
 */
class NpyArrayValuesTest {

    private static final int[] TWO = {2};

    @Test
    void readsEveryDtypeAsADouble() {
        assertThat(NpyArray.ofInt8(TWO, new byte[] {-1, 127}).getDouble(0)).isEqualTo(-1.0);
        assertThat(NpyArray.ofUInt8(TWO, new byte[] {-1, 1}).getDouble(0)).isEqualTo(255.0);
        assertThat(NpyArray.ofInt16(TWO, new short[] {-2, 0}).getDouble(0)).isEqualTo(-2.0);
        assertThat(NpyArray.ofUInt16(TWO, new short[] {-1, 0}).getDouble(0)).isEqualTo(65535.0);
        assertThat(NpyArray.ofInt32(TWO, new int[] {-3, 0}).getDouble(0)).isEqualTo(-3.0);
        assertThat(NpyArray.ofUInt32(TWO, new int[] {-1, 0}).getDouble(0)).isEqualTo(4294967295.0);
        assertThat(NpyArray.ofInt64(TWO, new long[] {-4, 0}).getDouble(0)).isEqualTo(-4.0);
        // 2^64 - 1 rounds to 2^64; 2^63 + 1 rounds to 2^63 (round to nearest even, not up)
        assertThat(NpyArray.ofUInt64(TWO, new long[] {-1, Long.MIN_VALUE + 1}).getDouble(0)).isEqualTo(0x1p64);
        assertThat(NpyArray.ofUInt64(TWO, new long[] {-1, Long.MIN_VALUE + 1}).getDouble(1)).isEqualTo(0x1p63);
        // 0x3C00 is 1.0 in half precision, 0xC000 is -2.0
        assertThat(NpyArray.ofFloat16Bits(TWO, new short[] {0x3C00, (short) 0xC000}).getDouble(1)).isEqualTo(-2.0);
        assertThat(NpyArray.ofFloat32(TWO, new float[] {0.5f, 0f}).getDouble(0)).isEqualTo(0.5);
        assertThat(NpyArray.ofFloat64(TWO, new double[] {0.1, 0}).getDouble(0)).isEqualTo(0.1);
        assertThat(NpyArray.ofBool(TWO, new boolean[] {true, false}).getDouble(0)).isEqualTo(1.0);
    }

    @Test
    void convertsUnsignedIntegersToFloatOnlyWhenExact() {
        // 2^63 and 2^40 are floats; 2^40 + 1 and 2^64 - 1 are not
        assertThat(NpyArray.ofUInt64(TWO, new long[] {Long.MIN_VALUE, 1L << 40}).toFloatArray())
                .containsExactly(0x1p63f, 0x1p40f);
        assertThatThrownBy(() -> NpyArray.ofUInt64(TWO, new long[] {0, (1L << 40) + 1}).toFloatArray())
                .isInstanceOf(ArithmeticException.class).hasMessageContaining("element 1");
        assertThatThrownBy(() -> NpyArray.ofUInt64(TWO, new long[] {-1, 0}).toFloatArray())
                .isInstanceOf(ArithmeticException.class).hasMessageContaining("element 0");
        // 2^63 + 2^40 is a float (bits 63 and 40 only): the high half of the unsigned range
        assertThat(NpyArray.ofUInt64(TWO, new long[] {Long.MIN_VALUE + (1L << 40), 0}).toFloatArray()[0])
                .isEqualTo(0x1p63f + 0x1p40f);
        assertThat(NpyArray.ofUInt32(TWO, new int[] {-1, 0}).toLongArray()).containsExactly(4294967295L, 0);
    }

    @Test
    void equalArraysHaveEqualHashesAndEveryDifferenceCounts() {
        for (NpyArray a : new NpyArray[] {NpyArray.ofInt8(TWO, new byte[] {1, 2}), NpyArray.ofInt16(TWO, new short[] {1, 2}),
            NpyArray.ofInt32(TWO, new int[] {1, 2}), NpyArray.ofInt64(TWO, new long[] {1, 2}),
            NpyArray.ofFloat32(TWO, new float[] {1, 2}), NpyArray.ofFloat64(TWO, new double[] {1, 2})}) {
            NpyArray same = copyOf(a);
            assertThat(same).isEqualTo(a).hasSameHashCodeAs(a);
            assertThat(a).isEqualTo(a).isNotEqualTo(null).isNotEqualTo("a");
        }
        assertThat(NpyArray.ofInt8(TWO, new byte[] {1, 2})).isNotEqualTo(NpyArray.ofInt8(TWO, new byte[] {1, 3}))
                .isNotEqualTo(NpyArray.ofUInt8(TWO, new byte[] {1, 2}))
                .isNotEqualTo(NpyArray.ofInt8(new int[] {1, 2}, new byte[] {1, 2}));
        assertThat(NpyArray.ofInt16(TWO, new short[] {1, 2})).isNotEqualTo(NpyArray.ofInt16(TWO, new short[] {1, 3}));
        assertThat(NpyArray.ofInt32(TWO, new int[] {1, 2})).isNotEqualTo(NpyArray.ofInt32(TWO, new int[] {1, 3}));
        assertThat(NpyArray.ofInt64(TWO, new long[] {1, 2})).isNotEqualTo(NpyArray.ofInt64(TWO, new long[] {1, 3}));
        assertThat(NpyArray.ofFloat32(TWO, new float[] {1, 2})).isNotEqualTo(NpyArray.ofFloat32(TWO, new float[] {1, 3}));
        assertThat(NpyArray.ofFloat64(TWO, new double[] {1, 2})).isNotEqualTo(NpyArray.ofFloat64(TWO, new double[] {1, 3}));
        assertThat(NpyArray.ofInt64(TWO, new long[] {1, 2}).hashCode())
                .isNotEqualTo(NpyArray.ofInt64(TWO, new long[] {1, 3}).hashCode());
    }

    private static NpyArray copyOf(NpyArray a) {
        switch (a.dtype()) {
            case INT8:
                return NpyArray.ofInt8(a.shape(), new byte[] {1, 2});
            case INT16:
                return NpyArray.ofInt16(a.shape(), new short[] {1, 2});
            case INT32:
                return NpyArray.ofInt32(a.shape(), new int[] {1, 2});
            case INT64:
                return NpyArray.ofInt64(a.shape(), new long[] {1, 2});
            case FLOAT32:
                return NpyArray.ofFloat32(a.shape(), new float[] {1, 2});
            default:
                return NpyArray.ofFloat64(a.shape(), new double[] {1, 2});
        }
    }

    @Test
    void refusesShapesPastTwoToThe31Elements() {
        assertThat(NpyArray.ofInt8(new int[] {0, Integer.MAX_VALUE}, new byte[0]).size()).isZero();
        assertThatThrownBy(() -> NpyArray.ofInt8(new int[] {2, 1 << 30}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
