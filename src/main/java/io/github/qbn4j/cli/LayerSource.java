package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import io.github.qbn4j.io.KerasBatchNormalization;
import io.github.qbn4j.io.KerasModels;
import io.github.qbn4j.io.LayerFiles;
import io.github.qbn4j.layer.QuantConfig;
import io.github.qbn4j.layer.QuantizedBatchNormalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One batch-normalization layer named on the command line ({@code MODEL [--layer NAME]}): a float
 * {@code BatchNormalization} of a Keras 2 {@code .h5} model or a Keras 3 {@code .keras} archive, a
 * {@code QuantizedBatchNormalization} of a model saved by quantizeml 0.5.2, or a folder holding the
 * interchange files {@code layer.json} and {@code weights.npz}.
 */
final class LayerSource {

    private final String origin;
    private final KerasBatchNormalization floatLayer;
    private final QuantizedBatchNormalization quantized;

    private LayerSource(String origin, KerasBatchNormalization floatLayer, QuantizedBatchNormalization quantized) {
        this.origin = origin;
        this.floatLayer = floatLayer;
        this.quantized = quantized;
    }

    /**
     * Loads the layer {@code name} of {@code model}.
     *
     * @param model a Keras or quantizeml model file, or a folder with layer.json and weights.npz
     * @param name the layer name or path; may be null for a folder
     * @return the layer
     * @throws IllegalArgumentException if there is no such batch-normalization layer (listing those
     *     there are), or the layer refuses its parameters
     * @throws IOException if a file is missing, unreadable or corrupt
     */
    static LayerSource one(Path model, String name) throws IOException, CliException {
        if (Files.isDirectory(model)) {
            LayerSource s = folder(model);
            if (name != null && !name.equals(s.name())) {
                throw new IllegalArgumentException("layer \"" + name + "\" must be the layer of " + model
                        + ", got \"" + s.name() + "\"");
            }
            return s;
        }
        checkNotJson(model);
        if (name == null) {
            throw CliException.usage("missing option --layer (the name of a layer of " + model + ")");
        }
        String origin = model.getFileName().toString();
        List<QuantizedBatchNormalization> all = KerasModels.loadAllQuantized(model);
        boolean quantizedHit = all.stream().anyMatch(q -> q.name().equals(name) || name.endsWith("/" + q.name()));
        if (quantizedHit) {
            return new LayerSource(origin, null, KerasModels.loadQuantized(model, name));
        }
        try {
            return new LayerSource(origin, KerasModels.load(model, name), null);
        } catch (IllegalArgumentException e) {
            if (!all.isEmpty()) {
                KerasModels.loadQuantized(model, name); // a quantized model: its error lists its layers
            }
            throw e;
        }
    }

    /**
     * Loads every batch-normalization layer of {@code model}: the quantized ones, then the float ones.
     *
     * @param model a Keras or quantizeml model file, or a folder with layer.json and weights.npz
     * @return the layers, possibly none
     * @throws IOException if a file is missing, unreadable or corrupt, or a float layer is not
     *     supported
     */
    static List<LayerSource> all(Path model) throws IOException, CliException {
        if (Files.isDirectory(model)) {
            return List.of(folder(model));
        }
        checkNotJson(model);
        String origin = model.getFileName().toString();
        List<LayerSource> out = new ArrayList<>();
        for (QuantizedBatchNormalization q : KerasModels.loadAllQuantized(model)) {
            out.add(new LayerSource(origin, null, q));
        }
        for (KerasBatchNormalization k : KerasModels.loadAll(model)) {
            out.add(new LayerSource(origin, k, null));
        }
        return out;
    }

    private static LayerSource folder(Path dir) throws IOException {
        QuantizedBatchNormalization q = LayerFiles.read(dir.resolve(LayerFiles.LAYER_JSON),
                dir.resolve(LayerFiles.WEIGHTS_NPZ));
        return new LayerSource(dir.toString(), null, q);
    }

