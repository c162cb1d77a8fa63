package io.github.qbn4j.io;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The layers of a Keras model config ({@code model_config} of a Keras 2 {@code .h5},
 * {@code config.json} of a Keras 3 {@code .keras}), nested Functional and Sequential models
 * included, each with where its weights are stored and, where it can be known, its input rank.
 *
 * <p>Keras 3 writes each layer's input shape ({@code build_config}). Keras 2 writes only the model's
 * input shapes, so the rank is carried through the graph with a table of layer classes that keep
 * or change it; after a class outside the table (a {@code Lambda}, a custom layer) it is unknown.
 */
final class KerasConfig {

    /** Which Keras wrote the config. */
    enum Format {
        /** Keras 2 (tf.keras up to TensorFlow 2.15): {@code .h5} with {@code model_config}. */
        KERAS2,
        /** Keras 3: {@code .keras} archives. */
        KERAS3
    }

    /** One layer, wherever it sits in the nesting. */
    static final class Layer {
        final String className;
        final String name;
        final List<String> path;
        final Map<String, Object> config;
        final Integer inputRank;
        final String rankUnknownBecause;
        /** Keras 2: the root-model layer whose weights group holds this layer's weights. */
        final String keras2Group;
        /** Keras 3: the group of this layer in {@code model.weights.h5}, e.g. {@code layers/batch_normalization}. */
        final String keras3Path;

        Layer(String className, String name, List<String> path, Map<String, Object> config, Rank inputRank,
                String keras2Group, String keras3Path) {
            this.className = className;
            this.name = name;
            this.path = List.copyOf(path);
            this.config = config;
            this.inputRank = inputRank.value;
            this.rankUnknownBecause = inputRank.unknownBecause;
            this.keras2Group = keras2Group;
            this.keras3Path = keras3Path;
        }

        /** A layer known only from a weights file: rank unknown, weights in a Keras 2 group. */
        static Layer weightsOnly(String className, String name, List<String> path, String keras2Group) {
            return new Layer(className, name, path, Map.of(), Rank.unknown("the file has no config"), keras2Group, null);
        }

        /** The class name without a registration prefix such as {@code Custom>}. */
        String simpleClassName() {
            return simple(className);
        }

        /** The nesting path, e.g. {@code seq/inner_bn}. */
        String pathString() {
            return String.join("/", path);
        }
    }

    /** A rank, or why it is unknown. */
    private static final class Rank {
        final Integer value;
        final String unknownBecause;

        private Rank(Integer value, String unknownBecause) {
            this.value = value;
            this.unknownBecause = unknownBecause;
        }

        static Rank of(int value) {
            return new Rank(value, null);
        }

        static Rank unknown(String because) {
            return new Rank(null, because);
        }
    }

    private static final Set<String> MODELS = Set.of("Functional", "Model", "Sequential");

    /** Keras 2 layer classes whose output has the rank of their (first) input. */
    private static final Set<String> SAME_RANK = Set.of(
            "BatchNormalization", "BatchNormalizationV1", "BatchNormalizationV2", "SyncBatchNormalization",
            "LayerNormalization", "UnitNormalization", "GroupNormalization", "Normalization", "Rescaling",
            "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax", "Activation",
            "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
            "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Masking",
            "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
            "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Convolution2DTranspose",
            "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D", "Dense",
            "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D",
            "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
            "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
            "UpSampling1D", "UpSampling2D", "UpSampling3D", "Resizing", "CenterCrop", "Permute",
            "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
            // quantizeml 0.5.2's layers
            "QuantizedBatchNormalization", "QuantizedConv2D", "QuantizedDepthwiseConv2D",
            "QuantizedSeparableConv2D", "QuantizedConv2DTranspose", "QuantizedDepthwiseConv2DTranspose",
            "QuantizedDense", "QuantizedReLU", "QuantizedAdd", "QuantizedConcatenate", "QuantizedMaxPool2D",
            "QuantizedRescaling", "QuantizedDropout", "PaddedConv2D", "Dequantizer");

    /** Keras 2 layer classes with a rank-2 output (unless {@code keepdims}). */
    private static final Set<String> TO_RANK_2 = Set.of(
            "Flatten", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
            "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
            "GlobalMaxPooling3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D",
            "QuantizedGlobalAveragePooling2D");

    private final String source;
    private final List<Layer> layers = new ArrayList<>();

    private KerasConfig(String source) {
        this.source = source;
    }

