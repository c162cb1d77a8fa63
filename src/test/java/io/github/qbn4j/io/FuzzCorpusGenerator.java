package io.github.qbn4j.io;

import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Writes the fixed fuzz corpus, {@code src/test/resources/fuzz-corpus/<reader>/}: for every reader, a few
 * valid seed files and {@value #PER_READER} mutations of them — truncations, bit flips, byte insertions and
 * deletions, overwrites with boundary values, huge declared shapes, and zip bombs — from one fixed seed, so
 * that the corpus is reproducible. A program, not a test: run by hand (never in CI) with
 *
 * <pre>
 * mvn -B -ntp -Pfuzz-corpus test-compile     # writes src/test/resources/fuzz-corpus/
 * </pre>
 *
 * <p>or with {@code -Dfuzz.corpus.out=DIR} to write the corpus into another folder (to compare it with the
 * committed one). It replaces only the files it writes ({@code seed-NN}, {@code NNN-<mutation>}); inputs
 * added by hand, such as the {@code finding-*} files of fuzzing campaigns, stay. Its seed is its own,
 * not {@code -Dqbn4j.seed}: the corpus is committed, and a different base seed must not change it.
 *
 * <p>{@code FuzzCorpusTest} runs the corpus in every build; {@code -Pfuzz} uses it as Jazzer's seeds.
 */
public final class FuzzCorpusGenerator {

    static final int PER_READER = 220;
    private static final long SEED = 20261126L;
    /** The names this generator writes, and so the only ones it replaces. */
    private static final Pattern GENERATED = Pattern.compile("seed-\\d{2}|\\d{3}-.+");

    private FuzzCorpusGenerator() {
    }

    /**
     * Writes the corpus.
     *
     * @param args the test resources folder ({@code src/test/resources}, which holds the seed files), and the
     *     folder to write the corpus into (by default its {@code fuzz-corpus} folder)
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("arguments must be RESOURCES [CORPUS], got " + Arrays.toString(args));
        }
        Path resources = Path.of(args[0]);
        Path corpus = args.length > 1 ? Path.of(args[1]) : resources.resolve("fuzz-corpus");
        SplittableRandom r = new SplittableRandom(SEED);
        write(corpus, "npy", npySeeds(resources), r, Kind.NPY);
        write(corpus, "npz", npzSeeds(), r, Kind.ZIP_OF_NPY);
        write(corpus, "qtensor", qtensorSeeds(), r, Kind.ZIP_OF_NPY);
        write(corpus, "layer-json", layerJsonSeeds(), r, Kind.JSON);
        write(corpus, "keras-h5", resources(resources, "models", "keras2_model.h5", "keras2_nested.h5",
                "keras2_weights.h5", "quantized_model.h5", "huge_declared.h5"), r, Kind.RAW);
        write(corpus, "keras-archive", resources(resources, "models", "keras3_axis1.keras", "keras3_model.keras"),
                r, Kind.ZIP);
        System.out.println("wrote the fuzz corpus to " + corpus);
    }

    private enum Kind { NPY, ZIP_OF_NPY, ZIP, JSON, RAW }

    // ------------------------------------------------------------------------------------------------ seeds

    private static List<byte[]> resources(Path resources, String dir, String... names) throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String n : names) {
            seeds.add(Files.readAllBytes(resources.resolve(dir).resolve(n)));
        }
        return seeds;
    }

    private static byte[] npyBytes(NpyArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        return out.toByteArray();
    }

    private static List<byte[]> npySeeds(Path resources) throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        try (Stream<Path> files = Files.list(resources.resolve("npy"))) {
            for (Path f : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(f));
            }
        }
        seeds.add(npyBytes(NpyArray.ofFloat32(new int[] {2, 3}, new float[] {1, -2, 3.5f, 0, Float.NaN, 7})));
        seeds.add(npyBytes(NpyArray.ofInt64(new int[0], new long[] {42})));
        seeds.add(BadInputTest.npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]));
        return seeds;
    }

    private static byte[] npz(Map<String, NpyArray> arrays, boolean compressed) throws IOException {
        Path tmp = Files.createTempFile("corpus", ".npz");
        try {
            if (compressed) {
                Npz.writeCompressed(tmp, arrays);
            } else {
                Npz.write(tmp, arrays);
            }
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<byte[]> npzSeeds() throws IOException {
        Map<String, NpyArray> a = new LinkedHashMap<>();
        a.put("gamma", NpyArray.ofFloat32(new int[] {3}, new float[] {1, 2, 3}));
        a.put("output_quantizer/range_max", NpyArray.scalarFloat32(8f));
        a.put("ids", NpyArray.ofInt16(new int[] {2, 2}, new short[] {1, -2, 3, -4}));
        return List.of(npz(a, false), npz(a, true), npz(Map.of("x", NpyArray.ofInt8(new int[] {4}, new byte[] {1, 2, 3, 4})),
                true));
    }

    private static byte[] qtensor(io.github.qbn4j.tensor.QTensor t) throws IOException {
        Path tmp = Files.createTempFile("corpus", ".npz");
        try {
            QTensorFiles.write(tmp, t);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<byte[]> qtensorSeeds() throws IOException {
        FixedPoint x = FixedPoint.of(Shape.of(1, 2, 2), new int[] {10, -20, -7, 33}, 7, FracBits.perAxis(2, 4));
        return List.of(qtensor(x), qtensor(QFloat.of(FixedPoint.of(Shape.of(1, 1, 2), new int[] {320, -1780}, 31,
                FracBits.of(2)), Scales.of(0.015748031f))), qtensor(QFloat.of(x, Scales.perAxis(0.5f, 0.25f))));
    }

    private static List<byte[]> layerJsonSeeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        QuantizedBatchNormalization.Builder b = QuantizedBatchNormalization.builder().name("bn")
                .gamma(1f, 2f).beta(0.5f, -1f).movingMean(1f, -2f).movingVariance(3.999f, 0.999f);
        Path dir = Files.createTempDirectory("corpus");
        try {
            for (QuantizedBatchNormalization bn : List.of(b.build(), b.quantConfig(QuantConfig.defaults()
                    .withBufferBitwidth(16).withOutputQuantizer(OutputQuantizer.of(8, true,
                            OutputQuantizer.Axis.PER_AXIS, 8))).rangeMax(4f, 8f).axes(2).build())) {
                LayerFiles.write(dir, bn);
                seeds.add(Files.readAllBytes(dir.resolve(LayerFiles.LAYER_JSON)));
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
        return seeds;
    }

    // ------------------------------------------------------------------------------------------------ mutations

    private static final byte[][] BOUNDARY = {
        {0}, {(byte) 0xff}, {(byte) 0x7f}, {(byte) 0x80}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f},
        {0, 0, 0, (byte) 0x80}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, (byte) 0xff}, {1, 0, 0, 0, 0, 0, 0, 0}};

    private static final String[] HUGE_SHAPES = {"(2147483647,)", "(65536, 65536)", "(1000000000,)",
        "(2147483647, 2147483647, 2147483647)", "(-1,)", "(9223372036854775807,)", "(99999999999999999999999,)",
        "(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)",
        "((((((((((((((((((((((((((((((((((1,)))))))))))))))))))))))))))))))))))", "(0, 2147483647)"};

    private static final String[] JSON_VALUES = {"1e400", "-1e400", "NaN", "Infinity", "null", "true", "\"8\"", "8.0",
        "99999999999999999999999999", "-2147483649", "[]", "{}", "[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "0", "-1", "33", "1", "\"per-channel\"", "{\"bitwidth\": 1}", "[3, 1]"};

    private static byte[] mutateBytes(byte[] in, SplittableRandom r, String[] name) {
        byte[] b = in.clone();
        int op = r.nextInt(6);
        int n = Math.max(1, b.length);
        switch (op) {
            case 0: {
                name[0] = "truncate";
                return Arrays.copyOf(b, r.nextInt(n));
            }
            case 1: {
                name[0] = "bitflip";
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips && b.length > 0; i++) {
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case 2: {
                name[0] = "insert";
                int at = r.nextInt(b.length + 1);
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                return out;
            }
            case 3: {
                name[0] = "delete";
                if (b.length < 2) {
                    return new byte[0];
                }
                int at = r.nextInt(b.length - 1);
                int len = 1 + r.nextInt(Math.min(32, b.length - at));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
            case 4: {
                name[0] = "boundary";
                int times = 1 + r.nextInt(4);
                for (int i = 0; i < times && b.length > 0; i++) {
                    byte[] v = BOUNDARY[r.nextInt(BOUNDARY.length)];
                    int at = r.nextInt(b.length);
                    System.arraycopy(v, 0, b, at, Math.min(v.length, b.length - at));
                }
                return b;
            }
            default: {
                name[0] = "duplicate";
                if (b.length < 2) {
                    return b;
                }
                int from = r.nextInt(b.length - 1);
                int len = 1 + r.nextInt(Math.min(256, b.length - from));
                int at = r.nextInt(b.length);
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, from, out, at, len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
        }
    }

    /** Rewrites the shape tuple of an npy header (keeping the header length valid when it fits). */
    private static byte[] hugeShape(byte[] npy, SplittableRandom r) {
        String text = new String(npy, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("'shape': (");
        int end = at < 0 ? -1 : text.indexOf(')', at);
        if (at < 0 || end < 0) {
            return npy;
        }
        String shape = HUGE_SHAPES[r.nextInt(HUGE_SHAPES.length)];
        String changed = text.substring(0, at + 9) + shape + text.substring(end + 1);
        int headerEnd = text.indexOf('\n');
        int grow = shape.length() - (end + 1 - at - 9);
        if (headerEnd > 0 && text.charAt(6) == 1) {
            // keep the header length field honest when the shape grew or shrank
            int len = (npy[8] & 0xff | (npy[9] & 0xff) << 8) + grow;
            byte[] out = changed.getBytes(StandardCharsets.ISO_8859_1);
            out[8] = (byte) len;
            out[9] = (byte) (len >>> 8);
            return out;
        }
        return changed.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static byte[] rezip(Map<String, byte[]> entries, boolean deflate) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey());
                z.setTime(315532800000L);
                if (!deflate) {
                    z.setMethod(ZipEntry.STORED);
                    z.setSize(e.getValue().length);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(e.getValue());
                    z.setCrc(crc.getValue());
                }
                zip.putNextEntry(z);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** An entry padded with zeros to {@code size} bytes, deflated: a zip bomb of a few KiB. */
    private static byte[] bomb(Map<String, byte[]> entries, String victim, int size) throws IOException {
        Map<String, byte[]> copy = new LinkedHashMap<>(entries);
        byte[] v = copy.get(victim);
        copy.put(victim, Arrays.copyOf(v, Math.max(v.length, size)));
        return rezip(copy, true);
    }

    private static byte[] mutate(byte[] seed, Kind kind, SplittableRandom r, String[] name) throws IOException {
        int choice = r.nextInt(10);
        if (kind == Kind.NPY && choice < 2) {
            name[0] = "hugeshape";
            return hugeShape(seed, r);
        }
        if (kind == Kind.JSON && choice < 4) {
            name[0] = "jsonvalue";
            String text = new String(seed, StandardCharsets.UTF_8);
            List<int[]> spots = new ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(": (-?[0-9.e]+|true|false|null|\"[^\"]*\"|\\[[^\\]]*\\])")
                    .matcher(text);
            while (m.find()) {
                spots.add(new int[] {m.start(1), m.end(1)});
            }
            int[] s = spots.get(r.nextInt(spots.size()));
            return (text.substring(0, s[0]) + JSON_VALUES[r.nextInt(JSON_VALUES.length)] + text.substring(s[1]))
                    .getBytes(StandardCharsets.UTF_8);
        }
        if ((kind == Kind.ZIP_OF_NPY || kind == Kind.ZIP) && choice < 5) {
            Map<String, byte[]> entries = unzip(seed);
            List<String> names = new ArrayList<>(entries.keySet());
            String victim = names.get(r.nextInt(names.size()));
            if (choice == 0) {
                name[0] = "zipbomb";
                return bomb(entries, victim, kind == Kind.ZIP ? 24 << 20 : 12 << 20);
            }
            byte[] inner = entries.get(victim);
            if (kind == Kind.ZIP_OF_NPY && choice == 1) {
                name[0] = "inner-hugeshape";
                entries.put(victim, hugeShape(inner, r));
            } else {
                String[] innerName = new String[1];
                entries.put(victim, mutateBytes(inner, r, innerName));
                name[0] = "inner-" + innerName[0];
            }
            return rezip(entries, r.nextBoolean());
        }
        return mutateBytes(seed, r, name);
    }

    private static void write(Path corpus, String reader, List<byte[]> seeds, SplittableRandom r, Kind kind)
            throws IOException {
        Path dir = corpus.resolve(reader);
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.toList()) {
                if (GENERATED.matcher(f.getFileName().toString()).matches()) {
                    Files.delete(f);
                }
            }
        }
        for (int i = 0; i < seeds.size(); i++) {
            Files.write(dir.resolve(String.format("seed-%02d", i)), seeds.get(i));
        }
        for (int i = 0; i < PER_READER; i++) {
            byte[] seed = seeds.get(r.nextInt(seeds.size()));
            String[] name = {"?"};
            byte[] mutated = mutate(seed, kind, r, name);
            if (r.nextInt(4) == 0) {  // sometimes a second, plain mutation on top
                String[] second = {"?"};
                mutated = mutateBytes(mutated, r, second);
                name[0] += "+" + second[0];
            }
            Files.write(dir.resolve(String.format("%03d-%s", i, name[0])), mutated);
        }
    }
}
