package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.qbn4j.Seeds;
import io.github.qbn4j.conformance.TensorComparison;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputObserver;
import io.github.qbn4j.quantizer.OutputQuantizer;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KerasModels on the fixtures of {@code src/test/resources/models/} (written by
 * {@code make_models.py} with quantizeml 0.5.2, Keras 2.12 and Keras 3.15; see its README).
 */
@ExtendWith(Seeds.class)
class KerasModelsTest {

    private static final int C = 10;

    @TempDir
    Path tmp;

    static Path model(String name) {
        try {
            return Path.of(KerasModelsTest.class.getResource("/models/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, NpyArray> expected() throws IOException {
        return Npz.read(model("float_expected.npz"));
    }

    private static void assertParameters(KerasBatchNormalization bn, String prefix) throws IOException {
        Map<String, NpyArray> e = expected();
        float[] ones = new float[bn.channels()];
        java.util.Arrays.fill(ones, 1f);
        assertThat(bn.gamma()).as("gamma").containsExactly(e.containsKey(prefix + "/gamma")
                ? e.get(prefix + "/gamma").toFloatArray() : ones);
        assertThat(bn.beta()).as("beta").containsExactly(e.containsKey(prefix + "/beta")
                ? e.get(prefix + "/beta").toFloatArray() : new float[bn.channels()]);
        assertThat(bn.movingMean()).as("moving_mean").containsExactly(e.get(prefix + "/moving_mean").toFloatArray());
        assertThat(bn.movingVariance()).as("moving_variance")
                .containsExactly(e.get(prefix + "/moving_variance").toFloatArray());
    }

    // ---- Keras 2 full model --------------------------------------------------------------------

    @Test
    void loadsEveryBatchNormalizationOfAKeras2Model() throws IOException {
        List<KerasBatchNormalization> all = KerasModels.loadAll(model("keras2_model.h5"));

        assertThat(all).extracting(KerasBatchNormalization::name).containsExactly("bn_add", "bn_relu", "bn_last");
        for (KerasBatchNormalization bn : all) {
            assertThat(bn.channels()).isEqualTo(C);
            assertThat(bn.axis()).isEqualTo(3);
            assertParameters(bn, bn.name());
        }
    }

    @Test
    void readsAFileTooLargeToMapThroughTheChannel() throws IOException {
        // KerasH5 maps files of up to 2 GiB - 1 and reads larger ones through jhdf's channel reader.
        // A sparse copy padded past 2^31 bytes (the HDF5 content is unchanged: its end-of-file
        // address stays below the file size) takes the second path and must give the same layers.
        Path big = tmp.resolve("padded.h5");
        Files.copy(model("keras2_model.h5"), big);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength((long) Integer.MAX_VALUE + 2);
        }
        assertThat(Files.size(big)).isGreaterThan(Integer.MAX_VALUE);

        List<KerasBatchNormalization> all = KerasModels.loadAll(big);

        assertThat(all).extracting(KerasBatchNormalization::name).containsExactly("bn_add", "bn_relu", "bn_last");
        for (KerasBatchNormalization bn : all) {
            assertParameters(bn, bn.name());
        }
    }

    @Test
    void readsEpsilonAndTheCenterAndScaleFlags() throws IOException {
        KerasBatchNormalization add = KerasModels.load(model("keras2_model.h5"), "bn_add");
        KerasBatchNormalization relu = KerasModels.load(model("keras2_model.h5"), "bn_relu");
        KerasBatchNormalization last = KerasModels.load(model("keras2_model.h5"), "bn_last");

        assertThat(add.epsilon()).isEqualTo(0.01);
        assertThat(add.center()).isTrue();
        assertThat(add.scale()).isTrue();
        assertThat(relu.epsilon()).isEqualTo(1e-3);
        assertThat(relu.center()).isFalse();
        assertThat(last.scale()).isFalse();
    }

    @Test
    void givesZeroBetaWithoutCenterAndUnitGammaWithoutScale() throws IOException {
        KerasBatchNormalization relu = KerasModels.load(model("keras2_model.h5"), "bn_relu");
        KerasBatchNormalization last = KerasModels.load(model("keras2_model.h5"), "bn_last");

        assertThat(relu.beta()).containsOnly(0f).hasSize(C);
        assertThat(last.gamma()).containsOnly(1f).hasSize(C);
    }

    @Test
    void refusesAMissingLayerListingTheBatchNormalizations() {
        assertThatThrownBy(() -> KerasModels.load(model("keras2_model.h5"), "bn_nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"bn_nope\"")
                .hasMessageContaining("[bn_add, bn_relu, bn_last]");
    }

    @Test
    void refusesALayerOfAnotherClassNamingTheClass() {
        assertThatThrownBy(() -> KerasModels.load(model("keras2_model.h5"), "conv1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a BatchNormalization, got a Conv2D")
                .hasMessageContaining("[bn_add, bn_relu, bn_last]");
    }

    @Test
    void pointsAQuantizedLayerToLoadQuantized() {
        assertThatThrownBy(() -> KerasModels.load(model("quantized_model.h5"), "bn_add"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got a QuantizedBatchNormalization (use loadQuantized)");
    }

    @Test
    void pointsAWeightsOnlyFileToLoadWeights() {
        assertThatThrownBy(() -> KerasModels.loadAll(model("keras2_weights.h5")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("use loadWeights");
    }

    // ---- Keras 2 weights-only ------------------------------------------------------------------

    @Test
    void loadsAWeightsOnlyFileWithASpec() throws IOException {
        Path weights = model("keras2_weights.h5");
        KerasBatchNormalization add = KerasModels.loadWeights(weights,
                KerasBatchNormalization.Spec.of("bn_add").withEpsilon(0.01));
        KerasBatchNormalization relu = KerasModels.loadWeights(weights,
                KerasBatchNormalization.Spec.of("bn_relu").withCenter(false));
        KerasBatchNormalization last = KerasModels.loadWeights(weights,
                KerasBatchNormalization.Spec.of("bn_last").withScale(false).withAxis(3, 4));

        assertParameters(add, "bn_add");
        assertParameters(relu, "bn_relu");
        assertParameters(last, "bn_last");
        assertThat(add.epsilon()).isEqualTo(0.01);
        assertThat(last.axis()).isEqualTo(3);
        assertThat(relu.center()).isFalse();
    }

    @Test
    void readsTheWeightsOfAFullModelWithASpec() throws IOException {
        KerasBatchNormalization fromSpec = KerasModels.loadWeights(model("keras2_model.h5"),
                KerasBatchNormalization.Spec.of("bn_add").withEpsilon(0.01));

        assertParameters(fromSpec, "bn_add");
    }

    @Test
    void refusesASpecThatCallsForAMissingWeight() {
        assertThatThrownBy(() -> KerasModels.loadWeights(model("keras2_weights.h5"),
                KerasBatchNormalization.Spec.of("bn_last")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("must have one 'gamma' weight")
                .hasMessageContaining("bn_last/moving_mean:0");
    }

    @Test
    void refusesASpecForALayerWithoutWeights() {
        assertThatThrownBy(() -> KerasModels.loadWeights(model("keras2_weights.h5"),
                KerasBatchNormalization.Spec.of("bn_nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"bn_nope\"")
                .hasMessageContaining("bn_add");
    }

    @Test
    void refusesADeclaredSizeBeyondTheCapBeforeReading() {
        assertThatThrownBy(() -> KerasModels.loadWeights(model("huge_declared.h5"),
                KerasBatchNormalization.Spec.of("bn_add")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("must have 1 to 1048576 elements, got 1073741824");
    }

    @Test
    void refusesToFollowALinkIntoAnotherFile() {
        assertThatThrownBy(() -> KerasModels.loadWeights(model("external_link.h5"),
                KerasBatchNormalization.Spec.of("bn_add")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("must not go through a link");
    }

    @Test
    void reportsTheOffsetWhereATruncatedFileEnds() throws IOException {
        byte[] bytes = Files.readAllBytes(model("keras2_model.h5"));
        Path cut = Files.write(tmp.resolve("cut.h5"), java.util.Arrays.copyOf(bytes, bytes.length - 100));

        FileFormatException e = (FileFormatException) catchThrowable(() -> KerasModels.loadAll(cut));

        assertThat(e.byteOffset()).isEqualTo(bytes.length - 100);
        assertThat(e.fileName()).isEqualTo(cut.toString());
        assertThat(e).hasMessageContaining("must be at least " + bytes.length + " bytes long")
                .hasMessageContaining("truncated");
    }

    @Test
    void refusesAKeras3ArchiveInLoadWeights() {
        assertThatThrownBy(() -> KerasModels.loadWeights(model("keras3_model.keras"),
                KerasBatchNormalization.Spec.of("bn_add")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("use load");
    }

    // ---- nesting and axes ----------------------------------------------------------------------

    @Test
    void loadsLayersOfNestedSequentialAndFunctionalModels() throws IOException {
        Path nested = model("keras2_nested.h5");
        KerasBatchNormalization inner = KerasModels.load(nested, "inner_bn");
        KerasBatchNormalization func = KerasModels.load(nested, "func/func_bn");

        assertThat(inner.path()).isEqualTo("seq/inner_bn");
        assertThat(inner.scale()).isFalse();
        assertParameters(inner, "nested/inner_bn");
        assertThat(func.path()).isEqualTo("func/func_bn");
        assertThat(func.epsilon()).isEqualTo(1e-4);
        assertParameters(func, "nested/func_bn");
    }

    @Test
    void carriesTheRankThroughFlattenAndDense() throws IOException {
        KerasBatchNormalization flat = KerasModels.load(model("keras2_nested.h5"), "bn_flat");

        assertThat(flat.axis()).isEqualTo(1);
        assertThat(flat.channels()).isEqualTo(6);
        assertParameters(flat, "nested/bn_flat");
    }

    @Test
    void refusesAnAxisOtherThanTheLastNamingLayerAndAxis() {
        assertThatThrownBy(() -> KerasModels.load(model("keras2_nested.h5"), "bn_axis1"))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("axis must be the last axis (-1 or 3 for rank-4 inputs), got [1]")
                .hasMessageContaining("layer \"bn_axis1\"");
        assertThatThrownBy(() -> KerasModels.loadAll(model("keras2_nested.h5")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("bn_axis1");
        assertThatThrownBy(() -> KerasModels.loadAll(model("keras3_axis1.keras")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("got 1 (layer \"bn_axis1\")");
    }

    @Test
    void refusesAnAxisItCannotCheckAfterALambda() throws IOException {
        assertThatThrownBy(() -> KerasModels.load(model("keras2_nested.h5"), "bn_lambda"))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("cannot be checked")
                .hasMessageContaining("Lambda")
                .hasMessageContaining("loadWeights");

        KerasBatchNormalization bn = KerasModels.loadWeights(model("keras2_nested.h5"),
                KerasBatchNormalization.Spec.of("bn_lambda").withAxis(3, 4));
        assertThat(bn.channels()).isEqualTo(5);
    }

    @Test
    void findsANestedLayerInAWeightsFileByNameOrPath() throws IOException {
        KerasBatchNormalization byName = KerasModels.loadWeights(model("keras2_nested.h5"),
                KerasBatchNormalization.Spec.of("inner_bn").withScale(false));
        KerasBatchNormalization byPath = KerasModels.loadWeights(model("keras2_nested.h5"),
                KerasBatchNormalization.Spec.of("seq/inner_bn").withScale(false));

        assertThat(byName).isEqualTo(byPath);
        assertThat(byName.path()).isEqualTo("seq/inner_bn");
        assertParameters(byName, "nested/inner_bn");
    }

    // ---- Keras 3 -------------------------------------------------------------------------------

    @Test
    void loadsAKeras3ArchiveWithTheSameParametersAsKeras2() throws IOException {
        List<KerasBatchNormalization> k3 = KerasModels.loadAll(model("keras3_model.keras"));
        List<KerasBatchNormalization> k2 = KerasModels.loadAll(model("keras2_model.h5"));

        assertThat(k3).extracting(KerasBatchNormalization::path)
                .containsExactly("bn_add", "bn_relu", "bn_last", "seq/inner_bn");
        for (int i = 0; i < 3; i++) {
            KerasBatchNormalization a = k3.get(i);
            KerasBatchNormalization b = k2.get(i);
            assertThat(a.gamma()).containsExactly(b.gamma());
            assertThat(a.beta()).containsExactly(b.beta());
            assertThat(a.movingMean()).containsExactly(b.movingMean());
            assertThat(a.movingVariance()).containsExactly(b.movingVariance());
            assertThat(a.epsilon()).isEqualTo(b.epsilon());
            assertThat(a.center()).isEqualTo(b.center());
            assertThat(a.scale()).isEqualTo(b.scale());
            assertThat(a.axis()).isEqualTo(-1);
        }
        assertParameters(k3.get(3), "inner_bn");
        assertThat(k3.get(3).scale()).isFalse();
    }

    @Test
    void refusesAKeras3ArchiveWhoseWeightsInflatePastTheCap() {
        assertThatThrownBy(() -> KerasModels.loadAll(model("keras3_model.keras"), 1000))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("entry 'model.weights.h5' must be at most 1000 bytes, got 43360");
    }

    @Test
    void refusesAZipBomb() throws IOException {
        Path bomb = tmp.resolve("bomb.keras");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("model.weights.h5"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 20; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }

        assertThatThrownBy(() -> KerasModels.loadAll(bomb))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("zip bomb");
    }

    @Test
    void refusesAFileThatIsNeitherHdf5NorZip() throws IOException {
        Path text = Files.writeString(tmp.resolve("model.h5"), "not a model");

        assertThatThrownBy(() -> KerasModels.loadAll(text))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("model.h5")
                .hasMessageContaining("must be an HDF5 file or a .keras (zip) archive, got neither");
    }

    // ---- quantizeml 0.5.2 ----------------------------------------------------------------------

    @Test
    void loadsEveryQuantizedBatchNormalizationWithItsConfig() throws IOException {
        List<QuantizedBatchNormalization> all = KerasModels.loadAllQuantized(model("quantized_model.h5"));

        assertThat(all).extracting(QuantizedBatchNormalization::name).containsExactly("bn_add", "bn_relu", "bn_last");
        QuantizedBatchNormalization add = all.get(0);
        assertThat(add.epsilon()).isEqualTo(0.01);
        assertThat(add.getConfig().get("axis")).isEqualTo(List.of(3));
        assertThat(add.outputQuantizer().axis()).isEqualTo(OutputQuantizer.Axis.PER_AXIS);
        assertThat(add.outputQuantizer().rescalingRate(C)).doesNotContain(1f);
        assertThat(all.get(1).outputQuantizer().axis()).isEqualTo(OutputQuantizer.Axis.PER_TENSOR);
        assertThat(all.get(2).outputQuantizer()).isNull();
        assertThat(all.get(1).beta()).containsOnly(0f); // center=False: quantizeml keeps zeros
        assertThat(all.get(2).gamma()).containsOnly(1f); // scale=False: quantizeml keeps ones
    }

    @ParameterizedTest
    @ValueSource(strings = {"bn_add", "bn_relu", "bn_last"})
    void reproducesTheOutputsOfTheLoadedQuantizemlLayer(String layer) throws IOException {
        QuantizedBatchNormalization bn = KerasModels.loadQuantized(model("quantized_model.h5"), layer);
        QTensor x = QTensorFiles.read(model("quantized/" + layer + "/x.npz"));
        QTensor expected = QTensorFiles.read(model("quantized/" + layer + "/y.npz"));

        TensorComparison cmp = TensorComparison.compare(expected, bn.call(x));

        assertThat(cmp.matches()).as(cmp.report()).isTrue();
    }

    @Test
    void convertsAFloatLayerAsQuantizeDoes() throws IOException {
        QuantizedBatchNormalization loaded = KerasModels.loadQuantized(model("quantized_model.h5"), "bn_add");
        KerasBatchNormalization bn = KerasModels.load(model("keras2_model.h5"), "bn_add");
        OutputQuantizer oq = loaded.outputQuantizer();

        QuantizedBatchNormalization converted = bn.toQuantized(loaded.quantConfig(), oq.rangeMax(C),
                oq.rescalingRate(C));
        QTensor x = QTensorFiles.read(model("quantized/bn_add/x.npz"));

        assertThat(converted.getConfig()).isEqualTo(loaded.getConfig());
        TensorComparison cmp = TensorComparison.compare(loaded.call(x), converted.call(x));
        assertThat(cmp.matches()).as(cmp.report()).isTrue();
    }

    @Test
    void calibratesToTheRangesQuantizemlStored() throws IOException {
        Map<String, NpyArray> calib = Npz.read(model("calibration.npz"));
        List<QuantizedBatchNormalization> q = KerasModels.loadAllQuantized(model("quantized_model.h5"));
        OutputObserver perAxis = OutputObserver.perAxis(C);
        OutputObserver perTensor = OutputObserver.perTensor();
        for (int b = 0; b < 2; b++) {
            NpyArray add = calib.get("bn_add/batch" + b);
            NpyArray relu = calib.get("bn_relu/batch" + b);
            perAxis = perAxis.observe(Shape.of(add.shape()), add.toFloatArray());
            perTensor = perTensor.observe(Shape.of(relu.shape()), relu.toFloatArray());
        }

        // bn_add is followed by a Conv2D: equalised; bn_relu by a BatchNormalization: not
        OutputQuantizer add = OutputObserver.equalize(8, perAxis.rangeMax()).applyTo(q.get(0).quantConfig()
                .outputQuantizer());
        OutputQuantizer relu = perTensor.applyTo(q.get(1).quantConfig().outputQuantizer());

        assertThat(add.rangeMax(C)).containsExactly(q.get(0).outputQuantizer().rangeMax(C));
        assertThat(add.rescalingRate(C)).containsExactly(q.get(0).outputQuantizer().rescalingRate(C));
        assertThat(relu.rangeMax(C)).containsExactly(q.get(1).outputQuantizer().rangeMax(C));
        assertThat(relu.rescalingRate(C)).containsExactly(q.get(1).outputQuantizer().rescalingRate(C));
    }

    @Test
    void refusesAFloatModelInLoadQuantizedListingNone() {
        assertThatThrownBy(() -> KerasModels.loadQuantized(model("keras2_model.h5"), "bn_add"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a QuantizedBatchNormalization, got a BatchNormalization (use load)")
                .hasMessageContaining("layers are []");
    }

    @Test
    void loadsTheBundledDemoModel() throws IOException, URISyntaxException {
        Path dir = Path.of(KerasModels.class.getResource("/io/github/qbn4j/demo/demo_model.h5").toURI()).getParent();
        QuantizedBatchNormalization bn = KerasModels.loadQuantized(dir.resolve("demo_model.h5"), "bn");

        TensorComparison cmp = TensorComparison.compare(QTensorFiles.read(dir.resolve("demo_output.npz")),
                bn.call(QTensorFiles.read(dir.resolve("demo_input.npz"))));

        assertThat(cmp.matches()).as(cmp.report()).isTrue();
        assertThat(Files.size(dir.resolve("demo_model.h5"))).isLessThan(50_000);
    }

    // ---- corrupt files -------------------------------------------------------------------------

    /** Loads a file the way each fixture is meant to be loaded. */
    private static void loadAsMeant(String fixture, Path file) throws IOException {
        if (fixture.startsWith("quantized")) {
            KerasModels.loadAllQuantized(file);
        } else if (fixture.contains("weights")) {
            KerasModels.loadWeights(file, KerasBatchNormalization.Spec.of("bn_add"));
        } else {
            KerasModels.loadAll(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"keras2_model.h5", "keras2_weights.h5", "keras3_model.keras", "quantized_model.h5"})
    void reportsATruncatedFileAsAFileFormatException(String fixture) throws IOException {
        byte[] bytes = Files.readAllBytes(model(fixture));
        Path cut = tmp.resolve("cut-" + fixture);
        for (int length : new int[] {0, 1, 7, 8, 100, 512, 2048, bytes.length / 3, bytes.length / 2,
            bytes.length - 100, bytes.length - 1}) {
            Files.write(cut, java.util.Arrays.copyOf(bytes, length));

            Throwable t = catchThrowable(() -> loadAsMeant(fixture, cut));

            assertThat(t).as("%s cut to %d bytes", fixture, length).isInstanceOf(FileFormatException.class);
            assertThat(t).hasMessageContaining(cut.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"keras2_model.h5", "keras2_weights.h5", "keras3_model.keras", "quantized_model.h5"})
    void reportsABitFlippedFileAsAFileFormatExceptionOrLoadsIt(String fixture) throws IOException {
        byte[] bytes = Files.readAllBytes(model(fixture));
        SplittableRandom random = Seeds.random(fixture);
        Path flipped = tmp.resolve("flip-" + fixture);
        for (int run = 0; run < 300; run++) {
            byte[] copy = bytes.clone();
            int at = random.nextInt(copy.length);
            int bit = random.nextInt(8);
            copy[at] ^= (byte) (1 << bit);
            Files.write(flipped, copy);

            Throwable t = catchThrowable(() -> loadAsMeant(fixture, flipped));

            // a flip in weight values or padding loads: h5py's superblock-0 files carry no checksums;
            // a flip in a name can leave a well-formed file without the layer asked for, refused with an
            // IllegalArgumentException (the readers' contract, FuzzContract); either names the file
            if (t != null) {
                String what = String.format("%s with bit %d of byte %d flipped (%s): %s", fixture, bit, at,
                        Seeds.describe(fixture), t);
                assertThat(t).as(what).isInstanceOfAny(FileFormatException.class, IllegalArgumentException.class);
                assertThat(t.getMessage()).as(what).contains(flipped.toString());
            }
        }
    }

    @Test
    void leavesNoTemporaryFileBehind() throws IOException {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = listQbn4jTemps(temp);

        KerasModels.loadAll(model("keras3_model.keras"));
        catchThrowable(() -> KerasModels.loadAll(model("keras3_axis1.keras")));

        assertThat(listQbn4jTemps(temp)).isEqualTo(before);
    }

    private static List<Path> listQbn4jTemps(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("qbn4j-")
                    && p.getFileName().toString().endsWith(".weights.h5")).sorted().collect(Collectors.toList());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Test
    void describesALayerShortly() throws IOException {
        KerasBatchNormalization bn = KerasModels.load(model("keras2_model.h5"), "bn_relu");

        assertThat(bn).hasToString("KerasBatchNormalization[path=bn_relu, channels=10, epsilon=0.001, axis=[3], "
                + "center=false, scale=true]");
        assertThat(bn.toQuantized(QuantConfig.defaults()).getConfig().get("axis")).isEqualTo(List.of(3));
    }
}
