package io.github.qbn4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The only class that touches Jackson (an optional dependency): JSON text to plain Java values and
 * back. {@link LayerFiles} checks that Jackson is present before it loads this class.
 *
 * <p>Values come out as Python's {@code json} module gives them: objects as ordered maps, arrays as
 * lists, integers as {@code Integer}, {@code Long} or {@code BigInteger}, numbers with a fraction or
 * exponent as {@code Double} ({@code 8} and {@code 8.0} stay distinct, as {@code int} and
 * {@code float} are in Python), and {@code NaN} / {@code Infinity}, which Python writes and reads,
 * are accepted. A repeated key keeps its last value, as in Python.
 */
final class LayerJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private LayerJson() {
    }

    /**
     * Parses JSON text.
     *
     * @param file the file name for messages
     * @param bytes UTF-8 (or UTF-16/32 with a BOM) JSON text
     * @return the value tree
     * @throws FileFormatException if the text is not valid JSON, with the byte offset Jackson reports
     */
    static Object parse(String file, byte[] bytes) throws FileFormatException {
        try {
            return MAPPER.readValue(bytes, Object.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            long offset = at == null ? -1 : at.getByteOffset() >= 0 ? at.getByteOffset() : at.getCharOffset();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new FileFormatException(file, offset, "malformed JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            // reading from a byte array cannot fail otherwise; keep the checked type honest
            throw new FileFormatException(file, -1, "malformed JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Formats a value tree (maps, lists, numbers, booleans, strings, nulls) as indented JSON.
     *
     * @param value the tree
     * @return UTF-8 JSON text ending with a newline
     */
    static byte[] format(Object value) {
        try {
            String text = MAPPER.writeValueAsString(value) + "\n";
            return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value must be JSON-serializable, got " + value, e);
        }
    }
}
