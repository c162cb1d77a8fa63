package io.github.qbn4j.cli;

import io.github.qbn4j.Reference;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.qbn4j.io.FileFormatException;
import io.github.qbn4j.layer.QuantConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code --config} file: a JSON object that is either a {@code quant_config}
 * ({@code {"output_quantizer": {"bitwidth": 8, "axis": "per-axis"}}}, the keys {@code a_quantizer},
 * {@code b_quantizer}, {@code output_quantizer}, {@code buffer_bitwidth}), or a quantizeml
 * {@code q_config} mapping layer names to their {@code quant_config}
 * ({@code {"bn_add": {...}, "bn_relu": {...}}}), of which the named layer's entry is used.
 */
final class QuantConfigFile {

    private static final Set<String> QUANT_CONFIG_KEYS =
            Set.of("a_quantizer", "b_quantizer", "output_quantizer", "buffer_bitwidth");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private QuantConfigFile() {
    }

    /**
     * Reads the quant_config for a layer.
     *
     * @param file the JSON file
     * @param layer the layer name (its last path element is looked up in a q_config mapping)
     * @return the configuration
     * @throws FileFormatException if the file is not a JSON object
     * @throws IllegalArgumentException if a q_config mapping has no entry for the layer, or the
     *     configuration is refused (a {@link io.github.qbn4j.QuantizationException} when quantizeml
     *     would refuse it)
     * @throws IOException if the file cannot be read
     */
    static QuantConfig read(Path file, String layer) throws IOException {
        return read(file, layer, Reference.Quantizeml.V0_5_2);
    }

    /**
     * {@link #read(Path, String)} with the keys of a given quantizeml release (0.17.1 also takes
     * {@code output_quantizer.buffer_bitwidth} and {@code a_quantizer.fp_quantizer}).
     */
    static QuantConfig read(Path file, String layer, Reference.Quantizeml release) throws IOException {
        byte[] bytes = readSmall(file);
        Object root;
        try {
            root = MAPPER.readValue(bytes, Object.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            long offset = at == null ? -1 : at.getByteOffset() >= 0 ? at.getByteOffset() : at.getCharOffset();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new FileFormatException(file.toString(), offset, "malformed JSON: " + e.getOriginalMessage() + where,
                    e);
        }
        if (!(root instanceof Map)) {
            throw new FileFormatException(file.toString(), -1, "a quant_config file must hold a JSON object, got "
                    + (root == null ? "null" : root.getClass().getSimpleName()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) root;
        if (map.isEmpty() || map.keySet().stream().anyMatch(QUANT_CONFIG_KEYS::contains)) {
            return QuantConfig.fromMap(map, release);
        }
        String simple = layer.substring(layer.lastIndexOf('/') + 1);
        Object entry = map.containsKey(layer) ? map.get(layer) : map.get(simple);
        if (entry == null && !map.containsKey(layer) && !map.containsKey(simple)) {
            throw new IllegalArgumentException("quant_config file " + file + " must be a quant_config or a q_config "
                    + "with an entry for layer \"" + simple + "\", got a q_config for " + map.keySet());
        }
        if (entry != null && !(entry instanceof Map)) {
            throw new IllegalArgumentException("the q_config entry of layer \"" + simple + "\" must be an object, got "
                    + entry + " (" + file + ")");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> quantConfig = (Map<String, ?>) entry;
        return QuantConfig.fromMap(quantConfig, release);
    }

    /** The configuration as one line of JSON, keys in order. */
    static String toJson(QuantConfig config) {
        try {
            return MAPPER.writeValueAsString(config.toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a quant_config is always JSON-serializable", e);
        }
    }

    /** Most bytes of a quant_config file: a dictionary of a few keys per layer. */
    static final int MAX_BYTES = 16 << 20;

    /**
     * The bytes of a regular file of at most {@link #MAX_BYTES}; a FIFO or a device (which would block or
     * read forever) and a larger file are refused before they are read.
     */
    private static byte[] readSmall(Path file) throws IOException {
        java.nio.file.attribute.BasicFileAttributes attrs =
                Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        if (!attrs.isRegularFile()) {
            throw new io.github.qbn4j.io.FileFormatException(file.toString(), -1, "must be a regular file, got "
                    + (attrs.isDirectory() ? "a directory" : "a FIFO, device or socket"));
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new io.github.qbn4j.io.FileFormatException(file.toString(), -1, "a quant_config file must be at "
                        + "most " + MAX_BYTES + " bytes, got more");
            }
            return bytes;
        }
    }
}
