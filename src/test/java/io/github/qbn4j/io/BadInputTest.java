package io.github.qbn4j.io;

import io.github.qbn4j.BadInputTable;
import io.github.qbn4j.io.NpyArray.DType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad-input class of the file readers and writers (NPY, NPZ, quantized tensors, layer files,
 * Keras models), with the exception and message each gives: the {@code io} rows of the table in
 * {@code TESTING.md}. Corrupt files in bulk are the fuzz corpus's ({@code FuzzCorpusTest}).
 */
class BadInputTest {

    @TempDir
    Path tmp;

    /** A version 1.0 {@code .npy} file with the given header dict and data bytes. */
    static byte[] npy(String dict, byte[] data) {
        byte[] body = dict.getBytes(StandardCharsets.ISO_8859_1);
        int total = 10 + body.length + 1;
        int pad = (64 - total % 64) % 64;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = body.length + pad + 1;
        out.write(len & 0xff);
        out.write(len >>> 8);
        out.writeBytes(body);
        for (int i = 0; i < pad; i++) {
            out.write(' ');
        }
        out.write('\n');
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A zip archive of the given entries; deflated unless {@code stored}. */
    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * A deflated archive whose one entry honestly declares {@code dict}'s shape and inflates to its header
     * and {@code zeros} zero bytes: a few hundred KB on disk, hundreds of MB inflated.
     */
    static void honestBomb(Path f, String entry, String dict, long zeros) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(f))) {
            zip.setLevel(9);
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(npy(dict, new byte[0]));
            byte[] block = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= block.length) {
                zip.write(block, 0, (int) Math.min(block.length, left));
            }
            zip.closeEntry();
        }
    }

    /** A FIFO in the temporary folder (Linux {@code mkfifo}); never a system file. */
    static Path fifo(Path dir, String name) throws IOException, InterruptedException {
        Path f = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", f.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("mkfifo failed");
        }
        return f;
    }

    private Path file(String name, byte[] content) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, content);
        return f;
    }

    private Path npz(String name, Map<String, NpyArray> arrays) throws IOException {
        Path f = tmp.resolve(name);
        Npz.write(f, arrays);
        return f;
    }

    private static Map<String, NpyArray> arrays(Object... kv) {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (NpyArray) kv[i + 1]);
        }
        return m;
    }

    static Path model(String name) {
        try {
            return Path.of(BadInputTest.class.getResource("/models/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NpyArray f32(float... v) {
        return NpyArray.ofFloat32(new int[] {v.length}, v);
    }

    private static final String LAYER = "{\"class_name\": \"QuantizedBatchNormalization\", \"config\": {"
            + "\"name\": \"bn\", \"epsilon\": 0.001, \"axis\": -1, \"quant_config\": %s}}";

    private Path layerJson(String name, String quantConfig) throws IOException {
        return file(name, String.format(LAYER, quantConfig).getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, NpyArray> weights() {
        return arrays("gamma", f32(1f, 2f), "beta", f32(0.5f, -1f), "moving_mean", f32(1f, -2f),
                "moving_variance", f32(3.999f, 0.999f));
    }

    @TestFactory
    Stream<DynamicTest> rejects() throws IOException, InterruptedException {
        Path missing = tmp.resolve("missing.npy");
        Path empty = file("empty.npy", new byte[0]);
        Path badMagic = file("magic.npy", "NUMPY\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
        byte[] good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        byte[] v9 = good.clone();
        v9[6] = 9;
        Path version = file("version.npy", v9);
        Path object = file("object.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new byte[8]));
        Path malformed = file("malformed.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ", new byte[8]));
        Path negative = file("negative.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", new byte[8]));
        Path huge = file("huge.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", new byte[8]));
        Path tooMany = file("toomany.npy", npy("{'descr': '<i1', 'fortran_order': False, 'shape': (65536, 65536), }",
                new byte[8]));
        Path truncated = file("truncated.npy", Arrays.copyOf(good, good.length - 3));
        byte[] longHeader = good.clone();
        longHeader[6] = 2;

        Path notZip = file("notzip.npz", "not a zip archive".getBytes(StandardCharsets.US_ASCII));
        Path textEntry = file("text.npz", zip(Map.of("readme.txt", new byte[] {1, 2})));
        Path corruptEntry = file("corrupt.npz", zip(Map.of("values.npy", Arrays.copyOf(good, 20))));
        byte[] bombData = new byte[10 << 20];
        System.arraycopy(good, 0, bombData, 0, good.length);
        Path bomb = file("bomb.npz", zip(Map.of("values.npy", bombData)));
        Path honest = tmp.resolve("honest.npz");
        honestBomb(honest, "values.npy", "{'descr': '|i1', 'fortran_order': False, 'shape': (1, 1024, 1024, 256), }",
                1L << 28);
        Path fifo = fifo(tmp, "fifo.npz");
        Path bigGamma = tmp.resolve("biggamma.npz");
        honestBomb(bigGamma, "gamma.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2097152,), }", 8L << 20);

        Path vMissing = npz("vmissing.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(7)));
        Path vUnknown = npz("vunknown.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.scalarInt64(0), "scale", f32(1f)));
        Path vBits = npz("vbits.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(40), "frac_bits", NpyArray.scalarInt64(0)));
        Path vRange = npz("vrange.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 200}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.scalarInt64(0)));
        Path vRank = npz("vrank.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.scalarInt64(0)));
        Path vFb = npz("vfb.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.ofInt64(new int[] {3}, new long[] {1, 2, 3})));
        Path vFbFloat = npz("vfbfloat.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.ofFloat32(new int[0], new float[] {1.5f})));
        Path vScalesNan = npz("vnan.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.scalarInt64(0),
                "scales", NpyArray.scalarFloat32(Float.NaN)));
        Path vScalesF8 = npz("vf8.npz", arrays("values", NpyArray.ofInt64(new int[] {1, 1, 2}, new long[] {1, 2}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.scalarInt64(0),
                "scales", NpyArray.ofFloat64(new int[0], new double[] {0.5})));
        Path vBool = npz("vbool.npz", arrays("values", NpyArray.ofBool(new int[] {2}, new boolean[] {true, false}),
                "value_bits", NpyArray.scalarInt64(7), "frac_bits", NpyArray.scalarInt64(0)));

        Path w = npz("weights.npz", weights());
        Path layer = layerJson("layer.json", "null");
        Path malformedJson = file("malformed.json", "{\"class_name\": \"QuantizedBatchNormalization\", \"config\": {"
                .getBytes(StandardCharsets.UTF_8));
        Path arrayJson = file("array.json", "[1, 2]".getBytes(StandardCharsets.UTF_8));
        Path otherClass = file("other.json", "{\"class_name\": \"BatchNormalization\", \"config\": {}}"
                .getBytes(StandardCharsets.UTF_8));
        Path noConfig = file("noconfig.json", "{\"class_name\": \"QuantizedBatchNormalization\"}"
                .getBytes(StandardCharsets.UTF_8));
        Path bitwidth1 = layerJson("bitwidth1.json", "{\"a_quantizer\": {\"bitwidth\": 1}}");
        Path unknownKey = layerJson("unknown.json", "{\"buffer_bits\": 32}");
        Path floatBitwidth = layerJson("floatbits.json", "{\"buffer_bitwidth\": 32.0}");
        Path withOq = layerJson("oq.json", "{\"output_quantizer\": {\"bitwidth\": 8}}");
        Path epsilonString = file("eps.json", ("{\"class_name\": \"QuantizedBatchNormalization\", \"config\": "
                + "{\"epsilon\": \"small\"}}").getBytes(StandardCharsets.UTF_8));
        Path scaleBits40 = layerJson("scalebits40.json", "{\"output_quantizer\": {\"bitwidth\": 8, \"scale_bits\": 1099511627776}}");
        Path axisHuge = file("axishuge.json", ("{\"class_name\": \"QuantizedBatchNormalization\", \"config\": "
                + "{\"axis\": 4294967295}}").getBytes(StandardCharsets.UTF_8));
        Path axisString = file("axis.json", ("{\"class_name\": \"QuantizedBatchNormalization\", \"config\": "
                + "{\"axis\": \"last\"}}").getBytes(StandardCharsets.UTF_8));
        Map<String, NpyArray> m = weights();
        m.remove("beta");
        Path wMissing = npz("wmissing.npz", m);
        m = weights();
        m.put("beta", f32(0.5f, -1f, 3f));
        Path wShape = npz("wshape.npz", m);
        m = weights();
        m.put("gamma", NpyArray.ofFloat64(new int[] {2}, new double[] {1, 2}));
        Path wDtype = npz("wdtype.npz", m);
        m = weights();
        m.put("gamma", f32(1f, Float.NaN));
        Path wNan = npz("wnan.npz", m);
        m = weights();
        m.put("moving_variance", f32(1f, -1f));
        Path wVariance = npz("wvariance.npz", m);
        m = weights();
        m.put("output_quantizer/range_max", NpyArray.scalarFloat32(8f));
        Path wExtra = npz("wextra.npz", m);
        m.put("output_quantizer/rescaling_rate", f32(1f, 1f));
        Path wRateShape = npz("wrate.npz", m);
        m.put("output_quantizer/rescaling_rate", NpyArray.scalarFloat32(1f));
        m.put("output_quantizer/range_max", NpyArray.scalarFloat32(-8f));
        Path wRangeNegative = npz("wrangeneg.npz", m);

        Path h5 = model("keras2_model.h5");
        byte[] h5Bytes = Files.readAllBytes(h5);
        Path cut = file("cut.h5", Arrays.copyOf(h5Bytes, h5Bytes.length / 2));
        Path text = file("text.h5", "hello".getBytes(StandardCharsets.US_ASCII));

        return new BadInputTable("io.BadInputTest").replace(tmp.toString(), "<tmp>")
                .replace(h5.getParent().toString(), "<models>")
                .add("Npy.read(Path)", "null", "NullPointerException",
                        "file", () -> Npy.read((Path) null))
                .add("Npy.read(Path)", "missing file", "NoSuchFileException",
                        "<tmp>/missing.npy", () -> Npy.read(missing))
                .add("Npy.read(Path)", "empty file", "FileFormatException",
                        "<tmp>/empty.npy: not a .npy file: empty input, expected \\x93NUMPY (at byte 0)", () -> Npy.read(empty))
                .add("Npy.read(Path)", "bad magic", "FileFormatException",
                        "<tmp>/magic.npy: not a .npy file: bad magic b'NUMPY\\x00', expected \\x93NUMPY (at byte 0)", () -> Npy.read(badMagic))
                .add("Npy.read(Path)", "unsupported format version", "FileFormatException",
                        "<tmp>/version.npy: unsupported .npy format version 9.0 (supported: 1.0, 2.0, 3.0) (at byte 6)", () -> Npy.read(version))
                .add("Npy.read(Path)", "object (pickled) dtype", "FileFormatException",
                        "<tmp>/object.npy: unsupported dtype '|O': object arrays hold pickled Python objects; object/pickled arrays are not supported (at byte 20)", () -> Npy.read(object))
                .add("Npy.read(Path)", "malformed header", "FileFormatException",
                        "<tmp>/malformed.npy: malformed header: expected ',' or '}' in dict, found end of header (at byte 128)", () -> Npy.read(malformed))
                .add("Npy.read(Path)", "negative dimension", "FileFormatException",
                        "<tmp>/negative.npy: malformed header: shape[0] must be >= 0, got -2 (at byte 60)", () -> Npy.read(negative))
                .add("Npy.read(Path)", "huge declared shape (8 GB of data)", "FileFormatException",
                        "<tmp>/huge.npy: the tensor (shape [1000000000], f8) has 1000000000 elements, over the limit of 134217728 elements per tensor", () -> Npy.read(huge))
                .add("Npy.read(Path)", "huge declared shape (2^32 elements)", "FileFormatException",
                        "<tmp>/toomany.npy: element count must be <= 2147483647, got 4294967296 for shape [65536, 65536] (at byte 60)", () -> Npy.read(tooMany))
                .add("Npy.read(Path)", "truncated data", "FileFormatException",
                        "<tmp>/truncated.npy: truncated data: the header declares 8 data bytes (shape [2], f4) but the file has only 5 bytes after the header (at byte 133)", () -> Npy.read(truncated))
                .add("Npy.read(InputStream)", "null", "NullPointerException",
                        "in", () -> Npy.read((InputStream) null, "x"))
                .add("Npy.read(InputStream)", "huge declared shape, truncated stream", "FileFormatException",
                        "stream: truncated data: expected 8000000000 bytes after the header, got 8 (at byte 136)",
                        () -> Npy.read(new ByteArrayInputStream(Files.readAllBytes(huge)), "stream"))
                .add("Npy.read(InputStream)", "header length past the 1 MiB cap", "FileFormatException",
                        "stream: header length must be <= 1048576 bytes, got 1073741824 (at byte 8)",
                        () -> Npy.read(new ByteArrayInputStream(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0,
                                0, 0, 0, 0x40}), "stream"))
                .add("Npy.write(Path)", "null array", "NullPointerException",
                        "a", () -> Npy.write(tmp.resolve("w.npy"), null))
                .add("Npz.read", "null", "NullPointerException",
                        "file", () -> Npz.read(null))
                .add("Npz.read", "not a zip archive", "FileFormatException",
                        "<tmp>/notzip.npz: not a valid zip archive: zip END header not found", () -> Npz.read(notZip))
                .add("Npz.read", "entry not a .npy file", "FileFormatException",
                        "<tmp>/text.npz: entry 'readme.txt' is not a .npy file; only .npy entries are supported", () -> Npz.read(textEntry))
                .add("Npz.read", "truncated .npy entry", "FileFormatException",
                        "<tmp>/corrupt.npz: entry 'values.npy': truncated header: expected 118 bytes, got 10 (at byte 20 of the entry)", () -> Npz.read(corruptEntry))
                .add("Npz.read", "zip bomb (entry inflates past its .npy header)", "FileFormatException",
                        "<tmp>/bomb.npz: entry 'values.npy': the zip directory declares 10485760 uncompressed bytes, more than the 136 bytes its .npy header accounts for", () -> Npz.read(bomb))
                .add("Npz.write", "empty key", "IllegalArgumentException",
                        "key must be non-empty, got \"\"", () -> Npz.write(tmp.resolve("w.npz"), Map.of("", f32(1f))))
                .add("QTensorFiles.read", "honest bomb: 256 MiB of int8 values (a 256 KB file)", "FileFormatException",
                        "<tmp>/honest.npz: entry 'values.npy': the tensor (shape [1, 1024, 1024, 256], i1) has 268435456 elements, over the limit of 134217728 elements per tensor",
                        () -> QTensorFiles.read(honest))
                .add("QTensorFiles.read", "tensor over the caller's ReadLimits", "FileFormatException",
                        "<tmp>/honest.npz: entry 'values.npy': the tensor (shape [1, 1024, 1024, 256], i1) has 268435456 data bytes, over the limit of 1048576 bytes per tensor",
                        () -> QTensorFiles.read(honest, ReadLimits.of(1L << 30, 1L << 20, 1L << 30)))
                .add("QTensorFiles.read", "a FIFO (would block the open)", "FileFormatException",
                        "<tmp>/fifo.npz: must be a regular file, got a FIFO, device or socket", () -> QTensorFiles.read(fifo))
                .add("QTensorFiles.read", "null", "NullPointerException",
                        "npz", () -> QTensorFiles.read(null))
                .add("QTensorFiles.read", "missing key", "FileFormatException",
                        "<tmp>/vmissing.npz: key 'frac_bits' is missing; a quantized tensor needs values, value_bits and frac_bits (and scales for a QFloat), got [values, value_bits]", () -> QTensorFiles.read(vMissing))
                .add("QTensorFiles.read", "unknown key", "FileFormatException",
                        "<tmp>/vunknown.npz: key 'scale' is unknown; a quantized tensor has [frac_bits, scales, value_bits, values] only", () -> QTensorFiles.read(vUnknown))
                .add("QTensorFiles.read", "bool values", "FileFormatException",
                        "<tmp>/vbool.npz: key 'values' must have an integer or float dtype, got b1", () -> QTensorFiles.read(vBool))
                .add("QTensorFiles.read", "value bits out of range (40)", "IllegalArgumentException",
                        "value_bits must be in [0, 39], got 40 (<tmp>/vbits.npz)", () -> QTensorFiles.read(vBits))
                .add("QTensorFiles.read", "value above the value bits (200 with 7)", "IllegalArgumentException",
                        "values must be integers in [-128, 127] that float32 holds exactly (valueBits 7), got 200 at (0, 0, 1) (<tmp>/vrange.npz)",
                        () -> QTensorFiles.read(vRange))
                .add("QTensorFiles.read", "wrong rank (5)", "IllegalArgumentException",
                        "rank must be in [0, 4], got 5 (shape [1, 1, 1, 1, 2]) (<tmp>/vrank.npz)", () -> QTensorFiles.read(vRank))
                .add("QTensorFiles.read", "wrong channel count (frac bits)", "FileFormatException",
                        "<tmp>/vfb.npz: key 'frac_bits' must have shape (), (1,) or (2,) (one entry per channel of values), got (3,)", () -> QTensorFiles.read(vFb))
                .add("QTensorFiles.read", "non-integral frac bits", "FileFormatException",
                        "<tmp>/vfbfloat.npz: key 'frac_bits' must hold integers: element 0 is 1.5 (f4), which is not an integral value representable as long", () -> QTensorFiles.read(vFbFloat))
                .add("QTensorFiles.read", "NaN scale", "IllegalArgumentException",
                        "scales must be finite normal floats > 0, got NaN (<tmp>/vnan.npz)", () -> QTensorFiles.read(vScalesNan))
                .add("QTensorFiles.read", "float64 scales", "FileFormatException",
                        "<tmp>/vf8.npz: key 'scales' must have dtype float32 (<f4), got f8", () -> QTensorFiles.read(vScalesF8))
                .add("QTensorFiles.write", "null tensor", "NullPointerException",
                        "t", () -> QTensorFiles.write(tmp.resolve("t.npz"), null))
                .add("LayerFiles.read", "null", "NullPointerException",
                        "layerJson", () -> LayerFiles.read(null, w))
                .add("LayerFiles.read", "malformed JSON", "FileFormatException",
                        "<tmp>/malformed.json: malformed JSON: Unexpected end-of-input: expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 57]) (line 1, column 58) (at byte 57)", () -> LayerFiles.read(malformedJson, w))
                .add("LayerFiles.read", "top level not an object", "FileFormatException",
                        "<tmp>/array.json: the top level must be a JSON object with class_name and config, got [1, 2]", () -> LayerFiles.read(arrayJson, w))
                .add("LayerFiles.read", "another class_name", "FileFormatException",
                        "<tmp>/other.json: class_name must be \"QuantizedBatchNormalization\", got \"BatchNormalization\" (qbn4j reads QuantizedBatchNormalization layers only)", () -> LayerFiles.read(otherClass, w))
                .add("LayerFiles.read", "no config", "FileFormatException",
                        "<tmp>/noconfig.json: key 'config' must be a JSON object, got nothing (the key is missing)", () -> LayerFiles.read(noConfig, w))
                .add("LayerFiles.read", "bitwidth out of range (1)", "QuantizationException (ValueError)",
                        "WeightQuantizer bitwidth must be an int >= 2, got 1", () -> LayerFiles.read(bitwidth1, w))
                .add("LayerFiles.read", "unknown quant_config key", "IllegalArgumentException",
                        "quant_config key must be one of [a_quantizer, b_quantizer, buffer_bitwidth, output_quantizer], got unknown key \"buffer_bits\"", () -> LayerFiles.read(unknownKey, w))
                .add("LayerFiles.read", "float buffer bitwidth (32.0)", "QuantizationException (TypeError)",
                        "quant_config buffer_bitwidth must be an int, got 32.0", () -> LayerFiles.read(floatBitwidth, w))
                .add("LayerFiles.read", "non-number epsilon", "IllegalArgumentException",
                        "config epsilon must be a number, got \"small\" (<tmp>/eps.json)", () -> LayerFiles.read(epsilonString, w))
                .add("LayerFiles.read", "scale_bits 2^40 (not narrowed to 0)", "IllegalArgumentException",
                        "OutputQuantizer scale_bits must be an integer in [0, 31], got 1099511627776",
                        () -> LayerFiles.read(scaleBits40, w))
                .add("LayerFiles.read", "axis 4294967295 (not narrowed to -1)", "IllegalArgumentException",
                        "config axis must be an integer in [-2147483648, 2147483647], got 4294967295 (<tmp>/axishuge.json)",
                        () -> LayerFiles.read(axisHuge, w))
                .add("LayerFiles.read", "non-int axis", "IllegalArgumentException",
                        "config axis must be an int or a list of ints, got \"last\" (<tmp>/axis.json)", () -> LayerFiles.read(axisString, w))
                .add("LayerFiles.read", "gamma of 2^21 floats (over the weights' limit)", "FileFormatException",
                        "<tmp>/biggamma.npz: entry 'gamma.npy': the tensor (shape [2097152], f4) has 2097152 elements, over the limit of 1048576 elements per tensor",
                        () -> LayerFiles.read(layer, bigGamma))
                .add("LayerFiles.read", "layer.json is a FIFO", "FileFormatException",
                        "<tmp>/fifo.npz: must be a regular file, got a FIFO, device or socket", () -> LayerFiles.read(fifo, w))
                .add("LayerFiles.read", "layer.json is a directory", "FileFormatException",
                        "<tmp>: must be a regular file, got a directory", () -> LayerFiles.read(tmp, w))
                .add("LayerFiles.read", "missing weights file", "NoSuchFileException",
                        "<tmp>/no.npz", () -> LayerFiles.read(layer, tmp.resolve("no.npz")))
                .add("LayerFiles.read", "missing weight", "FileFormatException",
                        "<tmp>/wmissing.npz: key 'beta' is missing; expected [gamma, beta, moving_mean, moving_variance], got [gamma, moving_mean, moving_variance]", () -> LayerFiles.read(layer, wMissing))
                .add("LayerFiles.read", "wrong channel count (beta)", "FileFormatException",
                        "<tmp>/wshape.npz: key 'beta' must have shape (2,) like gamma, got (3,)", () -> LayerFiles.read(layer, wShape))
                .add("LayerFiles.read", "float64 weight", "FileFormatException",
                        "<tmp>/wdtype.npz: key 'gamma' must have dtype float32 (<f4), got f8", () -> LayerFiles.read(layer, wDtype))
                .add("LayerFiles.read", "NaN gamma", "IllegalArgumentException",
                        "gamma must be finite, got NaN at index 1", () -> LayerFiles.read(layer, wNan))
                .add("LayerFiles.read", "variance + epsilon not positive", "IllegalArgumentException",
                        "moving_variance + epsilon must be > 0 in float32, got -1.0 + 0.001 = -0.999 at channel 1 (layer \"bn\")", () -> LayerFiles.read(layer, wVariance))
                .add("LayerFiles.read", "output-quantizer weight without output quantizer", "FileFormatException",
                        "<tmp>/wextra.npz: key 'output_quantizer/range_max' is unexpected (quant_config has no output_quantizer); expected [gamma, beta, moving_mean, moving_variance], got [gamma, beta, moving_mean, moving_variance, output_quantizer/range_max]",
                        () -> LayerFiles.read(layer, wExtra))
                .add("LayerFiles.read", "wrong shape of a per-tensor rescaling rate", "FileFormatException",
                        "<tmp>/wrate.npz: key 'output_quantizer/rescaling_rate' must have shape () for a per-tensor output quantizer, got (2,)",
                        () -> LayerFiles.read(withOq, wRateShape))
                .add("LayerFiles.read", "negative range max", "IllegalArgumentException",
                        "rangeMax must be finite and >= 0, got -8.0 at index 0", () -> LayerFiles.read(withOq, wRangeNegative))
                .add("LayerFiles.write", "null layer", "NullPointerException",
                        "layer", () -> LayerFiles.write(tmp, null))
                .add("KerasModels.load", "null layer name", "NullPointerException",
                        "layer", () -> KerasModels.load(h5, null))
                .add("KerasModels.load", "no such layer", "IllegalArgumentException",
                        "layer \"bn_nope\" must exist in <models>/keras2_model.h5, got none; its BatchNormalization layers are [bn_add, bn_relu, bn_last]", () -> KerasModels.load(h5, "bn_nope"))
                .add("KerasModels.load", "not a batch normalization", "IllegalArgumentException",
                        "layer \"conv1\" must be a BatchNormalization, got a Conv2D in <models>/keras2_model.h5; its BatchNormalization layers are [bn_add, bn_relu, bn_last]", () -> KerasModels.load(h5, "conv1"))
                .add("KerasModels.loadAll", "null", "NullPointerException",
                        "file", () -> KerasModels.loadAll(null))
                .add("KerasModels.loadAll", "neither HDF5 nor zip", "FileFormatException",
                        "<tmp>/text.h5: a Keras model must be an HDF5 file or a .keras (zip) archive, got neither (at byte 0)", () -> KerasModels.loadAll(text))
                .add("KerasModels.loadAll", "truncated HDF5 file", "FileFormatException",
                        "<tmp>/cut.h5: file must be at least 37248 bytes long (the end-of-file address of its superblock), got 18624: truncated (at byte 18624)", () -> KerasModels.loadAll(cut))
                .add("KerasModels.loadAll", "weights-only file", "FileFormatException",
                        "<models>/keras2_weights.h5: the file must have a 'model_config' attribute, got none: it holds weights only, use loadWeights with a Spec", () -> KerasModels.loadAll(model("keras2_weights.h5")))
                .add("KerasModels.loadWeights", "huge declared shape (2^30 floats)", "FileFormatException",
                        "<models>/huge_declared.h5: dataset 'bn_add/bn_add/gamma:0' must have 1 to 1048576 elements, got 1073741824",
                        () -> KerasModels.loadWeights(model("huge_declared.h5"), KerasBatchNormalization.Spec.of("bn_add")))
                .add("KerasModels.loadWeights", "LZF filter declaring a 2 GB chunk (4-byte patch)", "FileFormatException",
                        "<models>/lzf_bomb.h5: dataset 'bn_add/bn_add/gamma:0' must declare an LZF output of at most its chunk's 40 bytes, got 2147483632",
                        () -> KerasModels.loadWeights(model("lzf_bomb.h5"), KerasBatchNormalization.Spec.of("bn_add")))
                .add("KerasModels.loadWeights", "deflate chunk inflating to 512 MiB (a 556 KB file)", "FileFormatException",
                        "<models>/gzip_bomb.h5: dataset 'bn_add/bn_add/gamma:0' chunk at 0 must decode to at most 40 bytes (one chunk), got more (a filter bomb?)",
                        () -> KerasModels.loadWeights(model("gzip_bomb.h5"), KerasBatchNormalization.Spec.of("bn_add")))
                .add("KerasModels.loadWeights", "external link", "FileFormatException",
                        "<models>/external_link.h5: path 'bn_add/bn_add/gamma:0' must not go through a link (Keras files have none), got one",
                        () -> KerasModels.loadWeights(model("external_link.h5"), KerasBatchNormalization.Spec.of("bn_add")))
                .add("KerasModels.loadQuantized", "float layer", "IllegalArgumentException",
                        "layer \"bn_add\" must be a QuantizedBatchNormalization, got a BatchNormalization (use load) in <models>/keras2_model.h5; its QuantizedBatchNormalization layers are []", () -> KerasModels.loadQuantized(h5, "bn_add"))
                .tests();
    }
}
