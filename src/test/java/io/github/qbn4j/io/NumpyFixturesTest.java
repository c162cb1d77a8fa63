package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.qbn4j.io.NpyArray.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the reader against files written by NumPy itself (src/test/resources/npy, made by
 * make_fixtures.py), with expected values taken from NumPy and recorded in manifest.tsv.
 */
class NumpyFixturesTest {

    /** One line of manifest.tsv. */
    static final class Fixture {
        final String kind;
        final String file;
        final String key;
        final String dtype;
        final int[] shape;
        final String order;
        final boolean fortran;
        final String version;
        final boolean sameBytes;
        final String values;

        Fixture(String line) {
            String[] f = line.split("\t", -1);
            assertThat(f).as(line).hasSize(10);
            kind = f[0];
            file = f[1];
            key = f[2];
            dtype = f[3];
            shape = f[4].equals("-") || f[4].equals("[]") ? new int[0]
                    : Arrays.stream(f[4].substring(1, f[4].length() - 1).split(","))
                            .mapToInt(Integer::parseInt).toArray();
            order = f[5];
            fortran = f[6].equals("F");
            version = f[7];
            sameBytes = f[8].equals("1");
            values = f[9];
        }

        String[] valueTokens() {
            return values.isEmpty() ? new String[0] : values.split(" ");
        }

        @Override
        public String toString() {
            return kind + " " + file + (key.equals("-") ? "" : ":" + key);
        }
    }