    /**
     * Lists the layers of a model config, depth first in config order.
     *
     * @param source the file name for messages
     * @param json the parsed config
     * @param format which Keras wrote it
     */
    static List<Layer> layers(String source, Object json, Format format) throws FileFormatException {
        KerasConfig c = new KerasConfig(source);
        Map<String, Object> model = c.map(json, "the model config");
        String cls = c.string(model, "class_name", "the model config");
        if (!MODELS.contains(cls)) {
            throw new FileFormatException(source, -1, "the model must be a Functional or Sequential model, got "
                    + cls + " (a subclassed model has no layer list)");
        }
        if (format == Format.KERAS2) {
            c.keras2Model(model, List.of(), null, Rank.unknown("the model has no input shape"));
        } else {
            c.keras3Model(model, List.of(), "");
        }
        return List.copyOf(c.layers);
    }

    static String simple(String className) {
        int i = className.lastIndexOf('>');
        return i < 0 ? className : className.substring(i + 1);
    }

    /** Keras 3's {@code naming.to_snake_case}, used for the groups of {@code model.weights.h5}. */
    static String snakeCase(String name) {
        String s = name.replaceAll("\\W+", "");
        s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    // ---- Keras 2 -------------------------------------------------------------------------------

    /** Walks a Functional or Sequential config; returns the ranks of its outputs. */
    private List<Rank> keras2Model(Map<String, Object> model, List<String> prefix, String group, Rank outerInput)
            throws FileFormatException {
        String cls = simple(string(model, "class_name", "a model config"));
        Map<String, Object> config = map(model.get("config"), "the config of a " + cls);
        List<Object> entries = list(config.get("layers"), "the layers of a " + cls);
        if (cls.equals("Sequential")) {
            Rank rank = outerInput;
            for (Object o : entries) {
                Map<String, Object> entry = map(o, "a layer of a Sequential");
                Map<String, Object> lc = map(entry.get("config"), "a layer config");
                String lcls = string(entry, "class_name", "a layer of a Sequential");
                Rank declared = declaredRank(lc, "batch_input_shape");
                if (declared != null) {
                    rank = declared;
                }
                String name = string(lc, "name", "a layer config");
                List<Rank> out = keras2Layer(entry, lcls, name, lc, prefix, group, rank);
                rank = out.isEmpty() ? Rank.unknown("layer \"" + name + "\" has no output") : out.get(0);
            }
            return List.of(rank);
        }
        Map<String, List<Rank>> outputs = new HashMap<>();
        for (Object o : entries) {
            Map<String, Object> entry = map(o, "a layer of a " + cls);
            Map<String, Object> lc = map(entry.get("config"), "a layer config");
            String lcls = string(entry, "class_name", "a layer of a " + cls);
            String name = entry.get("name") instanceof String ? (String) entry.get("name") : string(lc, "name", "a layer config");
            Rank input = keras2Inbound(entry.get("inbound_nodes"), outputs, name);
            outputs.put(name, keras2Layer(entry, lcls, name, lc, prefix, group, input));
        }
        List<Rank> result = new ArrayList<>();
        Object outs = config.get("output_layers");
        if (outs instanceof List) {
            for (Object o : (List<?>) outs) {
                result.add(tensorRank(o, outputs));
            }
        }
        return result;
    }

    private List<Rank> keras2Layer(Map<String, Object> entry, String cls, String name, Map<String, Object> lc,
            List<String> prefix, String group, Rank input) throws FileFormatException {
        List<String> path = new ArrayList<>(prefix);
        path.add(name);
        String weightsGroup = group == null ? name : group;
        if (MODELS.contains(simple(cls))) {
            return keras2Model(entry, path, weightsGroup, input);
        }
        if (simple(cls).equals("InputLayer")) {
            Rank declared = declaredRank(lc, "batch_input_shape");
            input = declared != null ? declared : Rank.unknown("input layer \"" + name + "\" has no shape");
            layers.add(new Layer(cls, name, path, lc, input, weightsGroup, null));
            return List.of(input);
        }
        layers.add(new Layer(cls, name, path, lc, input, weightsGroup, null));
        return List.of(outputRank(simple(cls), name, lc, input));
    }

    /** The rank of the first tensor a Keras 2 layer receives. */
    private static Rank keras2Inbound(Object inbound, Map<String, List<Rank>> outputs, String name) {
        if (!(inbound instanceof List) || ((List<?>) inbound).isEmpty()) {
            return Rank.unknown("layer \"" + name + "\" has no inbound layer");
        }
        Object node = ((List<?>) inbound).get(0);
        if (!(node instanceof List) || ((List<?>) node).isEmpty()) {
            return Rank.unknown("the inbound node of layer \"" + name + "\" cannot be read");
        }
        return tensorRank(((List<?>) node).get(0), outputs);
    }

    /** The rank of a {@code [layer_name, node_index, tensor_index, ...]} reference. */
    private static Rank tensorRank(Object ref, Map<String, List<Rank>> outputs) {
        if (ref instanceof List && ((List<?>) ref).size() >= 3 && ((List<?>) ref).get(0) instanceof String
                && ((List<?>) ref).get(2) instanceof Integer) {
            String from = (String) ((List<?>) ref).get(0);
            int tensor = ((Number) ((List<?>) ref).get(2)).intValue();
            List<Rank> ranks = outputs.get(from);
            if (ranks != null && tensor >= 0 && tensor < ranks.size()) {
                return ranks.get(tensor);
            }
            return Rank.unknown("the rank of the outputs of layer \"" + from + "\" is unknown");
        }
        return Rank.unknown("an inbound tensor reference cannot be read");
    }

    private static Rank declaredRank(Map<String, Object> lc, String key) {
        Object shape = lc.get(key);
        return shape instanceof List ? Rank.of(((List<?>) shape).size()) : null;
    }

    /** The output rank of a Keras 2 layer of a given class. */
    private static Rank outputRank(String cls, String name, Map<String, Object> lc, Rank input) {
        if (input.value == null) {
            return input;
        }
        if (SAME_RANK.contains(cls)) {
            return input;
        }
        if (TO_RANK_2.contains(cls)) {
            return Boolean.TRUE.equals(lc.get("keepdims")) ? input : Rank.of(2);
        }
        if (cls.equals("Reshape") && lc.get("target_shape") instanceof List) {
            return Rank.of(((List<?>) lc.get("target_shape")).size() + 1);
        }
        if (cls.equals("RepeatVector")) {
            return Rank.of(3);
        }
        return Rank.unknown("it follows layer \"" + name + "\" (" + cls + "), whose output rank qbn4j cannot tell");
    }

    // ---- Keras 3 -------------------------------------------------------------------------------

    private void keras3Model(Map<String, Object> model, List<String> prefix, String h5Prefix)
            throws FileFormatException {
        String cls = simple(string(model, "class_name", "a model config"));
        Map<String, Object> config = map(model.get("config"), "the config of a " + cls);
        List<Object> entries = list(config.get("layers"), "the layers of a " + cls);
        boolean sequential = cls.equals("Sequential");
        Map<String, Integer> used = new HashMap<>();
        for (Object o : entries) {
            Map<String, Object> entry = map(o, "a layer of a " + cls);
            Map<String, Object> lc = map(entry.get("config"), "a layer config");
            String lcls = string(entry, "class_name", "a layer of a " + cls);
            String name = string(lc, "name", "a layer config");
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            // Sequential.layers leaves out its InputLayer; Functional.layers keeps it
            String h5 = null;
            if (!(sequential && simple(lcls).equals("InputLayer"))) {
                h5 = h5Prefix + "layers/" + uniqueName(snakeCase(simple(lcls)), used);
            }
            if (MODELS.contains(simple(lcls))) {
                keras3Model(entry, path, h5 + "/");
            } else {
                layers.add(new Layer(lcls, name, path, lc, keras3InputRank(entry, name), null, h5));
            }
        }
    }

    /** Keras 3's {@code saving_lib._get_unique_name}. */
    private static String uniqueName(String name, Map<String, Integer> used) {
        Integer n = used.get(name);
        if (n == null) {
            used.put(name, 0);
            return name;
        }
        used.put(name, n + 1);
        return name + "_" + (n + 1);
    }

    private static Rank keras3InputRank(Map<String, Object> entry, String name) {
        Object build = entry.get("build_config");
        if (build instanceof Map && ((Map<?, ?>) build).get("input_shape") instanceof List) {
            List<?> shape = (List<?>) ((Map<?, ?>) build).get("input_shape");
            for (Object d : shape) {
                if (d != null && !(d instanceof Number)) {
                    return Rank.unknown("layer \"" + name + "\" has several inputs");
                }
            }
            return Rank.of(shape.size());
        }
        return Rank.unknown("layer \"" + name + "\" has no build_config (it was never built)");
    }

    // ---- JSON helpers --------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object o, String what) throws FileFormatException {
        if (!(o instanceof Map)) {
            throw new FileFormatException(source, -1, what + " must be a JSON object, got " + kind(o));
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String what) throws FileFormatException {
        if (!(o instanceof List)) {
            throw new FileFormatException(source, -1, what + " must be a JSON array, got " + kind(o));
        }
        return (List<Object>) o;
    }

    private String string(Map<String, Object> m, String key, String what) throws FileFormatException {
        Object o = m.get(key);
        if (!(o instanceof String)) {
            throw new FileFormatException(source, -1, "'" + key + "' of " + what + " must be a string, got " + kind(o));
        }
        return (String) o;
    }

    static String kind(Object o) {
        return o == null ? "null" : o instanceof Map ? "an object" : o instanceof List ? "an array" : o.toString();
    }
}