    private static void checkNotJson(Path model) throws CliException {
        if (model.getFileName() != null && model.getFileName().toString().endsWith(".json")) {
            throw CliException.usage("MODEL must be a model file or the folder holding layer.json and weights.npz, "
                    + "got the file " + model);
        }
    }

    /** Whether the layer is a float BatchNormalization, which needs a quant_config. */
    boolean isFloat() {
        return floatLayer != null;
    }

    /** Where the layer comes from, e.g. {@code quantized_model.h5}. */
    String origin() {
        return origin;
    }

    /** The layer's class as Keras names it. */
    String className() {
        return isFloat() ? "BatchNormalization" : "QuantizedBatchNormalization";
    }

    String name() {
        return isFloat() ? floatLayer.path() : quantized.name();
    }

    int channels() {
        return isFloat() ? floatLayer.channels() : quantized.channels();
    }

    double epsilon() {
        return isFloat() ? floatLayer.epsilon() : quantized.epsilon();
    }

    /** The layer's own quant_config: null for a float layer. */
    QuantConfig quantConfig() {
        return isFloat() ? null : quantized.quantConfig();
    }

    /** The float batch normalization with this layer's parameters, as Keras computes it. */
    FloatBatchNorm floatBatchNorm(Reference reference) {
        if (isFloat()) {
            return new FloatBatchNorm(floatLayer.gamma(), floatLayer.beta(), floatLayer.movingMean(),
                    floatLayer.movingVariance(), floatLayer.epsilon(), reference);
        }
        return new FloatBatchNorm(quantized.gamma(), quantized.beta(), quantized.movingMean(),
                quantized.movingVariance(), quantized.epsilon(), reference);
    }

    /**
     * The quantized layer. A quantized layer is returned as it is when nothing replaces its
     * configuration or variables; otherwise it is rebuilt from its float parameters.
     *
     * @param config the quant_config; null keeps a quantized layer's own (required for a float layer)
     * @param rangeMax the output quantizer's range_max, or null: 1.0, or a quantized layer's own when
     *     neither config nor rangeMax is given
     * @param rescalingRate the output quantizer's rescaling_rate, or null for 1.0 (or the layer's own,
     *     as for rangeMax)
     * @return the layer
     * @throws IllegalArgumentException if the layer refuses the parameters
     */
    QuantizedBatchNormalization quantize(QuantConfig config, float[] rangeMax, float[] rescalingRate) {
        return quantize(config, rangeMax, rescalingRate, Reference.defaults());
    }

    /** {@link #quantize(QuantConfig, float[], float[])} with the rebuilt layer's default profile. */
    QuantizedBatchNormalization quantize(QuantConfig config, float[] rangeMax, float[] rescalingRate,
            Reference reference) {
        if (isFloat()) {
            if (config == null) {
                throw new IllegalStateException("a float layer needs a quant_config");
            }
            return floatLayer.toQuantized(config, rangeMax, rescalingRate, reference);
        }
        if (config == null && rangeMax == null && rescalingRate == null) {
            return quantized;
        }
        QuantizedBatchNormalization.Builder b = QuantizedBatchNormalization.builder()
                .reference(reference)
                .name(quantized.name())
                .quantConfig(config != null ? config : quantized.quantConfig())
                .epsilon(quantized.epsilon())
                .gamma(quantized.gamma())
                .beta(quantized.beta())
                .movingMean(quantized.movingMean())
                .movingVariance(quantized.movingVariance());
        Map<String, Object> layerConfig = quantized.getConfig();
        Object axis = layerConfig.get("axis");
        if (axis instanceof List) {
            b.axes(((List<?>) axis).stream().mapToInt(a -> ((Number) a).intValue()).toArray());
        } else {
            b.axis(((Number) axis).intValue());
        }
        if (rangeMax != null) {
            b.rangeMax(rangeMax);
        }
        if (rescalingRate != null) {
            b.rescalingRate(rescalingRate);
        }
        return b.build();
    }
}
