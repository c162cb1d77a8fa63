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
        writeTheLiars(resources, corpus);
        System.out.println("wrote the fuzz corpus to " + corpus);
    }

    private enum Kind { NPY, ZIP_OF_NPY, ZIP, JSON, RAW }

    // ------------------------------------------------------------------------------------------------ issue 11

    /** Structure-aware mutations per reader: valid containers whose sizes, shapes and filters lie or are huge. */
    static final int LIARS_PER_READER = 40;
    private static final long LIAR_SEED = 20261203L;
    /** 1980-01-01T00:00:00Z, the earliest time a zip entry holds. */
    private static final long FIXED_ZIP_TIME = 315532800000L;

    /**
     * Adds {@code liar-NNN-<kind>} files to the corpus folders, leaving every other file as it is:
     * {@code cd-size} and {@code local-size} (a zip entry's compressed or uncompressed size, in the central
     * directory or the local header, set to a huge, zero or off-by-one value), {@code local-offset} (where the
     * central directory says an entry starts), {@code honest-huge} (an entry replaced by a well-formed
     * {@code .npy} of 2^20 to 2^24 zero elements that really inflates to all of them), {@code dims} and
     * {@code bytes} (an HDF5 field holding 10, the channel count, or 40, its byte size, set to a huge value),
     * {@code lzf-param} (the LZF filter's declared chunk size of {@code lzf_bomb_model.h5} set at random).
     */
    static void writeTheLiars(Path resources, Path corpus) throws IOException {
        SplittableRandom r = new SplittableRandom(LIAR_SEED);
        liars(corpus, "npz", npzSeeds(), r, true);
        liars(corpus, "qtensor", qtensorSeeds(), r, true);
        liars(corpus, "keras-archive", resources(resources, "models", "keras3_axis1.keras", "keras3_model.keras"), r,
                false);
        List<byte[]> h5 = resources(resources, "models", "keras2_model.h5", "keras2_weights.h5", "lzf_bomb_model.h5");
        Path dir = Files.createDirectories(corpus.resolve("keras-h5"));
        for (int i = 0; i < LIARS_PER_READER; i++) {
            int pick = r.nextInt(h5.size());
            byte[] b = h5.get(pick).clone();
            String kind;
            if (pick == 2 && r.nextBoolean()) {
                kind = "lzf-param";
                int at = indexOf(b, "lzf\0".getBytes(StandardCharsets.ISO_8859_1), 0);
                int size = indexOf(b, new byte[] {40, 0, 0, 0}, at);
                putLe(b, size, 4, HUGE[r.nextInt(HUGE.length)]);
            } else {
                boolean dims = r.nextBoolean();
                kind = dims ? "dims" : "bytes";
                int width = r.nextBoolean() ? 8 : 4;
                byte[] pattern = new byte[width];
                pattern[0] = (byte) (dims ? 10 : 40);
                List<Integer> spots = new ArrayList<>();
                for (int at = indexOf(b, pattern, 0); at >= 0; at = indexOf(b, pattern, at + 1)) {
                    spots.add(at);
                }
                putLe(b, spots.get(r.nextInt(spots.size())), width, HUGE[r.nextInt(HUGE.length)]);
            }
            Files.write(dir.resolve(String.format("liar-%03d-%s", i, kind)), b);
        }
    }

    private static final long[] HUGE = {0, 1, 0x7FFFFFF0L, 0x7FFFFFFFL, 0x80000000L, 0xF0000000L, 0xFFFFFFFFL,
        1L << 20, (1L << 20) + 1, 1L << 40, -1L};

    private static int indexOf(byte[] b, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i + pattern.length <= b.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (b[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void putLe(byte[] b, int at, int width, long v) {
        for (int i = 0; i < width && at + i < b.length; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static void liars(Path corpus, String reader, List<byte[]> seeds, SplittableRandom r,
            boolean npyEntries) throws IOException {
        Path dir = Files.createDirectories(corpus.resolve(reader));
        for (int i = 0; i < LIARS_PER_READER; i++) {
            byte[] seed = seeds.get(r.nextInt(seeds.size()));
            int choice = r.nextInt(npyEntries ? 4 : 3);
            String kind;
            byte[] b;
            if (choice == 3) {
                kind = "honest-huge";
                Map<String, byte[]> entries = unzip(seed);
                List<String> names = new ArrayList<>(entries.keySet());
                String victim = names.get(r.nextInt(names.size()));
                int log = 20 + r.nextInt(5); // up to 2^24 elements: at most 64 KB on disk
                String descr = r.nextBoolean() ? "|i1" : "<f4";
                String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + (1L << log) + ",), }";
                long bytes = (1L << log) * (descr.equals("|i1") ? 1 : 4);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ZipOutputStream zip = new ZipOutputStream(out)) {
                    zip.setLevel(9);
                    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                        ZipEntry entry = new ZipEntry(e.getKey());
                        entry.setTime(FIXED_ZIP_TIME); // the corpus must not depend on when it was written
                        zip.putNextEntry(entry);
                        if (e.getKey().equals(victim)) {
                            zip.write(BadInputTest.npy(dict, new byte[0]));
                            byte[] block = new byte[1 << 20];
                            for (long left = bytes; left > 0; left -= block.length) {
                                zip.write(block, 0, (int) Math.min(block.length, left));
                            }
                        } else {
                            zip.write(e.getValue());
                        }
                        zip.closeEntry();
                    }
                }
                b = out.toByteArray();
            } else {
                b = seed.clone();
                boolean central = choice != 1;
                int signature = central ? 0x02014b50 : 0x04034b50;
                List<Integer> headers = new ArrayList<>();
                for (int at = 0; at + 46 <= b.length; at++) {
                    if ((b[at] & 0xff | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24)
                            == signature) {
                        headers.add(at);
                    }
                }
                int h = headers.get(r.nextInt(headers.size()));
                int field;
                if (choice == 2) {
                    kind = "local-offset";
                    field = h + 42;
                } else {
                    kind = central ? "cd-size" : "local-size";
                    field = h + (central ? 20 : 18) + 4 * r.nextInt(2);
                }
                putLe(b, field, 4, HUGE[r.nextInt(HUGE.length)]);
            }
            Files.write(dir.resolve(String.format("liar-%03d-%s", i, kind)), b);
        }
    }

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