    static List<Fixture> manifest() {
        try (InputStream in = NumpyFixturesTest.class.getResourceAsStream("/npy/manifest.tsv")) {
            assertThat(in).as("manifest.tsv on the test class path").isNotNull();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(Fixture::new).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Fixture> npyFixtures() {
        return manifest().stream().filter(f -> f.kind.equals("npy"));
    }

    static Stream<Fixture> refusals() {
        return manifest().stream().filter(f -> f.kind.equals("refuse"));
    }

    static Path resource(String name) {
        URL url = NumpyFixturesTest.class.getResource("/npy/" + name);
        assertThat(url).as("fixture " + name).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asserts that {@code a} has the dtype, shape and values NumPy recorded. */
    static void assertMatches(NpyArray a, Fixture f) {
        assertThat(a.dtype().code()).as("dtype of %s", f).isEqualTo(f.dtype);
        assertThat(a.shape()).as("shape of %s", f).containsExactly(f.shape);
        String[] expected = f.valueTokens();
        assertThat(a.size()).as("size of %s", f).isEqualTo(expected.length);
        DType d = a.dtype();
        for (int i = 0; i < expected.length; i++) {
            String e = expected[i];
            if (d.isFloatingPoint()) {
                double actual = a.getDouble(i);
                switch (e) {
                    case "nan":
                        assertThat(actual).as("%s[%d]", f, i).isNaN();
                        break;
                    case "inf":
                        assertThat(actual).as("%s[%d]", f, i).isEqualTo(Double.POSITIVE_INFINITY);
                        break;
                    case "-inf":
                        assertThat(actual).as("%s[%d]", f, i).isEqualTo(Double.NEGATIVE_INFINITY);
                        break;
                    default:
                        // bit-exact, so that -0.0 and 0.0 are told apart
                        assertThat(Double.doubleToRawLongBits(actual)).as("%s[%d] = %s", f, i, e)
                                .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(e)));
                }
            } else {
                BigInteger v = new BigInteger(e);
                if (v.bitLength() < 64) {
                    assertThat(a.getLong(i)).as("%s[%d]", f, i).isEqualTo(v.longValueExact());
                } else {
                    // uint64 of 2^63 or more: not a long, but the bits and the double are right
                    final int index = i;
                    assertThatThrownBy(() -> a.getLong(index))
                            .isInstanceOf(ArithmeticException.class);
                    assertThat(((long[]) a.rawData())[i]).isEqualTo(v.longValue());
                    assertThat(a.getDouble(i)).isEqualTo(v.doubleValue());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("npyFixtures")
    void readsNumpyWrittenNpyFilesWithTheValuesNumpyRecorded(Fixture f) throws IOException {
        Path p = resource(f.file);
        byte[] bytes = Files.readAllBytes(p);
        assertThat(bytes[6] + "." + bytes[7]).as("header version of %s", f).isEqualTo(f.version);
        assertMatches(Npy.read(p), f);
        try (InputStream in = Files.newInputStream(p)) {
            assertMatches(Npy.read(in, f.file), f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("npyFixtures")
    void writesTheSameBytesAsNumpySaveForLittleEndianCOrderArrays(Fixture f) throws IOException {
        Path p = resource(f.file);
        NpyArray a = Npy.read(p);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        if (f.sameBytes) {
            assertThat(out.toByteArray()).isEqualTo(Files.readAllBytes(p));
        }
        // whatever NumPy's byte order or memory order was, our file reads back the same
        NpyArray back = Npy.read(new java.io.ByteArrayInputStream(out.toByteArray()), "back");
        assertThat(back).isEqualTo(a);
    }

    @Test
    void bigEndianAndLittleEndianFixturesHoldTheSameArrays() throws IOException {
        int pairs = 0;
        for (Fixture f : npyFixtures().collect(Collectors.toList())) {
            if (f.file.endsWith("_le.npy")) {
                Path be = resource(f.file.replace("_le.npy", "_be.npy"));
                assertThat(Npy.read(be)).as(f.file).isEqualTo(Npy.read(resource(f.file)));
                pairs++;
            }
        }
        assertThat(pairs).isEqualTo(9);
    }

    @Test
    void fixturesCoverEveryDtypeByteOrderMemoryOrderAndVersion() {
        List<Fixture> npy = npyFixtures().collect(Collectors.toList());
        Set<String> seen = new TreeSet<>();
        for (Fixture f : npy) {
            seen.add(f.dtype + f.order);
        }
        for (DType d : DType.values()) {
            if (d.byteSize() == 1) {
                assertThat(seen).contains(d.code() + "|");
            } else {
                assertThat(seen).contains(d.code() + "<", d.code() + ">");
            }
        }
        assertThat(npy).anyMatch(f -> f.fortran && f.order.equals(">"));
        assertThat(npy).anyMatch(f -> f.fortran && f.shape.length == 3);
        assertThat(npy.stream().map(f -> f.version)).contains("1.0", "2.0", "3.0");
        assertThat(npy).anyMatch(f -> f.shape.length == 0);
        assertThat(npy).anyMatch(f -> Arrays.equals(f.shape, new int[] {2, 0}));
        assertThat(npy).anyMatch(f -> Arrays.equals(f.shape, new int[] {0}));
    }

    @Test
    void readsNumpySavezAndSavezCompressedArchives() throws IOException {
        Map<String, List<Fixture>> byFile = new LinkedHashMap<>();
        for (Fixture f : manifest()) {
            if (f.kind.equals("npz")) {
                byFile.computeIfAbsent(f.file, k -> new ArrayList<>()).add(f);
            }
        }
        assertThat(byFile).containsOnlyKeys("savez.npz", "savez_compressed.npz");
        for (Map.Entry<String, List<Fixture>> e : byFile.entrySet()) {
            Map<String, NpyArray> arrays = Npz.read(resource(e.getKey()));
            assertThat(arrays.keySet()).as(e.getKey()).containsExactlyElementsOf(
                    e.getValue().stream().map(f -> f.key).collect(Collectors.toList()));
            assertThat(arrays).containsKey("output_quantizer/range_max");
            for (Fixture f : e.getValue()) {
                assertMatches(arrays.get(f.key), f);
            }
        }
        assertThat(Npz.read(resource("savez.npz")))
                .isEqualTo(Npz.read(resource("savez_compressed.npz")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWhatNumpyCanWriteButWeDoNotSupport(Fixture f) {
        Path p = resource(f.file);
        FileFormatException e = catchThrowableOfType(FileFormatException.class, () -> {
            if (f.file.endsWith(".npz")) {
                Npz.read(p);
            } else {
                Npy.read(p);
            }
        });
        assertThat(e).as(f.toString()).isNotNull();
        assertThat(e).hasMessageContaining(f.values);
        assertThat(e.fileName()).isEqualTo(p.toString());
        if (f.file.startsWith("object")) {
            assertThat(e).hasMessageContaining("object/pickled arrays are not supported");
        }
    }

    @Test
    void fixturesStaySmall() throws IOException {
        Path dir = resource("manifest.tsv").getParent();
        long total;
        try (Stream<Path> files = Files.list(dir)) {
            total = files.mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(total).isLessThan(200_000);
    }
}
