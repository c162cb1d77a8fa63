package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.qbn4j.io.NpyArray.DType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers

    /** Builds a .npy file from a header dict text (padded to 64 bytes) and raw data bytes. */
    static byte[] npy(int major, String dict, byte[] data) {
        byte[] body = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        int total = prefix + body.length + 1;
        int pad = (64 - total % 64) % 64;
        int headerLength = body.length + pad + 1;
        ByteBuffer b = ByteBuffer.allocate(prefix + headerLength + data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyHeader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(body);
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n').put(data);
        return b.array();
    }

    static byte[] npy(String dict, byte[] data) {
        return npy(1, dict, data);
    }

    static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + shape + ", }";
    }

    static byte[] ints(ByteOrder order, int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    static NpyArray read(byte[] bytes) throws IOException {
        return Npy.read(new ByteArrayInputStream(bytes), "t.npy");
    }

    static byte[] write(NpyArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        return out.toByteArray();
    }

    static FileFormatException readFails(byte[] bytes) {
        return catchThrowableOfType(FileFormatException.class, () -> read(bytes));
    }

    /** An array of the given dtype with characteristic values, including the extremes. */
    static NpyArray sample(DType d) {
        int[] shape = {2, 3};
        switch (d) {
            case BOOL:
                return NpyArray.ofBool(shape, new boolean[] {true, false, false, true, true, false});
            case INT8:
                return NpyArray.ofInt8(shape, new byte[] {-128, -1, 0, 1, 127, 42});
            case UINT8:
                return NpyArray.ofUInt8(shape, new byte[] {0, 1, 127, (byte) 128, (byte) 255, 42});
            case INT16:
                return NpyArray.ofInt16(shape, new short[] {-32768, -1, 0, 1, 32767, 4242});
            case UINT16:
                return NpyArray.ofUInt16(shape, new short[] {0, 1, 32767, -32768, -1, 4242});
            case INT32:
                return NpyArray.ofInt32(shape, new int[] {Integer.MIN_VALUE, -1, 0, 1,
                    Integer.MAX_VALUE, 123456789});
            case UINT32:
                return NpyArray.ofUInt32(shape, new int[] {0, 1, Integer.MAX_VALUE,
                    Integer.MIN_VALUE, -1, 123456789});
            case INT64:
                return NpyArray.ofInt64(shape, new long[] {Long.MIN_VALUE, -1, 0, 1,
                    Long.MAX_VALUE, (1L << 53) + 1});
            case UINT64:
                return NpyArray.ofUInt64(shape, new long[] {0, 1, Long.MAX_VALUE,
                    Long.MIN_VALUE, -1, (1L << 53) + 1});
            case FLOAT16:
                return NpyArray.ofFloat16Bits(shape, new short[] {0x0001, 0x3C00, 0x7BFF,
                    0x7C00, 0x7E01, (short) 0x8000});
            case FLOAT32:
                return NpyArray.ofFloat32(shape, new float[] {Float.MIN_VALUE, -0f, 0.1f,
                    Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.NaN});
            case FLOAT64:
                return NpyArray.ofFloat64(shape, new double[] {Double.MIN_VALUE, -0.0, 0.1,
                    Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NaN});
            default:
                throw new AssertionError(d);
        }
    }

    // ------------------------------------------------------------------ round trips

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryDtypeThroughAStream(DType d) throws IOException {
        NpyArray a = sample(d);
        NpyArray back = read(write(a));
        assertThat(back).isEqualTo(a);
        assertThat(back.dtype()).isEqualTo(d);
        assertThat(back.shape()).containsExactly(2, 3);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsEveryDtypeThroughAFile(DType d) throws IOException {
        Path f = dir.resolve(d.code() + ".npy");
        Npy.write(f, sample(d));
        assertThat(Npy.read(f)).isEqualTo(sample(d));
    }

    @Test
    void roundTripsScalarsAndEmptyArrays() throws IOException {
        for (NpyArray a : new NpyArray[] {NpyArray.scalarInt64(-3), NpyArray.scalarFloat32(0.5f),
            NpyArray.ofFloat32(new int[] {0}, new float[0]),
            NpyArray.ofInt64(new int[] {2, 0}, new long[0]),
            NpyArray.ofBool(new int[] {0, 5, 3}, new boolean[0])}) {
            byte[] bytes = write(a);
            assertThat(read(bytes)).isEqualTo(a);
            assertThat(bytes.length).isEqualTo(128 + a.size() * a.dtype().byteSize());
        }
        String header = new String(write(NpyArray.scalarInt64(1)), StandardCharsets.ISO_8859_1);
        assertThat(header).contains("'shape': (), }");
        header = new String(write(NpyArray.ofInt64(new int[] {2, 0}, new long[0])),
                StandardCharsets.ISO_8859_1);
        assertThat(header).contains("'shape': (2, 0), }");
    }

    @Test
    void roundTripsLargeArraysSpanningSeveralChunks() throws IOException {
        double[] data = new double[300_000]; // 2.4 MB: three read chunks
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.5 - 7;
        }
        NpyArray a = NpyArray.ofFloat64(new int[] {1000, 300}, data);
        assertThat(read(write(a))).isEqualTo(a);
        Path f = dir.resolve("big.npy");
        Npy.write(f, a);
        assertThat(Npy.read(f)).isEqualTo(a);
    }

    // ------------------------------------------------------------------ writing

    @Test
    void writesWhatNumpySaveWritesForASmallFloat32Array() throws IOException {
        byte[] bytes = write(NpyArray.ofFloat32(new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}));
        String expectedHeader = "\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order':"
                + " False, 'shape': (2, 3), }" + " ".repeat(58) + "\n";
        assertThat(new String(bytes, 0, 128, StandardCharsets.ISO_8859_1))
                .isEqualTo(expectedHeader);
        assertThat(ByteBuffer.wrap(bytes, 128, 24).order(ByteOrder.LITTLE_ENDIAN).getFloat(132))
                .isEqualTo(1f);
    }

    @Test
    void writesLittleEndianDescrAndBoolAsB1() throws IOException {
        for (DType d : DType.values()) {
            String header = new String(write(sample(d)), 10, 118, StandardCharsets.ISO_8859_1);
            String order = d.byteSize() == 1 ? "|" : "<";
            assertThat(header).startsWith("{'descr': '" + order + d.code() + "', 'fortran_order':"
                    + " False, 'shape': (2, 3), }");
        }
        byte[] bool = write(NpyArray.ofBool(new int[] {2}, new boolean[] {true, false}));
        assertThat(new String(bool, StandardCharsets.ISO_8859_1)).contains("'|b1'");
        assertThat(Arrays.copyOfRange(bool, 128, 130)).containsExactly(1, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 5, 8, 13, 40, 200})
    void alignsWrittenDataToAMultipleOf64Bytes(int rank) throws IOException {
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        if (rank > 0) {
            shape[0] = 123456789;
            shape[rank - 1] = 0;
        }
        byte[] bytes = write(NpyArray.ofInt8(shape, new byte[rank == 0 ? 1 : 0]));
        int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        assertThat(bytes[6]).isEqualTo((byte) 1);
        assertThat((10 + headerLength) % 64).isZero();
        assertThat(bytes).hasSize(10 + headerLength + (rank == 0 ? 1 : 0));
        assertThat(bytes[10 + headerLength - 1]).isEqualTo((byte) '\n');
        assertThat(read(bytes).shape()).containsExactly(shape);
    }

    @Test
    void switchesToVersion2WhenTheHeaderExceeds65535Bytes() throws IOException {
        int[] shape = new int[30_000];
        Arrays.fill(shape, 1);
        NpyArray a = NpyArray.ofInt16(shape, new short[] {-7});
        byte[] bytes = write(a);
        assertThat(bytes[6]).isEqualTo((byte) 2);
        long headerLength = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertThat(headerLength).isGreaterThan(65535);
        assertThat((12 + headerLength) % 64).isZero();
        assertThat(bytes[(int) (12 + headerLength - 1)]).isEqualTo((byte) '\n');
        assertThat(read(bytes)).isEqualTo(a);
    }

    @Test
    void writeToPathReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("a.npy");
        Files.writeString(f, "old content");
        Npy.write(f, NpyArray.scalarInt64(9));
        assertThat(Npy.read(f)).isEqualTo(NpyArray.scalarInt64(9));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void writeIntoAMissingDirectoryFailsWithoutCreatingAnything() {
        Path f = dir.resolve("missing").resolve("a.npy");
        assertThatThrownBy(() -> Npy.write(f, NpyArray.scalarInt64(1)))
                .isInstanceOf(IOException.class);
        assertThat(Files.exists(f.getParent())).isFalse();
    }

    // ------------------------------------------------------------------ byte orders

    @Test
    void readsBigEndianData() throws IOException {
        NpyArray a = read(npy(dict(">i4", false, "(3,)"), ints(ByteOrder.BIG_ENDIAN, 1, -2, 70000)));
        assertThat(a.toLongArray()).containsExactly(1, -2, 70000);
        ByteBuffer f = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(0.1)
                .putDouble(-2.5);
        assertThat(read(npy(dict(">f8", false, "(2,)"), f.array())).toDoubleArray())
                .containsExactly(0.1, -2.5);
        ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putShort((short) 0x3C00)
                .putShort((short) 0x0001);
        assertThat(read(npy(dict(">f2", false, "(2,)"), h.array())).toDoubleArray())
                .containsExactly(1.0, 0x1p-24);
        ByteBuffer u = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(-2);
        assertThat(read(npy(dict(">u8", false, "(1,)"), u.array())).getDouble(0))
                .isEqualTo(0x1p64);
    }

    @Test
    void readsLittleEndianNativeAndNotApplicableByteOrders() throws IOException {
        byte[] le = ints(ByteOrder.LITTLE_ENDIAN, 5, -6);
        assertThat(read(npy(dict("<i4", false, "(2,)"), le)).toLongArray()).containsExactly(5, -6);
        assertThat(read(npy(dict("=i4", false, "(2,)"), le)).toLongArray()).containsExactly(5, -6);
        assertThat(read(npy(dict("|u1", false, "(2,)"), new byte[] {(byte) 200, 3})).toLongArray())
                .containsExactly(200, 3);
        assertThat(read(npy(dict("|i1", false, "(2,)"), new byte[] {(byte) 200, 3})).toLongArray())
                .containsExactly(-56, 3);
        assertThat(read(npy(dict("|b1", false, "(2,)"), new byte[] {1, 0})))
                .isEqualTo(NpyArray.ofBool(new int[] {2}, new boolean[] {true, false}));
    }

    // ------------------------------------------------------------------ Fortran order

    @Test
    void readsFortranOrderAsLogicalCOrder() throws IOException {
        // logical [[1, 2, 3], [4, 5, 6]] stored column by column
        NpyArray a = read(npy(dict("<i4", true, "(2, 3)"),
                ints(ByteOrder.LITTLE_ENDIAN, 1, 4, 2, 5, 3, 6)));
        assertThat(a).isEqualTo(NpyArray.ofInt32(new int[] {2, 3}, new int[] {1, 2, 3, 4, 5, 6}));
    }

    @Test
    void readsThreeDimensionalFortranOrderAsLogicalCOrder() throws IOException {
        int[] shape = {2, 3, 4};
        double[] fortran = new double[24];
        double[] c = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    double v = 100 * i + 10 * j + k;
                    c[(i * 3 + j) * 4 + k] = v;
                    fortran[i + 2 * (j + 3 * k)] = v;
                }
            }
        }
        ByteBuffer b = ByteBuffer.allocate(24 * 8).order(ByteOrder.BIG_ENDIAN);
        b.asDoubleBuffer().put(fortran);
        NpyArray a = read(npy(dict(">f8", true, "(2, 3, 4)"), b.array()));
        assertThat(a).isEqualTo(NpyArray.ofFloat64(shape, c));
    }

    @Test
    void fortranOrderOfOneDimensionalAndEmptyArraysNeedsNoRearranging() throws IOException {
        assertThat(read(npy(dict("|u1", true, "(3,)"), new byte[] {1, 2, 3})).toLongArray())
                .containsExactly(1, 2, 3);
        assertThat(read(npy(dict("|u1", true, "(3, 0)"), new byte[0])).size()).isZero();
        assertThat(read(npy(dict("|u1", true, "()"), new byte[] {9})).toLongArray())
                .containsExactly(9);
    }

    // ------------------------------------------------------------------ versions

    @Test
    void readsHeaderVersions1And2And3() throws IOException {
        byte[] data = ints(ByteOrder.LITTLE_ENDIAN, 1, 2);
        for (int major = 1; major <= 3; major++) {
            byte[] bytes = npy(major, dict("<i4", false, "(2,)"), data);
            assertThat(bytes[6]).isEqualTo((byte) major);
            assertThat(read(bytes).toLongArray()).containsExactly(1, 2);
        }
    }

    @Test
    void refusesAVersion3HeaderThatIsNotUtf8() {
        byte[] bytes = npy(2, dict("<i4", false, "(1,)") + "\u00ff", new byte[4]);
        bytes[6] = 3;
        FileFormatException e = readFails(bytes);
        assertThat(e).hasMessageContaining("not valid UTF-8");
        assertThat(e.byteOffset()).isEqualTo(12);
    }

    @Test
    void reportsParseErrorsInVersion3HeadersAtTheirByteOffset() {
        // 'ü' takes two bytes in UTF-8, so the stray 'x' is one byte further than its char index
        String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'ü': 1 x}";
        FileFormatException e = readFails(npy(3, dict, new byte[4]));
        assertThat(e.byteOffset()).isEqualTo(12 + dict.indexOf('x') + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.0", "1.1", "0.0"})
    void refusesUnsupportedFormatVersions(String version) {
        byte[] bytes = npy(dict("<i4", false, "(1,)"), new byte[4]);
        bytes[6] = (byte) (version.charAt(0) - '0');
        bytes[7] = (byte) (version.charAt(2) - '0');
        FileFormatException e = readFails(bytes);
        assertThat(e).hasMessageContaining("unsupported .npy format version " + version);
        assertThat(e.byteOffset()).isEqualTo(6);
    }

    @Test
    void refusesAnOversizedHeaderLengthBeforeReadingIt() {
        byte[] bytes = npy(2, dict("<i4", false, "(1,)"), new byte[4]);
        bytes[8] = bytes[9] = bytes[10] = bytes[11] = (byte) 0xFF;
        FileFormatException e = readFails(bytes);
        assertThat(e).hasMessageContaining("header length must be <= 1048576 bytes, got 4294967295");
        assertThat(e.byteOffset()).isEqualTo(8);
    }

    // ------------------------------------------------------------------ header parser

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
        "{'descr':'<i4','fortran_order':False,'shape':(2,)}",
        "  {\n 'shape' : ( 2 , ) ,\t'descr' : \"<i4\", 'fortran_order': False }  \n",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (2L,), }",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (+2,)}",
    })
    void parsesHeaderDictsWithAnyWhitespaceKeyOrderAndQuoting(String dict) throws IOException {
        assertThat(read(npy(dict, ints(ByteOrder.LITTLE_ENDIAN, 3, 4))).toLongArray())
                .containsExactly(3, 4);
    }

    @Test
    void parsesMultiDimensionalShapesWithoutTrailingComma() throws IOException {
        NpyArray a = read(npy(dict("|u1", false, "(1, 2, 3)"), new byte[6]));
        assertThat(a.shape()).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<i4', 'fortran_order': False}|missing key 'shape'",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'extra': 1}|unexpected key 'extra'",
        "{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (1,)}|duplicate key",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1)}|'shape' must be a tuple of ints, got the int 1",
        "{'descr': '<i4', 'fortran_order': False, 'shape': [1]}|'shape' must be a tuple of ints, got a list",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}|shape[0] must be >= 0, got -1",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 'a')}|shape[1] must be an int",
        "{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}|'fortran_order' must be True or False",
        "{'descr': '<i4', 'fortran_order': false, 'shape': (1,)}|unexpected name 'false'",
        "{'descr': 4, 'fortran_order': False, 'shape': (1,)}|'descr' must be a str",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)} x|unexpected 'x' after the dict",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)|expected ',' or '}'",
        "{'descr': '<i4', 'fortran_order': False 'shape': (1,)}|expected ',' or '}'",
        "{'descr' '<i4'}|expected ':'",
        "{'descr: '<i4'}|expected ':'",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,)}|too large",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (1.5,)}|in integer literal",
        "{1: '<i4'}|dict keys must be str",
        "('descr', '<i4')|expected a dict, found a tuple",
        "|expected a value, found end of header",
        "{'descr': '<i4\\n', 'fortran_order': False, 'shape': (1,)}|unsupported escape",
    })
    void refusesMalformedHeadersAtAnOffsetInsideTheHeader(String spec) {
        String[] parts = spec.split("\\|", 2);
        byte[] bytes = npy(parts[0], new byte[4]);
        FileFormatException e = readFails(bytes);
        assertThat(e).isNotNull();
        assertThat(e.detail()).contains(parts[1]);
        assertThat(e.fileName()).isEqualTo("t.npy");
        assertThat(e.byteOffset()).isBetween(10L, bytes.length - 4L);
    }

    @Test
    void reportsTheExactHeaderOffsetOfASyntaxError() {
        String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (1,) ; }";
        FileFormatException e = readFails(npy(dict, new byte[4]));
        assertThat(e.byteOffset()).isEqualTo(10 + dict.indexOf(';'));
        assertThat(e.getMessage()).startsWith("t.npy: malformed header: expected ',' or '}' in dict,"
                + " found ';'").endsWith("(at byte " + (10 + dict.indexOf(';')) + ")");
    }

    @Test
    void refusesDeeplyNestedHeaders() {
        String dict = "{'descr': " + "[".repeat(100) + "]".repeat(100)
                + ", 'fortran_order': False, 'shape': (1,)}";
        assertThat(readFails(npy(dict, new byte[4]))).hasMessageContaining("nesting deeper");
    }

    // ------------------------------------------------------------------ unsupported dtypes

    @ParameterizedTest
    @ValueSource(strings = {"|O", "O", "<O8"})
    void refusesObjectArrays(String descr) {
        FileFormatException e = readFails(npy(dict(descr, false, "(3,)"), new byte[24]));
        assertThat(e).hasMessageContaining("'" + descr + "'")
                .hasMessageContaining("object/pickled arrays are not supported");
        assertThat(e.byteOffset()).isEqualTo(10 + "{'descr': ".length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"<U3#unicode string", "|S3#byte string", "<c16#complex",
        "<f16#floating point of this size", "<M8[ns]#datetime64", "|V4#void", "<i16#integer",
        "?#supported are b1, i1", "|b2#supported are"})
    void refusesOtherUnsupportedDtypesSayingWhatWasFound(String spec) {
        String[] parts = spec.split("#", 2);
        FileFormatException e = readFails(npy(dict(parts[0], false, "(1,)"), new byte[64]));
        assertThat(e).hasMessageContaining("unsupported dtype '" + parts[0] + "'")
                .hasMessageContaining(parts[1]);
    }

    @Test
    void refusesStructuredDtypes() {
        String dict = "{'descr': [('a', '<i4'), ('b', '<f8', (2,))], 'fortran_order': False,"
                + " 'shape': (2,), }";
        FileFormatException e = readFails(npy(dict, new byte[40]));
        assertThat(e).hasMessageContaining("structured dtype")
                .hasMessageContaining("[('a', '<i4')");
    }

    // ------------------------------------------------------------------ corrupt input

    @Test
    void reportsBadMagicAtOffsetZero() {
        FileFormatException e = readFails("PK\u0003\u0004 not npy".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(e.byteOffset()).isZero();
        assertThat(e).hasMessageStartingWith("t.npy: not a .npy file: bad magic b'PK\\x03\\x04 n'");
        assertThat(readFails(new byte[0])).hasMessageContaining("empty input");
        assertThat(readFails(new byte[] {(byte) 0x93, 'N', 'U'}).byteOffset()).isZero();
    }

    @Test
    void reportsATruncatedHeaderWhereTheInputEnded() {
        byte[] full = npy(dict("<i4", false, "(2,)"), new byte[8]);
        FileFormatException e = readFails(Arrays.copyOf(full, 50));
        assertThat(e.byteOffset()).isEqualTo(50);
        assertThat(e).hasMessageContaining("truncated header");
        assertThat(readFails(Arrays.copyOf(full, 9)).byteOffset()).isEqualTo(9);
        assertThat(readFails(Arrays.copyOf(full, 7)).byteOffset()).isEqualTo(7);
    }

    @Test
    void reportsTruncatedDataAtTheOffsetWhereTheDataEnded() throws IOException {
        byte[] full = write(NpyArray.ofFloat32(new int[] {2, 3}, new float[6]));
        byte[] cut = Arrays.copyOf(full, 128 + 10);
        FileFormatException e = readFails(cut);
        assertThat(e.byteOffset()).isEqualTo(138);
        assertThat(e).hasMessageContaining("truncated data: expected 24 bytes after the header,"
                + " got 10");

        Path f = dir.resolve("cut.npy");
        Files.write(f, cut);
        FileFormatException fromFile = catchThrowableOfType(FileFormatException.class,
                () -> Npy.read(f));
        assertThat(fromFile.byteOffset()).isEqualTo(138);
        assertThat(fromFile.fileName()).isEqualTo(f.toString());
        assertThat(fromFile).hasMessageContaining("declares 24 data bytes")
                .hasMessageContaining("only 10 bytes after the header");
    }

    @Test
    void refusesBoolBytesOtherThanZeroAndOne() {
        byte[] bytes = npy(dict("|b1", false, "(3,)"), new byte[] {1, 0, 2});
        FileFormatException e = readFails(bytes);
        assertThat(e).hasMessageContaining("bool element 2 has byte value 2");
        assertThat(e.byteOffset()).isEqualTo(bytes.length - 1);
    }

    @Test
    void refusesShapesWithMoreThanIntegerMaxValueElementsBeforeReadingData() {
        FileFormatException e = readFails(npy(dict("|i1", false, "(100000000000,)"), new byte[8]));
        assertThat(e).hasMessageContaining("shape[0] must be <= 2147483647, got 100000000000");
        FileFormatException product = readFails(npy(dict("<f4", false, "(100000, 100000)"),
                new byte[8]));
        assertThat(product).hasMessageContaining("element count must be <= 2147483647, got"
                + " 10000000000 for shape [100000, 100000]");
        FileFormatException overflow = readFails(npy(dict("<f4", false,
                "(4000000000000000000, 4000000000000000000, 4000000000000000000)"), new byte[8]));
        assertThat(overflow).hasMessageContaining("must be <= 2147483647");
    }

    @Test
    void hugeDeclaredShapeOnASmallFileFailsFastWithoutAllocating() throws IOException {
        Path f = dir.resolve("huge.npy");
        String hugeDict = dict("<f8", false, "(100000000000,)");
        Files.write(f, npy(hugeDict, new byte[200 - npy(hugeDict, new byte[0]).length]));
        assertThat(Files.size(f)).isEqualTo(200);
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("100000000000");

        // 2^28 float64 elements would be 2 GiB: allowed by these limits, absent from the file
        String bigDict = dict("<f8", false, "(268435456,)");
        byte[] bytes = npy(bigDict, new byte[200 - npy(bigDict, new byte[0]).length]);
        Files.write(f, bytes);
        ReadLimits generous = ReadLimits.of(1L << 28, 1L << 31, 1L << 32);
        long before = allocatedBytes();
        FileFormatException e = catchThrowableOfType(FileFormatException.class, () -> Npy.read(f, generous));
        long allocated = allocatedBytes() - before;
        assertThat(e.byteOffset()).isEqualTo(200);
        assertThat(e).hasMessageContaining("truncated data");
        assumeTrue(before >= 0, "thread allocation counting unavailable");
        assertThat(allocated).isLessThan(16L << 20);
    }

    @Test
    void hugeDeclaredShapeOnAShortStreamFailsAtEndOfInputWithoutAllocatingAllOfIt() {
        byte[] bytes = npy(dict("<f8", false, "(268435456,)"), new byte[3 << 20]);
        long before = allocatedBytes();
        FileFormatException e = readFails(bytes);
        long allocated = allocatedBytes() - before;
        assertThat(e.byteOffset()).isEqualTo(bytes.length);
        assertThat(e).hasMessageContaining("expected 2147483648 bytes after the header, got 3145728");
        assumeTrue(before >= 0, "thread allocation counting unavailable");
        assertThat(allocated).isLessThan(64L << 20);
    }

    /**
     * Bytes allocated so far by this thread, or -1 when the JVM cannot tell. Goes through
     * reflection because the module under test does not read java.management.
     */
    private static long allocatedBytes() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean").invoke(null);
            Class<?> sun = Class.forName("com.sun.management.ThreadMXBean");
            if (!sun.isInstance(bean)) {
                return -1;
            }
            return (Long) sun.getMethod("getThreadAllocatedBytes", long.class)
                    .invoke(bean, Thread.currentThread().getId());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ streams

    @Test
    void leavesTheStreamRightAfterTheArraySoSeveralCanBeRead() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, sample(DType.FLOAT16));
        Npy.write(out, NpyArray.scalarInt64(5));
        out.write('!');
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(Npy.read(in, "s")).isEqualTo(sample(DType.FLOAT16));
        assertThat(Npy.read(in, "s")).isEqualTo(NpyArray.scalarInt64(5));
        assertThat(in.read()).isEqualTo('!');
    }

    @Test
    void namesTheSourceInErrorsAndToleratesANullName() throws IOException {
        assertThat(catchThrowableOfType(FileFormatException.class,
                () -> Npy.read(new ByteArrayInputStream(new byte[3]), "weights/x.npy")).fileName())
                .isEqualTo("weights/x.npy");
        assertThat(catchThrowableOfType(FileFormatException.class,
                () -> Npy.read(new ByteArrayInputStream(new byte[3]), null)).fileName())
                .isEqualTo("<stream>");
    }
}
