package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.io.NpyArray.DType;
import org.junit.jupiter.api.Test;

class NpyArrayTest {

    @Test
    void dtypesKnowTheirCodeAndByteSize() {
        assertThat(DType.BOOL.code()).isEqualTo("b1");
        assertThat(DType.UINT64.code()).isEqualTo("u8");
        assertThat(DType.FLOAT16.byteSize()).isEqualTo(2);
        assertThat(DType.FLOAT64.byteSize()).isEqualTo(8);
        for (DType d : DType.values()) {
            assertThat(d.byteSize()).isEqualTo(Integer.parseInt(d.code().substring(1)));
            assertThat(DType.fromCode(d.code())).isSameAs(d);
        }
    }

    @Test
    void factoriesCopyTheirArgumentsAndShapeReturnsACopy() {
        int[] shape = {2, 3};
        float[] data = {1, 2, 3, 4, 5, 6};
        NpyArray a = NpyArray.ofFloat32(shape, data);
        shape[0] = 3;
        data[0] = 99;
        a.shape()[1] = 7;
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.getDouble(0)).isEqualTo(1.0);
        assertThat(a.rank()).isEqualTo(2);
        assertThat(a.size()).isEqualTo(6);
        assertThat(a.dtype()).isEqualTo(DType.FLOAT32);
    }

    @Test
    void scalarsHaveRankZeroAndOneElement() {
        NpyArray s = NpyArray.scalarInt64(-5);
        assertThat(s.rank()).isZero();
        assertThat(s.size()).isEqualTo(1);
        assertThat(s.getLong(0)).isEqualTo(-5);
        NpyArray f = NpyArray.scalarFloat32(2.5f);
        assertThat(f.shape()).isEmpty();
        assertThat(f.toFloatArray()).containsExactly(2.5f);
        assertThat(NpyArray.ofFloat64(new int[0], new double[] {1.5}).getDouble(0)).isEqualTo(1.5);
    }

    @Test
    void rejectsDataLengthThatDoesNotMatchShape() {
        assertThatThrownBy(() -> NpyArray.ofInt32(new int[] {2, 3}, new int[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data has 5 elements, expected 6 for shape [2, 3]");
        assertThatThrownBy(() -> NpyArray.ofBool(new int[0], new boolean[0]))
                .hasMessage("data has 0 elements, expected 1 for shape []");
    }

    @Test
    void rejectsNegativeDimensions() {
        assertThatThrownBy(() -> NpyArray.ofInt8(new int[] {2, -1}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape[1] must be >= 0, got -1");
    }

    @Test
    void refusesMoreThanIntegerMaxValueElements() {
        assertThatThrownBy(() -> NpyArray.ofUInt8(new int[] {65536, 65536}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("element count must be <= 2147483647, got 4294967296"
                        + " for shape [65536, 65536]");
    }

    @Test
    void aZeroDimensionMakesAnEmptyArrayWhateverTheOtherDimensions() {
        NpyArray e = NpyArray.ofFloat32(new int[] {Integer.MAX_VALUE, 0, Integer.MAX_VALUE},
                new float[0]);
        assertThat(e.size()).isZero();
        assertThat(e.toDoubleArray()).isEmpty();
        assertThat(e.isIntegral()).isTrue();
        assertThat(e.toString()).isEqualTo(
                "NpyArray[dtype=f4, shape=[2147483647, 0, 2147483647], data=[]]");
    }

    @Test
    void decodesFloat16Exactly() {
        short[] bits = {0x0001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, (short) 0xFC00, 0x7E00,
            (short) 0x8000, 0x3555, 0x3C00, (short) 0xC100};
        NpyArray h = NpyArray.ofFloat16Bits(new int[] {bits.length}, bits);
        double[] d = h.toDoubleArray();
        assertThat(d[0]).isEqualTo(0x1p-24);
        assertThat(d[1]).isEqualTo(1023 * 0x1p-24);
        assertThat(d[2]).isEqualTo(0x1p-14);
        assertThat(d[3]).isEqualTo(65504.0);
        assertThat(d[4]).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(d[5]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(d[6]).isNaN();
        assertThat(Double.doubleToRawLongBits(d[7])).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(d[8]).isEqualTo(0.333251953125);
        assertThat(d[9]).isEqualTo(1.0);
        assertThat(d[10]).isEqualTo(-2.5);
        assertThat(h.toFloatArray()[0]).isEqualTo(0x1p-24f);
    }

    @Test
    void float16DecodingIsStrictlyIncreasingOverAllPositivePatternsAndSymmetric() {
        double previous = -1;
        for (int b = 0; b <= 0x7C00; b++) {
            double v = NpyArray.halfToDouble((short) b);
            assertThat(v).as("bits %04x", b).isGreaterThan(previous);
            assertThat(NpyArray.halfToDouble((short) (b | 0x8000))).isEqualTo(-v);
            // every finite half is a float exactly
            assertThat((double) (float) v).isEqualTo(v);
            previous = v;
        }
        for (int b = 0x7C01; b <= 0x7FFF; b++) {
            assertThat(NpyArray.halfToDouble((short) b)).isNaN();
            assertThat(NpyArray.halfToDouble((short) (b | 0x8000))).isNaN();
        }
    }

    @Test
    void readsUnsignedTypesAsUnsignedValues() {
        assertThat(NpyArray.ofUInt8(new int[] {1}, new byte[] {(byte) 0xFF}).getLong(0))
                .isEqualTo(255);
        assertThat(NpyArray.ofUInt16(new int[] {1}, new short[] {(short) 0xFFFF}).getDouble(0))
                .isEqualTo(65535.0);
        assertThat(NpyArray.ofUInt32(new int[] {1}, new int[] {-1}).getLong(0))
                .isEqualTo(4294967295L);
        NpyArray u8 = NpyArray.ofUInt64(new int[] {3}, new long[] {-1, Long.MIN_VALUE, 5});
        assertThat(u8.getDouble(0)).isEqualTo(0x1p64);
        assertThat(u8.getDouble(1)).isEqualTo(0x1p63);
        assertThat(u8.getLong(2)).isEqualTo(5);
        assertThat(NpyArray.ofInt8(new int[] {1}, new byte[] {(byte) 0xFF}).getLong(0))
                .isEqualTo(-1);
    }

    @Test
    void unsignedToDoubleRoundsToNearest() {
        // 2^64 - 1025 lies just below the midpoint between 2^64 - 2048 and 2^64
        assertThat(NpyArray.unsignedToDouble(-1025L)).isEqualTo(0x1p64 - 2048);
        assertThat(NpyArray.unsignedToDouble(-1023L)).isEqualTo(0x1p64);
        assertThat(NpyArray.unsignedToDouble(Long.MAX_VALUE)).isEqualTo(0x1p63);
    }

    @Test
    void getLongThrowsNamingIndexAndValueForNonIntegralElements() {
        NpyArray f = NpyArray.ofFloat64(new int[] {5},
                new double[] {3.0, 2.5, Double.NaN, Double.POSITIVE_INFINITY, 0x1p63});
        assertThat(f.getLong(0)).isEqualTo(3);
        assertThatThrownBy(() -> f.getLong(1)).isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("element 1").hasMessageContaining("2.5");
        assertThatThrownBy(() -> f.getLong(2)).hasMessageContaining("element 2")
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> f.getLong(3)).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> f.getLong(4)).hasMessageContaining("element 4");
        NpyArray u = NpyArray.ofUInt64(new int[] {2}, new long[] {1, Long.MIN_VALUE});
        assertThatThrownBy(() -> u.getLong(1)).isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("element 1").hasMessageContaining("9223372036854775808");
        assertThatThrownBy(u::toLongArray).hasMessageContaining("element 1");
    }

    @Test
    void getLongAcceptsIntegralFloatsDownToLongMinValue() {
        NpyArray f = NpyArray.ofFloat64(new int[] {3}, new double[] {-0x1p63, -0.0, 1e15});
        assertThat(f.toLongArray()).containsExactly(Long.MIN_VALUE, 0, 1_000_000_000_000_000L);
        NpyArray h = NpyArray.ofFloat16Bits(new int[] {1}, new short[] {0x7BFF});
        assertThat(h.getLong(0)).isEqualTo(65504);
    }

    @Test
    void indexOutsideTheArrayIsRefused() {
        NpyArray a = NpyArray.ofInt32(new int[] {2}, new int[] {1, 2});
        assertThatThrownBy(() -> a.getDouble(2)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("index must be in [0, 2), got 2");
        assertThatThrownBy(() -> a.getLong(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void toFloatArrayIsExactOrThrowsNamingTheFirstOffendingIndex() {
        assertThat(NpyArray.ofInt32(new int[] {3}, new int[] {-(1 << 24), 1 << 24, 1 << 30})
                .toFloatArray()).containsExactly(-16777216f, 16777216f, 1073741824f);
        assertThatThrownBy(() -> NpyArray.ofInt32(new int[] {3}, new int[] {1, (1 << 24) + 1, 3})
                .toFloatArray()).isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("element 1").hasMessageContaining("16777217");
        assertThatThrownBy(() -> NpyArray.ofFloat64(new int[] {2}, new double[] {0.5, 0.1})
                .toFloatArray()).hasMessageContaining("element 1");
        assertThatThrownBy(() -> NpyArray.ofFloat64(new int[] {1}, new double[] {1e300})
                .toFloatArray()).hasMessageContaining("element 0");
        assertThat(NpyArray.ofFloat64(new int[] {3},
                new double[] {Double.NaN, Double.NEGATIVE_INFINITY, 0x1p-149}).toFloatArray())
                .containsExactly(Float.NaN, Float.NEGATIVE_INFINITY, Float.MIN_VALUE);
        assertThatThrownBy(() -> NpyArray.ofInt64(new int[] {1}, new long[] {Long.MAX_VALUE})
                .toFloatArray()).hasMessageContaining("element 0");
        assertThat(NpyArray.ofInt64(new int[] {1}, new long[] {Long.MIN_VALUE}).toFloatArray())
                .containsExactly(-0x1p63f);
        assertThat(NpyArray.ofUInt64(new int[] {2}, new long[] {Long.MIN_VALUE, 7})
                .toFloatArray()).containsExactly(0x1p63f, 7f);
        assertThatThrownBy(() -> NpyArray.ofUInt64(new int[] {2}, new long[] {0, -1})
                .toFloatArray()).hasMessageContaining("element 1")
                .hasMessageContaining("18446744073709551615");
        assertThat(NpyArray.ofBool(new int[] {2}, new boolean[] {true, false}).toFloatArray())
                .containsExactly(1f, 0f);
    }

    @Test
    void toDoubleArrayWidensEveryDtype() {
        assertThat(NpyArray.ofFloat32(new int[] {2}, new float[] {0.1f, -3f}).toDoubleArray())
                .containsExactly((double) 0.1f, -3.0);
        assertThat(NpyArray.ofInt16(new int[] {2}, new short[] {-32768, 7}).toDoubleArray())
                .containsExactly(-32768.0, 7.0);
        assertThat(NpyArray.ofUInt16(new int[] {1}, new short[] {(short) 40000}).toLongArray())
                .containsExactly(40000L);
    }

    @Test
    void isIntegralLooksAtEveryElement() {
        assertThat(NpyArray.ofFloat32(new int[] {3}, new float[] {1, -2, 1e20f}).isIntegral())
                .isTrue();
        assertThat(NpyArray.ofFloat32(new int[] {2}, new float[] {1, 1.5f}).isIntegral()).isFalse();
        assertThat(NpyArray.ofFloat64(new int[] {1}, new double[] {Double.NaN}).isIntegral())
                .isFalse();
        assertThat(NpyArray.ofFloat64(new int[] {1}, new double[] {Double.POSITIVE_INFINITY})
                .isIntegral()).isFalse();
        assertThat(NpyArray.ofUInt64(new int[] {1}, new long[] {-1}).isIntegral()).isTrue();
        assertThat(NpyArray.ofBool(new int[] {1}, new boolean[] {true}).isIntegral()).isTrue();
    }

    @Test
    void equalityCoversDtypeShapeAndContents() {
        NpyArray a = NpyArray.ofInt32(new int[] {2, 2}, new int[] {1, 2, 3, 4});
        assertThat(a).isEqualTo(NpyArray.ofInt32(new int[] {2, 2}, new int[] {1, 2, 3, 4}))
                .hasSameHashCodeAs(NpyArray.ofInt32(new int[] {2, 2}, new int[] {1, 2, 3, 4}));
        assertThat(a).isNotEqualTo(NpyArray.ofUInt32(new int[] {2, 2}, new int[] {1, 2, 3, 4}));
        assertThat(a).isNotEqualTo(NpyArray.ofInt32(new int[] {4}, new int[] {1, 2, 3, 4}));
        assertThat(a).isNotEqualTo(NpyArray.ofInt32(new int[] {2, 2}, new int[] {1, 2, 3, 5}));
        assertThat(a).isNotEqualTo("not an array");
        NpyArray nan = NpyArray.ofFloat64(new int[] {1}, new double[] {Double.NaN});
        assertThat(nan).isEqualTo(NpyArray.ofFloat64(new int[] {1}, new double[] {Double.NaN}));
        assertThat(NpyArray.ofFloat32(new int[] {1}, new float[] {0f}))
                .isNotEqualTo(NpyArray.ofFloat32(new int[] {1}, new float[] {-0f}));
    }

    @Test
    void toStringIsShortAndDeterministic() {
        assertThat(NpyArray.ofFloat32(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}))
                .hasToString("NpyArray[dtype=f4, shape=[2, 3], data=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]");
        long[] ten = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertThat(NpyArray.ofInt64(new int[] {10}, ten))
                .hasToString("NpyArray[dtype=i8, shape=[10], data=[0, 1, 2, 3, 4, 5, 6, 7, \u2026]]");
        assertThat(NpyArray.ofBool(new int[] {2}, new boolean[] {true, false}))
                .hasToString("NpyArray[dtype=b1, shape=[2], data=[true, false]]");
        assertThat(NpyArray.ofUInt64(new int[0], new long[] {-1}))
                .hasToString("NpyArray[dtype=u8, shape=[], data=[18446744073709551615]]");
        assertThat(NpyArray.ofFloat16Bits(new int[] {1}, new short[] {0x3E00}))
                .hasToString("NpyArray[dtype=f2, shape=[1], data=[1.5]]");
    }

    @Test
    void nullArgumentsAreRefused() {
        assertThatThrownBy(() -> NpyArray.ofFloat32(null, new float[0]))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NpyArray.ofFloat32(new int[0], null))
                .isInstanceOf(NullPointerException.class);
    }
}
