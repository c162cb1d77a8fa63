package io.github.qbn4j.io;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.io.NpyArray.DType;
import io.github.qbn4j.Reference;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import io.github.qbn4j.quantizer.OutputQuantizer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes a {@link QuantizedBatchNormalization} in the interchange format: a
 * {@code layer.json} with quantizeml's configuration and a {@code weights.npz} with its float32
 * variables.
 *
 * <p><b>{@code layer.json}</b> is {@code {"class_name": "QuantizedBatchNormalization", "config":
 * {...}}}, where {@code config} is what quantizeml 0.5.2's {@code get_config()} returns: {@code name},
 * {@code epsilon} (default 1e-3), {@code axis} (an int or a list of ints; default -1) and
 * {@code quant_config} (read by {@link QuantConfig#fromMap}, which refuses unknown keys). Other keys of
 * {@code config} ({@code trainable}, {@code dtype}, {@code batch_input_shape}, ...) and of the top
 * level are ignored. Numbers keep Python's distinction between {@code 8} (an int) and {@code 8.0} (a
 * float), which {@code quant_config} relies on.
 *
 * <p><b>Release marker.</b> A top-level {@code "quantizeml": "0.17.1"} says that the configuration is
 * quantizeml 0.17.1's (its {@code get_config()} has no {@code trainable}, and its {@code quant_config}
 * may hold {@code output_quantizer.buffer_bitwidth}, {@code a_quantizer.fp_quantizer} and buffers of
 * up to 40 bits). The layer read gets that release in its default profile
 * ({@link QuantizedBatchNormalization#reference()}) and its {@code quant_config} is read under that
 * release's rules. Without the key the file is quantizeml 0.5.2's. {@link #write} writes the marker
 * for any release other than 0.5.2.
 *
 * <p><b>{@code weights.npz}</b> holds float32 arrays named as quantizeml names the variables:
 * {@code gamma}, {@code beta}, {@code moving_mean} and {@code moving_variance} of shape {@code (C,)},
 * and, exactly when {@code quant_config} has an output quantizer, {@code output_quantizer/range_max}
 * and {@code output_quantizer/rescaling_rate}, of shape {@code ()} for a per-tensor quantizer and
 * {@code (C,)} for a per-axis one.
 *
 * <p><b>Errors.</b> Files that cannot be parsed or lack the structure above (malformed JSON, another
 * {@code class_name}, a missing, unknown or misshapen array) raise a {@link FileFormatException} that
 * names the file, and for JSON the byte offset. Well-formed files whose values quantizeml or qbn4j
 * refuse raise the {@link QuantizationException} or {@link IllegalArgumentException} of the layer's
 * own validation.
 *
 * <p><b>Jackson</b> ({@code com.fasterxml.jackson.core:jackson-databind}) is an optional dependency of
 * qbn4j that only this class needs; without it, both methods throw an {@link IllegalStateException}
 * saying so.
 *
 * <pre>{@code
 * QuantizedBatchNormalization bn = LayerFiles.read(dir.resolve(LayerFiles.LAYER_JSON),
 *         dir.resolve(LayerFiles.WEIGHTS_NPZ));
 * QTensor y = bn.call(QTensorFiles.read(dir.resolve("x.npz")));
 * LayerFiles.write(Path.of("copy"), bn);   // copy/layer.json and copy/weights.npz
 * }</pre>
 *
 * <p>This class has no state and is thread-safe.
 */
public final class LayerFiles {

    /** The conventional name of the configuration file. */
    public static final String LAYER_JSON = "layer.json";
    /** The conventional name of the weights archive. */
    public static final String WEIGHTS_NPZ = "weights.npz";
    /** The top-level key naming the quantizeml release of the configuration. */
    public static final String QUANTIZEML = "quantizeml";
    /** The only {@code class_name} this reader accepts. */
    public static final String CLASS_NAME = "QuantizedBatchNormalization";

    static final String GAMMA = "gamma";
    static final String BETA = "beta";
    static final String MOVING_MEAN = "moving_mean";
    static final String MOVING_VARIANCE = "moving_variance";
    static final String RANGE_MAX = "output_quantizer/range_max";
    static final String RESCALING_RATE = "output_quantizer/rescaling_rate";


    private LayerFiles() {
    }

    /**
     * Reads a layer from its configuration and weights.
     *
     * @param layerJson the {@code layer.json} file
     * @param weightsNpz the {@code weights.npz} archive
     * @return the layer
     * @throws FileFormatException if {@code layer.json} is not valid JSON (the message gives the byte
     *     offset), its top level is not an object with {@code class_name}
     *     {@code "QuantizedBatchNormalization"} and an object {@code config}, or {@code weights.npz} is
     *     corrupt, lacks an array, has an array it should not have, or an array of another dtype or
     *     shape than described in the class documentation
     * @throws QuantizationException if quantizeml refuses the configuration (for example a bitwidth
     *     too small: {@code ValueError}; an unknown quantizer key: {@code TypeError})
     * @throws IllegalArgumentException if a configuration value has the wrong JSON type, a
     *     {@code quant_config} key is unknown, or a weight is refused by the layer (not finite,
     *     {@code variance + epsilon <= 0}, a negative {@code range_max})
     * @throws IllegalStateException if Jackson is not available at run time
     * @throws IOException if a file cannot be read
     * @throws NullPointerException if an argument is null
     */
    public static QuantizedBatchNormalization read(Path layerJson, Path weightsNpz) throws IOException {
        return read(layerJson, weightsNpz, ReadLimits.WEIGHTS);
    }

    /**
     * Reads a layer within limits; see {@link #read(Path, Path)}. The limits bound each weight vector and
     * the weights archive; the JSON file may not be larger than the per-file limit.
     *
     * @param layerJson the {@code layer.json} file (a regular file)
     * @param weightsNpz the {@code weights.npz} file (a regular file)
     * @param limits the budget, e.g. {@link ReadLimits#WEIGHTS}
     * @return the layer
     * @throws FileFormatException as {@link #read(Path, Path)}, and if a limit is passed
     *     ({@link FileFormatException#exceedsLimit()}) or a path is not a regular file
     * @throws IllegalArgumentException as {@link #read(Path, Path)}
     * @throws IllegalStateException if Jackson is not available at run time
     * @throws IOException if a file cannot be read
     * @throws NullPointerException if an argument is null
     */
    public static QuantizedBatchNormalization read(Path layerJson, Path weightsNpz, ReadLimits limits)
            throws IOException {
        Objects.requireNonNull(layerJson, "layerJson");
        Objects.requireNonNull(weightsNpz, "weightsNpz");
        Objects.requireNonNull(limits, "limits");
        requireJackson(LAYER_JSON);
        String file = layerJson.toString();
        Object root = LayerJson.parse(file, readSmallFile(layerJson, limits));
        Map<String, Object> config = config(file, root);
        Reference.Quantizeml release = release(file, root);

        QuantizedBatchNormalization.Builder builder = QuantizedBatchNormalization.builder()
                .reference(Reference.defaults().withQuantizeml(release));
        Object name = config.get("name");
        if (name != null) {
            if (!(name instanceof String)) {
                throw new IllegalArgumentException("config name must be a string, got " + name + " (" + file + ")");
            }
            builder.name((String) name);
        }
        if (config.containsKey("epsilon")) {
            builder.epsilon(epsilon(config.get("epsilon"), file));
        }
        if (config.containsKey("axis")) {
            setAxis(builder, config.get("axis"), file);
        }
        Object qc = config.get("quant_config");
        if (qc != null && !(qc instanceof Map)) {
            throw new IllegalArgumentException("config quant_config must be a dict or null, got " + qc
                    + " (" + file + ")");
        }
        @SuppressWarnings("unchecked")
        QuantConfig quantConfig = QuantConfig.fromMap((Map<String, ?>) qc, release);
        builder.quantConfig(quantConfig);

        readWeights(builder, weightsNpz, quantConfig.outputQuantizer(), limits);
        return builder.build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> config(String file, Object root) throws FileFormatException {
        if (!(root instanceof Map)) {
            throw new FileFormatException(file, -1, "the top level must be a JSON object with class_name and "
                    + "config, got " + describe(root));
        }
        Map<String, Object> map = (Map<String, Object>) root;
        if (!map.containsKey("class_name")) {
            throw new FileFormatException(file, -1, "key 'class_name' is missing; expected \"" + CLASS_NAME + "\"");
        }
        Object className = map.get("class_name");
        if (!CLASS_NAME.equals(className)) {
            throw new FileFormatException(file, -1, "class_name must be \"" + CLASS_NAME + "\", got "
                    + describe(className) + " (qbn4j reads QuantizedBatchNormalization layers only)");
        }
        Object config = map.get("config");
        if (!(config instanceof Map)) {
            throw new FileFormatException(file, -1, "key 'config' must be a JSON object, got "
                    + (map.containsKey("config") ? describe(config) : "nothing (the key is missing)"));
        }
        return (Map<String, Object>) config;
    }

    /** The top-level {@code "quantizeml"} marker: absent means 0.5.2. */
    private static Reference.Quantizeml release(String file, Object root) throws FileFormatException {
        Map<?, ?> map = (Map<?, ?>) root;
        if (!map.containsKey(QUANTIZEML)) {
            return Reference.Quantizeml.V0_5_2;
        }
        Object v = map.get(QUANTIZEML);
        try {
            if (v instanceof String) {
                return Reference.Quantizeml.of((String) v);
            }
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file, -1, "key '" + QUANTIZEML + "': " + e.getMessage());
        }
        throw new FileFormatException(file, -1, "key '" + QUANTIZEML + "' must be a release string such as \"0.17.1\", got "
                + describe(v));
    }

    private static double epsilon(Object value, String file) {
        if (value instanceof Integer || value instanceof Long || value instanceof Double
                || value instanceof BigInteger) {
            return ((Number) value).doubleValue();
        }
        throw new IllegalArgumentException("config epsilon must be a number, got " + describe(value)
                + " (" + file + ")");
    }

    private static void setAxis(QuantizedBatchNormalization.Builder builder, Object value, String file) {
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            int[] axes = new int[list.size()];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = axisInt(list.get(i), value, file);
            }
            builder.axes(axes);
        } else {
            builder.axis(axisInt(value, value, file));
        }
    }

    private static int axisInt(Object element, Object whole, String file) {
        if (element instanceof Integer) {
            return (Integer) element;
        }
        if (io.github.qbn4j.internal.Checks.isJsonInteger(element)) {
            // an integer past int (4294967295 narrowed to -1 elsewhere): refused with its exact value
            throw new IllegalArgumentException("config axis must be an integer in [" + Integer.MIN_VALUE + ", "
                    + Integer.MAX_VALUE + "], got " + element + " (" + file + ")");
        }
        throw new IllegalArgumentException("config axis must be an int or a list of ints, got "
                + describe(whole) + " (" + file + ")");
    }

    /** A regular file's bytes, refused past the per-file limit before it is read. */
    static byte[] readSmallFile(Path path, ReadLimits limits) throws IOException {
        ReadLimits.requireRegularFile(path);
        try (java.io.InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxFileBytes() + 1));
            limits.checkFile(path.toString(), null, bytes.length);
            return bytes;
        }
    }

    private static void readWeights(QuantizedBatchNormalization.Builder builder, Path weightsNpz,
            OutputQuantizer outputQuantizer, ReadLimits limits) throws IOException {
        String file = weightsNpz.toString();
        Map<String, NpyArray> arrays = Npz.read(weightsNpz, limits);
        List<String> expected = new ArrayList<>(List.of(GAMMA, BETA, MOVING_MEAN, MOVING_VARIANCE));
        if (outputQuantizer != null) {
            expected.add(RANGE_MAX);
            expected.add(RESCALING_RATE);
        }
        for (String key : expected) {
            if (!arrays.containsKey(key)) {
                throw new FileFormatException(file, -1, "key '" + key + "' is missing; expected " + expected
                        + ", got " + arrays.keySet());
            }
        }
        for (String key : arrays.keySet()) {
            if (!expected.contains(key)) {
                String why = key.startsWith("output_quantizer/") && outputQuantizer == null
                        ? " (quant_config has no output_quantizer)" : "";
                throw new FileFormatException(file, -1, "key '" + key + "' is unexpected" + why + "; expected "
                        + expected + ", got " + arrays.keySet());
            }
        }
        float[] gamma = vector(file, GAMMA, arrays.get(GAMMA), -1);
        int channels = gamma.length;
        builder.gamma(gamma)
                .beta(vector(file, BETA, arrays.get(BETA), channels))
                .movingMean(vector(file, MOVING_MEAN, arrays.get(MOVING_MEAN), channels))
                .movingVariance(vector(file, MOVING_VARIANCE, arrays.get(MOVING_VARIANCE), channels));
        if (outputQuantizer != null) {
            boolean perAxis = outputQuantizer.axis() == OutputQuantizer.Axis.PER_AXIS;
            builder.rangeMax(variable(file, RANGE_MAX, arrays.get(RANGE_MAX), perAxis, channels))
                    .rescalingRate(variable(file, RESCALING_RATE, arrays.get(RESCALING_RATE), perAxis, channels));
        }
    }

    private static float[] vector(String file, String key, NpyArray a, int channels) throws FileFormatException {
        requireFloat32(file, key, a);
        int[] s = a.shape();
        if (s.length != 1 || (channels >= 0 && s[0] != channels)) {
            throw new FileFormatException(file, -1, "key '" + key + "' must have shape "
                    + (channels >= 0 ? "(" + channels + ",) like gamma" : "(C,)") + ", got "
                    + QTensorFiles.shapeString(s));
        }
        return a.toFloatArray();
    }

    private static float[] variable(String file, String key, NpyArray a, boolean perAxis, int channels)
            throws FileFormatException {
        requireFloat32(file, key, a);
        int[] s = a.shape();
        boolean ok = perAxis ? s.length == 1 && s[0] == channels
                : s.length == 0 || (s.length == 1 && s[0] == 1);
        if (!ok) {
            throw new FileFormatException(file, -1, "key '" + key + "' must have shape "
                    + (perAxis ? "(" + channels + ",) for a per-axis" : "() for a per-tensor")
                    + " output quantizer, got " + QTensorFiles.shapeString(s));
        }
        return a.toFloatArray();
    }

    private static void requireFloat32(String file, String key, NpyArray a) throws FileFormatException {
        if (a.dtype() != DType.FLOAT32) {
            throw new FileFormatException(file, -1, "key '" + key + "' must have dtype float32 (<f4), got "
                    + a.dtype().code());
        }
    }

    /**
     * Writes a layer as {@code dir/layer.json} ({@link QuantizedBatchNormalization#getConfig()} under
     * {@code class_name} {@code "QuantizedBatchNormalization"}, with the release marker
     * {@code "quantizeml"} when the layer's release is not 0.5.2) and {@code dir/weights.npz} (float32
     * {@code gamma}, {@code beta}, {@code moving_mean}, {@code moving_variance} and, with an output
     * quantizer, its {@code range_max} and {@code rescaling_rate}). The directory is created if needed;
     * each file is written under a temporary name and moved into place, so neither is ever left partly
     * written.
     *
     * @param dir the directory
     * @param layer the layer
     * @throws IllegalStateException if Jackson is not available at run time
     * @throws IOException if writing fails
     * @throws NullPointerException if an argument is null
     */
    public static void write(Path dir, QuantizedBatchNormalization layer) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(layer, "layer");
        requireJackson(LAYER_JSON);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("class_name", CLASS_NAME);
        Reference.Quantizeml release = layer.reference().quantizeml();
        if (release != Reference.Quantizeml.V0_5_2) {
            root.put(QUANTIZEML, release.version());
        }
        root.put("config", layer.getConfig());
        byte[] json = LayerJson.format(root);

        int channels = layer.channels();
        Map<String, NpyArray> weights = new LinkedHashMap<>();
        weights.put(GAMMA, NpyArray.ofFloat32(new int[] {channels}, layer.gamma()));
        weights.put(BETA, NpyArray.ofFloat32(new int[] {channels}, layer.beta()));
        weights.put(MOVING_MEAN, NpyArray.ofFloat32(new int[] {channels}, layer.movingMean()));
        weights.put(MOVING_VARIANCE, NpyArray.ofFloat32(new int[] {channels}, layer.movingVariance()));
        OutputQuantizer oq = layer.outputQuantizer();
        if (oq != null) {
            boolean perAxis = oq.axis() == OutputQuantizer.Axis.PER_AXIS;
            weights.put(RANGE_MAX, variableArray(oq.rangeMax(channels), perAxis));
            weights.put(RESCALING_RATE, variableArray(oq.rescalingRate(channels), perAxis));
        }

        Files.createDirectories(dir);
        AtomicFile.write(dir.resolve(LAYER_JSON), out -> out.write(json));
        Npz.writeCompressed(dir.resolve(WEIGHTS_NPZ), weights);
    }

    private static NpyArray variableArray(float[] values, boolean perAxis) {
        // Keras creates the variables with shape () per-tensor and (C,) per-axis
        return perAxis ? NpyArray.ofFloat32(new int[] {values.length}, values) : NpyArray.scalarFloat32(values[0]);
    }

    /** Throws unless Jackson can be loaded; {@code what} names the file that needs it. */
    static void requireJackson(String what) {
        OptionalDependency.JACKSON.require(what);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "\"" + value + "\"";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return value.toString();
        }
        return value + " (" + value.getClass().getSimpleName() + ")";
    }
}
