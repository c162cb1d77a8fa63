package io.github.qbn4j.io;

import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Reads batch-normalization layers from the files Keras users keep: Keras 2 {@code .h5} models
 * ({@code model.save("m.h5")}), Keras 2 weights-only {@code .h5} files ({@code model.save_weights}),
 * Keras 3 {@code .keras} archives, and {@code .h5} models quantized by quantizeml 0.5.2.
 *
 * <table>
 *   <caption>Where the layers are found</caption>
 *   <tr><th>file</th><th>config</th><th>weights of layer {@code L} (inside top-level layer {@code T})</th></tr>
 *   <tr><td>Keras 2 {@code .h5}</td><td>root attribute {@code model_config} (JSON)</td>
 *       <td>{@code model_weights/T/<entry>}, one per entry of the group's {@code weight_names} attribute,
 *       e.g. {@code model_weights/bn/bn/gamma:0}; nested: {@code model_weights/seq/inner_bn/beta:0}</td></tr>
 *   <tr><td>Keras 2 weights-only {@code .h5}</td><td>none: the caller gives a
 *       {@link KerasBatchNormalization.Spec}</td><td>as above, without the {@code model_weights/} prefix</td></tr>
 *   <tr><td>Keras 3 {@code .keras} (zip)</td><td>{@code config.json}</td>
 *       <td>{@code model.weights.h5}: {@code layers/<snake_case class name>[_k]/vars/0..3}, numbered per
 *       class in layer order; variables in the order gamma, beta, moving mean, moving variance, the
 *       missing ones left out</td></tr>
 *   <tr><td>quantizeml 0.5.2 {@code .h5}</td><td>{@code model_config}, class
 *       {@code Custom>QuantizedBatchNormalization} with {@code quant_config}, {@code epsilon}, {@code axis}</td>
 *       <td>{@code model_weights/L/L/{gamma,beta,moving_mean,moving_variance}:0} and
 *       {@code model_weights/L/L/output_quantizer/{range_max,rescaling_rate}:0}</td></tr>
 * </table>
 *
 * <p>Layers of nested Functional and Sequential models are found too; name them by their name when it
 * is unique, or by their path ({@code seq/inner_bn}). A float layer must normalize its last axis
 * ({@code -1} or {@code rank - 1}); any other axis is refused, since quantizeml would silently
 * normalize the last one. With Keras 2 the input rank is carried through the model graph; where a
 * layer of unknown output rank (a {@code Lambda}, a custom layer) comes first, a non-negative axis
 * cannot be checked and is refused: load such a layer with {@link #loadWeights} and a spec.
 *
 * <p><b>Dependencies.</b> jhdf ({@code io.jhdf:jhdf}) reads HDF5 and Jackson
 * ({@code com.fasterxml.jackson.core:jackson-databind}) reads the JSON configs; both are optional
 * dependencies of qbn4j that a caller of this class must put on the class or module path.
 *
 * <p><b>Errors.</b> A file that is corrupt, truncated, or not what its name says, or that holds a
 * layer qbn4j does not support (another axis, missing or non-float32 weights, non-finite values, an
 * invalid {@code quant_config}) raises {@link FileFormatException} naming the file. A request the
 * file cannot satisfy (no layer of that name, a layer of another class) raises
 * {@link IllegalArgumentException} listing the batch-normalization layers the file has.
 * Nothing is allocated from a size the file declares before it is checked: parameter vectors hold at
 * most 2^24 floats, a {@code .keras} archive's JSON at most 64 MiB, its weights at most 8 GiB, and a
 * compressed entry at most 100 times its compressed size (or 16 MiB).
 *
 * <pre>{@code
 * List<KerasBatchNormalization> all = KerasModels.loadAll(Path.of("model.keras"));
 * KerasBatchNormalization bn = KerasModels.load(Path.of("model.h5"), "bn_add");
 * QuantizedBatchNormalization q = KerasModels.loadQuantized(Path.of("quantized.h5"), "bn_add");
 * QTensor y = q.call(x);   // what quantizeml's layer returns for x
 * }</pre>
 *
 * <p>This class has no state and is thread-safe.
 */
public final class KerasModels {

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};
    private static final Set<String> FLOAT_BN = Set.of("BatchNormalization", "BatchNormalizationV1",
            "BatchNormalizationV2", "SyncBatchNormalization");
    private static final String QUANTIZED_BN = "QuantizedBatchNormalization";
    private static final String MODEL_WEIGHTS = "model_weights";

    private KerasModels() {
    }

    /**
     * Reads every float {@code BatchNormalization} layer of a Keras 2 {@code .h5} model or a Keras 3
     * {@code .keras} archive, nested models included, in config order (depth first).
     *
     * @param file the model file
     * @return the layers, possibly none
     * @throws FileFormatException if the file is corrupt or not a Keras model, or a layer is not
     *     supported (an axis other than the last, missing or non-float32 weights, non-finite values)
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if jhdf or Jackson is not available
     */
    public static List<KerasBatchNormalization> loadAll(Path file) throws IOException {
        return loadAll(file, KerasArchive.MAX_WEIGHTS_BYTES);
    }

    /** {@link #loadAll(Path)} with a configurable cap on a {@code .keras} archive's weights. */
    static List<KerasBatchNormalization> loadAll(Path file, long maxWeightsBytes) throws IOException {
        return loadEvery(file, maxWeightsBytes, KerasModels::isFloatBn, Model::floatBn);
    }

    /** What reads one layer of an open model. */
    private interface LayerReader<T> {
        T read(Model model, KerasConfig.Layer layer) throws FileFormatException;
    }

    /** Every layer of {@code kind}, read by {@code reader}, in config order. */
    private static <T> List<T> loadEvery(Path file, long maxWeightsBytes, Predicate<KerasConfig.Layer> kind,
            LayerReader<T> reader) throws IOException {
        try (Model m = Model.open(file, maxWeightsBytes)) {
            List<T> result = new ArrayList<>();
            for (KerasConfig.Layer layer : m.layers) {
                if (kind.test(layer)) {
                    result.add(reader.read(m, layer));
                }
            }
            return List.copyOf(result);
        }
    }

    /**
     * Reads one float {@code BatchNormalization} layer of a Keras 2 {@code .h5} model or a Keras 3
     * {@code .keras} archive.
     *
     * @param file the model file
     * @param layer the layer name, or its path ({@code seq/inner_bn}) inside nested models
     * @return the layer
     * @throws FileFormatException if the file is corrupt or not a Keras model (a weights-only file
     *     included: use {@link #loadWeights}), or the layer is not supported (an axis other than the
     *     last, missing or non-float32 weights, non-finite values)
     * @throws IllegalArgumentException if the file has no such layer, several (nested models may
     *     repeat a name: give the path), or it is not a {@code BatchNormalization}
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if jhdf or Jackson is not available
     */
    public static KerasBatchNormalization load(Path file, String layer) throws IOException {
        Objects.requireNonNull(layer, "layer");
        try (Model m = Model.open(file, KerasArchive.MAX_WEIGHTS_BYTES)) {
            return m.floatBn(m.find(layer, KerasModels::isFloatBn, "BatchNormalization"));
        }
    }

    /**
     * Reads one {@code BatchNormalization} layer from a Keras 2 weights-only {@code .h5} file
     * ({@code model.save_weights("w.h5")}), or from the weights of a Keras 2 {@code .h5} model while
     * ignoring its config. The file does not say what the layer is, so the caller does.
     *
     * @param file the weights file
     * @param spec the layer's name, epsilon, axis, and whether it has gamma and beta
     * @return the layer
     * @throws FileFormatException if the file is corrupt or not a Keras 2 weights file, or the
     *     weights the spec calls for are missing, not float32 or not finite
     * @throws IllegalArgumentException if the file has no weights for that layer
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if jhdf is not available
     */
    public static KerasBatchNormalization loadWeights(Path file, KerasBatchNormalization.Spec spec)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(spec, "spec");
        OptionalDependency.JHDF.require("a Keras file");
        String source = file.toString();
        if (sniff(file) != Kind.HDF5) {
            throw new FileFormatException(source, 0, "a Keras 2 weights file must be HDF5"
                    + (sniff(file) == Kind.ZIP ? " (a .keras archive holds its config: use load)" : ""));
        }
        try (KerasH5 h5 = KerasH5.open(file, source)) {
            String root;
            if (h5.isGroup(MODEL_WEIGHTS)) {
                root = MODEL_WEIGHTS;
            } else if (h5.hasAttribute("/", "layer_names")) {
                root = "";
            } else if (h5.isGroup("layers")) {
                throw new FileFormatException(source, -1, "Keras 3 weights files are not supported: load the .keras archive");
            } else {
                throw new FileFormatException(source, -1, "not a Keras weights file: it has neither a 'layer_names' "
                        + "attribute nor a 'model_weights' group");
            }
            String name = spec.name();
            String group;
            int slash = name.lastIndexOf('/');
            String layerName = slash < 0 ? name : name.substring(slash + 1);
            if (slash >= 0) {
                group = name.substring(0, name.indexOf('/'));
            } else {
                group = keras2GroupOf(h5, root, layerName);
            }
            KerasConfig.Layer layer = KerasConfig.Layer.weightsOnly("BatchNormalization", layerName,
                    group.equals(layerName) ? List.of(layerName) : List.of(group, layerName), group);
            Model m = new Model(source, h5, null, KerasConfig.Format.KERAS2, root, List.of(layer));
            float[][] v = m.keras2Variables(layer, spec.scale(), spec.center());
            return m.describe(layer, spec.epsilon(), List.of(spec.axis()), false, v);
        }
    }

    /** The top-level weights group holding a layer's weights: its own, or a nested model's. */
    private static String keras2GroupOf(KerasH5 h5, String root, String layerName) throws FileFormatException {
        List<String> groups = h5.stringListAttribute(root.isEmpty() ? "/" : root, "layer_names");
        if (groups == null) {
            throw new FileFormatException(h5.source(), -1, "the weights root has no 'layer_names' attribute");
        }
        if (groups.contains(layerName)) {
            return layerName;
        }
        List<String> holders = new ArrayList<>();
        List<String> withWeights = new ArrayList<>();
        for (String g : groups) {
            List<String> names = h5.stringListAttribute(prefix(root) + g, "weight_names");
            if (names == null || names.isEmpty()) {
                continue;
            }
            withWeights.add(g);
            if (names.stream().anyMatch(e -> matches(e, layerName, "moving_mean"))) {
                holders.add(g);
            }
        }
        if (holders.isEmpty()) {
            throw new IllegalArgumentException("layer \"" + layerName + "\" must have weights in " + h5.source()
                    + ", got none; layers with weights: " + withWeights);
        }
        if (holders.size() > 1) {
            throw new FileFormatException(h5.source(), -1, "layer \"" + layerName + "\" has weights in several groups "
                    + holders + ": give the path, e.g. \"" + holders.get(0) + "/" + layerName + "\"");
        }
        return holders.get(0);
    }

    /**
     * Reads every {@code QuantizedBatchNormalization} layer of a model saved by quantizeml 0.5.2
     * ({@code model.save("q.h5")}), in config order.
     *
     * @param file the quantized model
     * @return the layers, each identical to quantizeml's (variables, quantization config, calibrated
     *     output-quantizer variables, epsilon, axis)
     * @throws FileFormatException if the file is corrupt or not a Keras 2 model, or a layer's
     *     {@code quant_config} or weights are missing or invalid
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if jhdf or Jackson is not available
     */
    public static List<QuantizedBatchNormalization> loadAllQuantized(Path file) throws IOException {
        return loadEvery(file, KerasArchive.MAX_WEIGHTS_BYTES, KerasModels::isQuantizedBn, Model::quantizedBn);
    }

    /**
     * Reads one {@code QuantizedBatchNormalization} layer of a model saved by quantizeml 0.5.2.
     *
     * @param file the quantized model ({@code .h5})
     * @param layer the layer name, or its path inside nested models
     * @return a layer identical to quantizeml's: {@link QuantizedBatchNormalization#call} gives the
     *     outputs the loaded Keras layer gives
     * @throws FileFormatException if the file is corrupt or not a Keras model, or the layer's
     *     {@code quant_config} or weights are missing or invalid
     * @throws IllegalArgumentException if the file has no such layer, several, or it is not a
     *     {@code QuantizedBatchNormalization}
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if jhdf or Jackson is not available
     */
    public static QuantizedBatchNormalization loadQuantized(Path file, String layer) throws IOException {
        Objects.requireNonNull(layer, "layer");
        try (Model m = Model.open(file, KerasArchive.MAX_WEIGHTS_BYTES)) {
            return m.quantizedBn(m.find(layer, KerasModels::isQuantizedBn, QUANTIZED_BN));
        }
    }

    private static boolean isFloatBn(KerasConfig.Layer layer) {
        return FLOAT_BN.contains(layer.simpleClassName());
    }

    private static boolean isQuantizedBn(KerasConfig.Layer layer) {
        return layer.simpleClassName().equals(QUANTIZED_BN);
    }

    private enum Kind { HDF5, ZIP, OTHER }

    /** Tells an HDF5 file (signature at 0, 512, 1024 or 2048, after a user block) from a zip archive. */
    private static Kind sniff(Path file) throws IOException {
        ReadLimits.requireRegularFile(file);
        byte[] head = new byte[2048 + HDF5_SIGNATURE.length];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
                n += r;
            }
        }
        if (startsWith(head, n, 0, ZIP_SIGNATURE)) {
            return Kind.ZIP;
        }
        for (int at : new int[] {0, 512, 1024, 2048}) {
            if (startsWith(head, n, at, HDF5_SIGNATURE)) {
                return Kind.HDF5;
            }
        }
        return Kind.OTHER;
    }

    private static boolean startsWith(byte[] head, int n, int at, byte[] signature) {
        return n >= at + signature.length
                && Arrays.equals(head, at, at + signature.length, signature, 0, signature.length);
    }

    private static String prefix(String root) {
        return root.isEmpty() ? "" : root + "/";
    }

    /** Whether a {@code weight_names} entry names variable {@code variable} of layer {@code layer}. */
    private static boolean matches(String entry, String layer, String variable) {
        String e = entry.replaceFirst(":\\d+$", "");
        String want = layer + "/" + variable;
        return e.equals(want) || e.endsWith("/" + want);
    }

    /** An open model file: its layers and its weights. Not thread-safe. */
    private static final class Model implements AutoCloseable {
        final String source;
        final KerasH5 h5;
        final KerasArchive archive;
        final KerasConfig.Format format;
        final String weightsRoot;
        final List<KerasConfig.Layer> layers;

        Model(String source, KerasH5 h5, KerasArchive archive, KerasConfig.Format format, String weightsRoot,
                List<KerasConfig.Layer> layers) {
            this.source = source;
            this.h5 = h5;
            this.archive = archive;
            this.format = format;
            this.weightsRoot = weightsRoot;
            this.layers = layers;
        }

        static Model open(Path file, long maxWeightsBytes) throws IOException {
            Objects.requireNonNull(file, "file");
            OptionalDependency.JHDF.require("a Keras file");
            OptionalDependency.JACKSON.require("a Keras file");
            String source = file.toString();
            Kind kind = sniff(file);
            if (kind == Kind.ZIP) {
                KerasArchive archive = KerasArchive.open(file, maxWeightsBytes);
                KerasH5 h5 = null;
                try {
                    h5 = archive.weightsBuffer() != null
                            ? KerasH5.open(archive.weightsBuffer(), source + "!/" + KerasArchive.WEIGHTS)
                            : KerasH5.open(archive.weights(), source + "!/" + KerasArchive.WEIGHTS);
                    Object json = LayerJson.parse(source + "!/" + KerasArchive.CONFIG, archive.config());
                    List<KerasConfig.Layer> layers = KerasConfig.layers(source + "!/" + KerasArchive.CONFIG, json,
                            KerasConfig.Format.KERAS3);
                    return new Model(source, h5, archive, KerasConfig.Format.KERAS3, "", layers);
                } catch (IOException | RuntimeException e) {
                    closeQuietly(h5, archive, e);
                    throw e;
                }
            }
            if (kind != Kind.HDF5) {
                throw new FileFormatException(source, 0, "a Keras model must be an HDF5 file or a .keras (zip) "
                        + "archive, got neither");
            }
            KerasH5 h5 = KerasH5.open(file, source);
            try {
                String config = h5.stringAttribute("/", "model_config");
                if (config == null) {
                    throw new FileFormatException(source, -1, "the file must have a 'model_config' attribute, got none"
                            + (h5.hasAttribute("/", "layer_names") ? ": it holds weights only, use loadWeights with a Spec"
                            : ": it is not a Keras model"));
                }
                if (!h5.isGroup(MODEL_WEIGHTS)) {
                    throw new FileFormatException(source, -1, "the model must have a '" + MODEL_WEIGHTS + "' group, got "
                            + "none (saved without weights?)");
                }
                Object json = LayerJson.parse(source + " (model_config)",
                        config.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                List<KerasConfig.Layer> layers = KerasConfig.layers(source + " (model_config)", json,
                        KerasConfig.Format.KERAS2);
                return new Model(source, h5, null, KerasConfig.Format.KERAS2, MODEL_WEIGHTS, layers);
            } catch (IOException | RuntimeException e) {
                closeQuietly(h5, null, e);
                throw e;
            }
        }

        private static void closeQuietly(KerasH5 h5, KerasArchive archive, Exception primary) {
            for (AutoCloseable c : new AutoCloseable[] {h5, archive}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        primary.addSuppressed(e);
                    }
                }
            }
        }

        /** The layer a caller asked for, by path or by unique name, of the wanted kind. */
        KerasConfig.Layer find(String requested, Predicate<KerasConfig.Layer> kind, String kindName) {
            List<KerasConfig.Layer> hits = layers.stream().filter(l -> l.pathString().equals(requested))
                    .collect(Collectors.toList());
            if (hits.isEmpty()) {
                hits = layers.stream().filter(l -> l.name.equals(requested)).collect(Collectors.toList());
            }
            List<String> available = layers.stream().filter(kind).map(KerasConfig.Layer::pathString)
                    .collect(Collectors.toList());
            if (hits.isEmpty()) {
                throw new IllegalArgumentException("layer \"" + requested + "\" must exist in " + source
                        + ", got none; its " + kindName + " layers are " + available);
            }
            if (hits.size() > 1) {
                throw new IllegalArgumentException("layer name \"" + requested + "\" must be unique in " + source
                        + ", got " + hits.size() + " layers: give one of the paths "
                        + hits.stream().map(KerasConfig.Layer::pathString).collect(Collectors.toList()));
            }
            KerasConfig.Layer hit = hits.get(0);
            if (!kind.test(hit)) {
                String hint = isQuantizedBn(hit) ? " (use loadQuantized)" : isFloatBn(hit) ? " (use load)" : "";
                throw new IllegalArgumentException("layer \"" + requested + "\" must be a " + kindName + ", got a "
                        + hit.simpleClassName() + hint + " in " + source + "; its " + kindName + " layers are "
                        + available);
            }
            return hit;
        }

        /** Reads a float BatchNormalization layer. */
        KerasBatchNormalization floatBn(KerasConfig.Layer layer) throws FileFormatException {
            Map<String, Object> c = layer.config;
            boolean center = bool(layer, "center", true);
            boolean scale = bool(layer, "scale", true);
            double epsilon = number(layer, "epsilon", 1e-3);
            Object axisValue = c.containsKey("axis") ? c.get("axis") : -1;
            List<Integer> axis = axis(layer, axisValue);
            checkLastAxis(layer, axis, axisValue);
            float[][] v = format == KerasConfig.Format.KERAS3 ? keras3Variables(layer, scale, center)
                    : keras2Variables(layer, scale, center);
            return describe(layer, epsilon, axis, axisValue instanceof List, v);
        }

        KerasBatchNormalization describe(KerasConfig.Layer layer, double epsilon, List<Integer> axis,
                boolean axisIsList, float[][] v) throws FileFormatException {
            checkVectors(layer, v);
            return KerasBatchNormalization.of(layer.name, layer.pathString(), epsilon, axis, axisIsList,
                    v[0], v[1], v[2], v[3]);
        }

        private void checkLastAxis(KerasConfig.Layer layer, List<Integer> axis, Object axisValue)
                throws FileFormatException {
            String where = " (layer \"" + layer.pathString() + "\")";
            if (axis.size() != 1) {
                throw new FileFormatException(source, -1, "axis must be the last axis, got " + axisValue + where);
            }
            int a = axis.get(0);
            if (a == -1) {
                return;
            }
            if (layer.inputRank == null) {
                throw new FileFormatException(source, -1, "axis must be the last axis, got " + axisValue
                        + ", which cannot be checked: the input rank is unknown because " + layer.rankUnknownBecause
                        + where + "; load it with loadWeights and a Spec");
            }
            if (a != layer.inputRank - 1) {
                throw new FileFormatException(source, -1, "axis must be the last axis (-1 or " + (layer.inputRank - 1)
                        + " for rank-" + layer.inputRank + " inputs), got " + axisValue + where);
            }
        }

        private List<Integer> axis(KerasConfig.Layer layer, Object value) throws FileFormatException {
            List<Integer> axes = new ArrayList<>();
            if (value instanceof Integer) {
                axes.add((Integer) value);
            } else if (io.github.qbn4j.internal.Checks.isJsonInteger(value)) {
                throw new FileFormatException(source, -1, "axis must be an integer in [" + Integer.MIN_VALUE
                        + ", " + Integer.MAX_VALUE + "], got " + value + " (layer \"" + layer.pathString() + "\")");
            } else if (value instanceof List && !((List<?>) value).isEmpty()) {
                for (Object o : (List<?>) value) {
                    if (!(o instanceof Integer) && io.github.qbn4j.internal.Checks.isJsonInteger(o)) {
                        throw new FileFormatException(source, -1, "axis must be an integer in [" + Integer.MIN_VALUE
                                + ", " + Integer.MAX_VALUE + "], got " + o + " (layer \"" + layer.pathString() + "\")");
                    }
                    if (!(o instanceof Integer)) {
                        throw new FileFormatException(source, -1, "axis must be an int or a list of ints, got " + value
                                + " (layer \"" + layer.pathString() + "\")");
                    }
                    axes.add((Integer) o);
                }
            } else {
                throw new FileFormatException(source, -1, "axis must be an int or a list of ints, got "
                        + KerasConfig.kind(value) + " (layer \"" + layer.pathString() + "\")");
            }
            return axes;
        }

        private boolean bool(KerasConfig.Layer layer, String key, boolean dflt) throws FileFormatException {
            Object o = layer.config.get(key);
            if (o == null) {
                return dflt;
            }
            if (!(o instanceof Boolean)) {
                throw new FileFormatException(source, -1, key + " must be a boolean, got " + KerasConfig.kind(o)
                        + " (layer \"" + layer.pathString() + "\")");
            }
            return (Boolean) o;
        }

        private double number(KerasConfig.Layer layer, String key, double dflt) throws FileFormatException {
            Object o = layer.config.get(key);
            if (o == null) {
                return dflt;
            }
            if (!(o instanceof Number) || !Double.isFinite(((Number) o).doubleValue())) {
                throw new FileFormatException(source, -1, key + " must be a finite number, got " + KerasConfig.kind(o)
                        + " (layer \"" + layer.pathString() + "\")");
            }
            return ((Number) o).doubleValue();
        }

        /** gamma, beta, moving mean, moving variance (null where the layer has none), by name. */
        float[][] keras2Variables(KerasConfig.Layer layer, boolean scale, boolean center) throws FileFormatException {
            return new float[][] {
                scale ? keras2Variable(layer, "gamma", false) : null,
                center ? keras2Variable(layer, "beta", false) : null,
                keras2Variable(layer, "moving_mean", false),
                keras2Variable(layer, "moving_variance", false)};
        }

        float[] keras2Variable(KerasConfig.Layer layer, String variable, boolean rank0) throws FileFormatException {
            String group = prefix(weightsRoot) + layer.keras2Group;
            List<String> names = h5.stringListAttribute(group, "weight_names");
            if (names == null) {
                throw new FileFormatException(source, -1, "the weights of layer \"" + layer.pathString()
                        + "\" must be in group '" + group + "' with a 'weight_names' attribute, got "
                        + (h5.isGroup(group) ? "a group without one" : "no such group"));
            }
            List<String> hits = names.stream().filter(e -> matches(e, layer.name, variable)).collect(Collectors.toList());
            if (hits.size() != 1) {
                throw new FileFormatException(source, -1, "layer \"" + layer.pathString() + "\" must have one '" + variable
                        + "' weight in group '" + group + "', got " + hits.size() + "; weight_names: " + names);
            }
            return h5.floatVector(group + "/" + hits.get(0), rank0);
        }

        /** gamma, beta, moving mean, moving variance of a Keras 3 layer, by position. */
        float[][] keras3Variables(KerasConfig.Layer layer, boolean scale, boolean center) throws FileFormatException {
            String vars = layer.keras3Path + "/vars";
            int count = (scale ? 1 : 0) + (center ? 1 : 0) + 2;
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add(Integer.toString(i));
            }
            List<String> actual = h5.children(vars);
            if (!h5.isGroup(vars) || !new java.util.HashSet<>(actual).equals(new java.util.HashSet<>(expected))) {
                throw new FileFormatException(source, -1, "layer \"" + layer.pathString() + "\" must have variables "
                        + expected + " in '" + vars + "' (center=" + center + ", scale=" + scale + "), got "
                        + (h5.isGroup(vars) ? actual : "no such group"));
            }
            String savedName = h5.stringAttribute(vars, "name");
            if (savedName != null && !savedName.equals(layer.name)) {
                throw new FileFormatException(source, -1, "'" + vars + "' must hold the weights of layer \""
                        + layer.name + "\", got those of \"" + savedName + "\"");
            }
            int i = 0;
            float[] gamma = scale ? h5.floatVector(vars + "/" + i++, false) : null;
            float[] beta = center ? h5.floatVector(vars + "/" + i++, false) : null;
            float[] mean = h5.floatVector(vars + "/" + i++, false);
            float[] variance = h5.floatVector(vars + "/" + i, false);
            return new float[][] {gamma, beta, mean, variance};
        }

        private void checkVectors(KerasConfig.Layer layer, float[][] v) throws FileFormatException {
            String[] names = {"gamma", "beta", "moving_mean", "moving_variance"};
            int channels = v[2].length;
            for (int i = 0; i < v.length; i++) {
                if (v[i] == null) {
                    continue;
                }
                if (v[i].length != channels) {
                    throw new FileFormatException(source, -1, names[i] + " must have " + channels + " elements (as "
                            + "moving_mean), got " + v[i].length + " (layer \"" + layer.pathString() + "\")");
                }
                for (int c = 0; c < channels; c++) {
                    if (!Float.isFinite(v[i][c])) {
                        throw new FileFormatException(source, -1, names[i] + " must be finite, got " + v[i][c]
                                + " at index " + c + " (layer \"" + layer.pathString() + "\")");
                    }
                }
            }
        }

        /** Reads a quantizeml QuantizedBatchNormalization layer into an identical qbn4j layer. */
        QuantizedBatchNormalization quantizedBn(KerasConfig.Layer layer) throws FileFormatException {
            if (format != KerasConfig.Format.KERAS2) {
                throw new FileFormatException(source, -1, "quantizeml 0.5.2 models are Keras 2 .h5 files, got a "
                        + ".keras archive");
            }
            String where = " (layer \"" + layer.pathString() + "\")";
            Object qc = layer.config.get("quant_config");
            if (qc != null && !(qc instanceof Map)) {
                throw new FileFormatException(source, -1, "quant_config must be an object, got " + KerasConfig.kind(qc)
                        + where);
            }
            QuantConfig quantConfig;
            try {
                @SuppressWarnings("unchecked")
                Map<String, ?> map = (Map<String, ?>) qc;
                quantConfig = QuantConfig.fromMap(map);
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(source, -1, "quant_config is invalid: " + e.getMessage() + where, e);
            }
            double epsilon = number(layer, "epsilon", QuantizedBatchNormalization.DEFAULT_EPSILON);
            Object axisValue = layer.config.containsKey("axis") ? layer.config.get("axis") : -1;
            List<Integer> axis = axis(layer, axisValue);
            float[][] v = {keras2Variable(layer, "gamma", false), keras2Variable(layer, "beta", false),
                keras2Variable(layer, "moving_mean", false), keras2Variable(layer, "moving_variance", false)};
            checkVectors(layer, v);
            QuantizedBatchNormalization.Builder b = QuantizedBatchNormalization.builder()
                    .name(layer.name).quantConfig(quantConfig).epsilon(epsilon)
                    .gamma(v[0]).beta(v[1]).movingMean(v[2]).movingVariance(v[3]);
            if (axisValue instanceof List) {
                b.axes(axis.stream().mapToInt(Integer::intValue).toArray());
            } else {
                b.axis(axis.get(0));
            }
            if (quantConfig.outputQuantizer() != null) {
                b.rangeMax(keras2Variable(layer, "output_quantizer/range_max", true));
                b.rescalingRate(keras2Variable(layer, "output_quantizer/rescaling_rate", true));
            }
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(source, -1, "the layer's parameters are invalid: " + e.getMessage() + where, e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                h5.close();
            } finally {
                if (archive != null) {
                    archive.close();
                }
            }
        }
    }
}
