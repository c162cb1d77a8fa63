package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QTensorFilesTest {

    @TempDir
    Path dir;

    private static final FixedPoint PER_TENSOR =
            FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.of(2));
    private static final FixedPoint PER_AXIS =
            FixedPoint.of(Shape.of(1, 2, 2), new int[] {10, -20, -7, 33}, 7, FracBits.perAxis(2, 4));

    private QTensor roundTrip(QTensor t) throws IOException {
        Path file = dir.resolve("t.npz");
        QTensorFiles.write(file, t);
        return QTensorFiles.read(file);
    }

    /** Valid arrays for a per-axis FixedPoint of shape (1, 1, 2), to be broken by each test. */
    private static Map<String, NpyArray> validArrays() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {10, -20}));
        m.put("value_bits", NpyArray.scalarInt64(7));
        m.put("frac_bits", NpyArray.ofInt64(new int[] {2}, new long[] {2, 4}));
        return m;
    }

    private Path write(Map<String, NpyArray> arrays) throws IOException {
        Path file = dir.resolve("x.npz");
        Npz.write(file, arrays);
        return file;
    }

    @Test
    void roundTripsPerTensorFixedPoint() throws IOException {
        QTensor back = roundTrip(PER_TENSOR);
        assertThat(back).isInstanceOf(FixedPoint.class).isEqualTo(PER_TENSOR);
        assertThat(back.fracBits().isPerAxis()).isFalse();
    }

    @Test
    void roundTripsPerAxisFixedPoint() throws IOException {
        QTensor back = roundTrip(PER_AXIS);
        assertThat(back).isEqualTo(PER_AXIS);
        assertThat(back.fracBits()).isEqualTo(FracBits.perAxis(2, 4));
    }

    @Test
    void keepsTheFormOfOneChannelPerAxisFracBits() throws IOException {
        FixedPoint oneChannel = FixedPoint.of(Shape.of(1, 1, 1), new int[] {3}, 7, FracBits.perAxis(5));
        assertThat(roundTrip(oneChannel).fracBits()).isEqualTo(FracBits.perAxis(5)).isNotEqualTo(FracBits.of(5));
    }

    @Test
    void roundTripsPerTensorQFloat() throws IOException {
        QFloat q = QFloat.of(PER_TENSOR, Scales.of(0.015748031f));
        QTensor back = roundTrip(q);
        assertThat(back).isInstanceOf(QFloat.class).isEqualTo(q);
        assertThat(((QFloat) back).scales().isPerAxis()).isFalse();
    }

    @Test
    void roundTripsPerAxisQFloat() throws IOException {
        QFloat q = QFloat.of(PER_AXIS, Scales.perAxis(0.5f, 0.25f));
        assertThat(roundTrip(q)).isEqualTo(q);
    }

    @Test
    void roundTripsNegativeFracBitsAndThe31BitExtremes() throws IOException {
        FixedPoint wide = FixedPoint.of(Shape.of(1, 1, 3), new long[] {-(1L << 31), 1L << 31, 0}, 31,
                FracBits.of(-3));
        assertThat(roundTrip(wide)).isEqualTo(wide);
    }

    @Test
    void writesTheInterchangeDtypesAndShapes() throws IOException {
        Path file = dir.resolve("q.npz");
        QTensorFiles.write(file, QFloat.of(PER_AXIS, Scales.perAxis(0.5f, 0.25f)));
        Map<String, NpyArray> arrays = Npz.read(file);
        assertThat(arrays).containsOnlyKeys("values", "value_bits", "frac_bits", "scales");
        assertThat(arrays.get("values").dtype()).isEqualTo(NpyArray.DType.INT64);
        assertThat(arrays.get("values").shape()).containsExactly(1, 2, 2);
        assertThat(arrays.get("value_bits").dtype()).isEqualTo(NpyArray.DType.INT64);
        assertThat(arrays.get("value_bits").shape()).isEmpty();
        assertThat(arrays.get("frac_bits").dtype()).isEqualTo(NpyArray.DType.INT64);
        assertThat(arrays.get("frac_bits").shape()).containsExactly(2);
        assertThat(arrays.get("scales").dtype()).isEqualTo(NpyArray.DType.FLOAT32);
        assertThat(arrays.get("scales").shape()).containsExactly(2);

        QTensorFiles.write(file, PER_TENSOR);
        arrays = Npz.read(file);
        assertThat(arrays).containsOnlyKeys("values", "value_bits", "frac_bits");
        assertThat(arrays.get("frac_bits").shape()).isEmpty();
    }

    @Test
    void acceptsAnyIntegerDtypeForValues() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("values", NpyArray.ofInt8(new int[] {1, 1, 2}, new byte[] {10, -20}));
        m.put("value_bits", NpyArray.ofInt32(new int[0], new int[] {7}));
        assertThat(QTensorFiles.read(write(m))).isEqualTo(
                FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.perAxis(2, 4)));
    }

    @Test
    void acceptsIntegralFloatValuesAndFracBits() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("values", NpyArray.ofFloat32(new int[] {1, 1, 2}, new float[] {10f, -20f}));
        m.put("frac_bits", NpyArray.ofFloat32(new int[] {2}, new float[] {2f, 4f}));
        assertThat(QTensorFiles.read(write(m))).isEqualTo(
                FixedPoint.of(Shape.of(1, 1, 2), new int[] {10, -20}, 7, FracBits.perAxis(2, 4)));
        m.put("frac_bits", NpyArray.ofFloat64(new int[0], new double[] {-1.0}));
        assertThat(QTensorFiles.read(write(m)).fracBits()).isEqualTo(FracBits.of(-1));
    }

    @Test
    void refusesNonIntegralFracBits() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("frac_bits", NpyArray.ofFloat32(new int[] {2}, new float[] {2f, 4.5f}));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("'frac_bits'")
                .hasMessageContaining("integers");
    }

    @Test
    void refusesNonIntegralValues() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("values", NpyArray.ofFloat32(new int[] {1, 1, 2}, new float[] {10f, 0.5f}));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'values'")
                .hasMessageContaining("0.5");
    }

    @Test
    void refusesAMissingKeyNamingIt() throws IOException {
        for (String key : new String[] {"values", "value_bits", "frac_bits"}) {
            Map<String, NpyArray> m = validArrays();
            m.remove(key);
            Path file = write(m);
            assertThatThrownBy(() -> QTensorFiles.read(file))
                    .as(key)
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("'" + key + "' is missing");
        }
    }

    @Test
    void refusesAnUnknownKey() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("scale", NpyArray.scalarFloat32(0.5f));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'scale' is unknown");
    }

    @Test
    void refusesFracBitsOfTheWrongShape() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("frac_bits", NpyArray.ofInt64(new int[] {3}, new long[] {2, 4, 1}));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'frac_bits' must have shape (), (1,) or (2,)")
                .hasMessageContaining("got (3,)");
        m.put("frac_bits", NpyArray.ofInt64(new int[] {1, 2}, new long[] {2, 4}));
        Path file2 = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file2))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("got (1, 2)");
    }

    @Test
    void readsAOneElementFracBitsVectorForSeveralChannelsAsPerTensor() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("frac_bits", NpyArray.ofInt64(new int[] {1}, new long[] {3}));
        assertThat(QTensorFiles.read(write(m)).fracBits()).isEqualTo(FracBits.of(3));
    }

    @Test
    void refusesAOneElementScalesVectorForSeveralChannelsAsAnIllegalArgument() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("frac_bits", NpyArray.scalarInt64(2));
        m.put("scales", NpyArray.ofFloat32(new int[] {1}, new float[] {0.5f}));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("per-axis scales must have one entry per channel (2), got 1");
    }

    @Test
    void refusesValueBitsThatAreNotAnIntegerScalar() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("value_bits", NpyArray.ofInt64(new int[] {1}, new long[] {7}));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'value_bits' must have shape ()");
        m.put("value_bits", NpyArray.scalarFloat32(7f));
        Path file2 = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file2))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'value_bits' must have an integer dtype");
    }

    @Test
    void refusesScalesThatAreNotFloat32OrMisshapen() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("scales", NpyArray.ofFloat64(new int[0], new double[] {0.5}));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'scales' must have dtype float32");
        m.put("scales", NpyArray.ofFloat32(new int[] {3}, new float[] {1, 2, 3}));
        Path file2 = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file2))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("'scales' must have shape (), (1,) or (2,)");
    }

    @Test
    void keepsValuesOutsideTheirValueBitsAnIllegalArgumentNotAFormatError() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {128, 0}));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("values must be integers in [-128, 127]");
    }

    @Test
    void keepsValueBitsAbove39AnIllegalArgument() throws IOException {
        // 39 value bits: quantizeml 0.17.1's 40-bit buffer; wider is refused by qbn4j
        Map<String, NpyArray> m = validArrays();
        m.put("value_bits", NpyArray.scalarInt64(40));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value_bits must be in [0, 39], got 40");
    }

    @Test
    void keepsNonPositiveScalesAnIllegalArgument() throws IOException {
        Map<String, NpyArray> m = validArrays();
        m.put("scales", NpyArray.scalarFloat32(0f));
        Path file = write(m);
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scales must be finite normal floats > 0");
    }

    @Test
    void reportsACorruptArchiveAsAFormatError() throws IOException {
        Path file = dir.resolve("bad.npz");
        Files.writeString(file, "not a zip");
        assertThatThrownBy(() -> QTensorFiles.read(file))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void leavesNoFileBehindWhenWritingFails() {
        Path file = dir.resolve("missing-dir").resolve("y.npz");
        assertThatThrownBy(() -> QTensorFiles.write(file, PER_TENSOR)).isInstanceOf(IOException.class);
        assertThat(file).doesNotExist();
    }
}
