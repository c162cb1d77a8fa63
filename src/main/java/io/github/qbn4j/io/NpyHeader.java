package io.github.qbn4j.io;

import io.github.qbn4j.io.NpyArray.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file: reading and validating it (with a small strict parser for
 * the Python dict literal) and producing it for the writer.
 */
final class NpyHeader {

    /** {@code \x93NUMPY}. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** NumPy aligns the start of the data to this many bytes. */
    static final int ALIGN = 64;

    /** Largest header accepted for format versions 2.0 and 3.0 (1.0 cannot exceed 65535). */
    static final long MAX_HEADER_LENGTH = 1 << 20;

    /**
     * NumPy (since 1.22 or so) leaves room after the dict so that the growing axis of the shape
     * can be rewritten in place; it pads by this many digits minus the digits of that axis.
     */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private static final String SUPPORTED =
            "b1, i1, u1, i2, u2, i4, u4, i8, u8, f2, f4, f8";

    final DType dtype;
    final boolean bigEndian;
    final boolean fortranOrder;
    final int[] shape;
    final int size;
    /** Byte offset of the first data byte from the start of the file. */
    final long dataOffset;
    /** Number of data bytes the header declares. */
    final long dataBytes;

    private NpyHeader(DType dtype, boolean bigEndian, boolean fortranOrder, int[] shape, int size,
            long dataOffset) {
        this.dtype = dtype;
        this.bigEndian = bigEndian;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
        this.size = size;
        this.dataOffset = dataOffset;
        this.dataBytes = (long) size * dtype.byteSize();
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads magic, version, header length and header from {@code in}, leaving the stream at the
     * first data byte. Never reads past the header.
     */
    static NpyHeader read(InputStream in, String source) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            String what = magic.length == 0 ? "empty input" : "bad magic " + escape(magic);
            throw new FileFormatException(source, 0,
                    "not a .npy file: " + what + ", expected \\x93NUMPY");
        }
        byte[] version = readExactly(in, 2, 6, source, "format version");
        int major = version[0] & 0xFF;
        int minor = version[1] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new FileFormatException(source, 6, "unsupported .npy format version " + major
                    + "." + minor + " (supported: 1.0, 2.0, 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] len = readExactly(in, lengthBytes, 8, source, "header length");
        long headerLength = (len[0] & 0xFF) | (len[1] & 0xFF) << 8;
        if (lengthBytes == 4) {
            headerLength |= (long) (len[2] & 0xFF) << 16 | (long) (len[3] & 0xFF) << 24;
        }
        long headerStart = 8L + lengthBytes;
        if (headerLength > MAX_HEADER_LENGTH) {
            throw new FileFormatException(source, 8, "header length must be <= "
                    + MAX_HEADER_LENGTH + " bytes, got " + headerLength);
        }
        byte[] raw = readExactly(in, (int) headerLength, headerStart, source, "header");
        String text;
        if (major == 3) {
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw new FileFormatException(source, headerStart,
                        "header of a version 3.0 file is not valid UTF-8", e);
            }
        } else {
            text = new String(raw, StandardCharsets.ISO_8859_1);
        }
        return interpret(text, major == 3, headerStart, headerStart + headerLength, source);
    }

    private static byte[] readExactly(InputStream in, int n, long offset, String source,
            String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new FileFormatException(source, offset + b.length, "truncated " + what
                    + ": expected " + n + " bytes, got " + b.length);
        }
        return b;
    }

    private static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder("b'");
        for (byte x : bytes) {
            int c = x & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append('\'').toString();
    }

    private static NpyHeader interpret(String text, boolean utf8, long headerStart,
            long dataOffset, String source) throws FileFormatException {
        Parser p = new Parser(text, utf8, headerStart, source);
        p.skipWhitespace();
        int dictPos = p.pos;
        Object value = p.parseValue();
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error(p.pos, "malformed header: unexpected " + p.describe(p.pos)
                    + " after the dict");
        }
        if (!(value instanceof Dict)) {
            throw p.error(dictPos, "malformed header: expected a dict, found " + typeName(value));
        }
        Dict dict = (Dict) value;
        for (String key : dict.values.keySet()) {
            if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                throw p.error(dict.positions.get(key), "malformed header: unexpected key '"
                        + key + "' (expected exactly 'descr', 'fortran_order' and 'shape')");
            }
        }
        for (String key : new String[] {"descr", "fortran_order", "shape"}) {
            if (!dict.values.containsKey(key)) {
                throw p.error(dictPos, "malformed header: missing key '" + key + "'");
            }
        }

        Object descr = dict.values.get("descr");
        int descrPos = dict.positions.get("descr");
        if (descr instanceof PyList) {
            throw p.error(descrPos, "unsupported dtype: structured dtype (descr is a list "
                    + abbreviate(text.substring(descrPos, dict.ends.get("descr")))
                    + "); only plain numeric and bool arrays are supported");
        }
        if (!(descr instanceof String)) {
            throw p.error(descrPos, "malformed header: 'descr' must be a str, got "
                    + typeName(descr));
        }
        String d = (String) descr;
        char order = '=';
        String code = d;
        if (!d.isEmpty() && "<>|=".indexOf(d.charAt(0)) >= 0) {
            order = d.charAt(0);
            code = d.substring(1);
        }
        if (code.startsWith("O")) {
            throw p.error(descrPos, "unsupported dtype '" + d + "': object arrays hold pickled"
                    + " Python objects; object/pickled arrays are not supported");
        }
        DType dtype = DType.fromCode(code);
        if (dtype == null) {
            throw p.error(descrPos, "unsupported dtype '" + d + "'" + kindOf(code)
                    + "; supported are " + SUPPORTED + " with byte order <, >, | or =");
        }

        Object fortran = dict.values.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw p.error(dict.positions.get("fortran_order"),
                    "malformed header: 'fortran_order' must be True or False, got "
                            + typeName(fortran));
        }

        Object shapeValue = dict.values.get("shape");
        int shapePos = dict.positions.get("shape");
        if (!(shapeValue instanceof Tuple)) {
            throw p.error(shapePos, "malformed header: 'shape' must be a tuple of ints, got "
                    + typeName(shapeValue));
        }
        List<Object> dims = ((Tuple) shapeValue).items;
        int[] shape = new int[dims.size()];
        long product = 1;
        boolean zero = false;
        boolean tooMany = false;
        for (int i = 0; i < shape.length; i++) {
            Object dim = dims.get(i);
            if (!(dim instanceof Long)) {
                throw p.error(shapePos, "malformed header: shape[" + i + "] must be an int, got "
                        + typeName(dim));
            }
            long v = (Long) dim;
            if (v < 0) {
                throw p.error(shapePos, "malformed header: shape[" + i + "] must be >= 0, got "
                        + v);
            }
            if (v > Integer.MAX_VALUE) {
                throw p.error(shapePos, "shape[" + i + "] must be <= " + Integer.MAX_VALUE
                        + ", got " + v);
            }
            shape[i] = (int) v;
            if (v == 0) {
                zero = true;
            } else if (!tooMany) {
                product *= v; // both factors < 2^31 here, so no overflow
                tooMany = product > Integer.MAX_VALUE;
            }
        }
        if (tooMany && !zero) {
            java.math.BigInteger n = java.math.BigInteger.ONE;
            for (int s : shape) {
                n = n.multiply(java.math.BigInteger.valueOf(s));
            }
            throw p.error(shapePos, "element count must be <= " + Integer.MAX_VALUE + ", got " + n
                    + " for shape " + Arrays.toString(shape));
        }
        int size = zero ? 0 : (int) product;
        return new NpyHeader(dtype, order == '>', (Boolean) fortran, shape, size, dataOffset);
    }

    private static String kindOf(String code) {
        if (code.isEmpty()) {
            return " (empty type code)";
        }
        switch (code.charAt(0)) {
            case 'U':
                return " (unicode string)";
            case 'S':
            case 'a':
                return " (byte string)";
            case 'V':
                return " (void/raw bytes)";
            case 'c':
                return " (complex)";
            case 'M':
                return " (datetime64)";
            case 'm':
                return " (timedelta64)";
            case 'f':
                return " (floating point of this size)";
            case 'i':
            case 'u':
                return " (integer of this size)";
            default:
                return "";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "\u2026";
    }

    private static String typeName(Object v) {
        if (v instanceof Dict) {
            return "a dict";
        } else if (v instanceof PyList) {
            return "a list";
        } else if (v instanceof Tuple) {
            return "a tuple";
        } else if (v instanceof String) {
            return "the str '" + v + "'";
        } else if (v instanceof Long) {
            return "the int " + v;
        } else if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        } else {
            return "None";
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Returns the complete header (magic to terminating newline) that NumPy would write for a
     * little-endian C-order array of this dtype and shape: version 1.0 when it fits, else 2.0,
     * padded with spaces so that the data start at a multiple of {@link #ALIGN}.
     */
    static byte[] encode(DType dtype, int[] shape) {
        String descr = (dtype.byteSize() == 1 ? "|" : "<") + dtype.code();
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                dict.append(", ");
            }
            dict.append(shape[i]);
        }
        if (shape.length == 1) {
            dict.append(',');
        }
        dict.append("), }");
        if (shape.length > 0) {
            int digits = Integer.toString(shape[0]).length();
            dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - digits)));
        }
        byte[] body = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] h = wrap(body, 1);
        return h != null ? h : wrap(body, 2);
    }

    /** Frames {@code body} for the given major version, or returns null if it does not fit. */
    private static byte[] wrap(byte[] body, int major) {
        int prefix = MAGIC.length + 2 + (major == 1 ? 2 : 4);
        int withNewline = body.length + 1;
        int pad = ALIGN - (prefix + withNewline) % ALIGN;
        long headerLength = (long) withNewline + pad;
        if (major == 1 && headerLength > 0xFFFF) {
            return null;
        }
        byte[] out = new byte[prefix + (int) headerLength];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) major;
        out[7] = 0;
        out[8] = (byte) headerLength;
        out[9] = (byte) (headerLength >>> 8);
        if (major != 1) {
            out[10] = (byte) (headerLength >>> 16);
            out[11] = (byte) (headerLength >>> 24);
        }
        System.arraycopy(body, 0, out, prefix, body.length);
        Arrays.fill(out, prefix + body.length, out.length - 1, (byte) ' ');
        out[out.length - 1] = '\n';
        return out;
    }

    // ------------------------------------------------------------------ parser

    /** A parsed Python dict with str keys; remembers where each value started. */
    private static final class Dict {
        final Map<String, Object> values = new LinkedHashMap<>();
        final Map<String, Integer> positions = new HashMap<>();
        final Map<String, Integer> ends = new HashMap<>();
    }

    /** A parsed Python list. */
    private static final class PyList {
        final List<Object> items;

        PyList(List<Object> items) {
            this.items = items;
        }
    }

    /** A parsed Python tuple. */
    private static final class Tuple {
        final List<Object> items;

        Tuple(List<Object> items) {
            this.items = items;
        }
    }

    /** Python's None. */
    private static final Object NONE = new Object();

    /**
     * A strict recursive-descent parser for the subset of Python literals that can appear in a
     * {@code .npy} header: dict (str keys), list, tuple, str, int, True, False and None.
     */
    private static final class Parser {
        private static final int MAX_DEPTH = 32;

        final String text;
        final boolean utf8;
        final long headerStart;
        final String source;
        int pos;
        int depth;

        Parser(String text, boolean utf8, long headerStart, String source) {
            this.text = text;
            this.utf8 = utf8;
            this.headerStart = headerStart;
            this.source = source;
        }

        FileFormatException error(int charPos, String message) {
            int bytes = utf8
                    ? text.substring(0, Math.min(charPos, text.length()))
                            .getBytes(StandardCharsets.UTF_8).length
                    : charPos;
            return new FileFormatException(source, headerStart + bytes, message);
        }

        String describe(int at) {
            if (at >= text.length()) {
                return "end of header";
            }
            char c = text.charAt(at);
            return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("character U+%04X", (int) c);
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        private void expect(char c, String context) throws FileFormatException {
            skipWhitespace();
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw error(pos, "malformed header: expected '" + c + "' " + context + ", found "
                        + describe(pos));
            }
            pos++;
        }

        private boolean peek(char c) {
            skipWhitespace();
            return pos < text.length() && text.charAt(pos) == c;
        }

        Object parseValue() throws FileFormatException {
            skipWhitespace();
            if (pos >= text.length()) {
                throw error(pos, "malformed header: expected a value, found end of header");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{':
                case '[':
                case '(':
                    if (++depth > MAX_DEPTH) {
                        throw error(pos, "malformed header: nesting deeper than " + MAX_DEPTH);
                    }
                    Object v = c == '{' ? parseDict() : c == '[' ? parseList() : parseTuple();
                    depth--;
                    return v;
                case '\'':
                case '"':
                    return parseString();
                default:
                    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
                        return parseInt();
                    }
                    if (Character.isLetter(c) || c == '_') {
                        return parseName();
                    }
                    throw error(pos, "malformed header: unexpected " + describe(pos));
            }
        }

        private Dict parseDict() throws FileFormatException {
            Dict dict = new Dict();
            pos++; // '{'
            while (true) {
                if (peek('}')) {
                    pos++;
                    return dict;
                }
                int keyPos = pos;
                Object key = parseValue();
                if (!(key instanceof String)) {
                    throw error(keyPos, "malformed header: dict keys must be str, got "
                            + typeName(key));
                }
                String k = (String) key;
                if (dict.values.containsKey(k)) {
                    throw error(keyPos, "malformed header: duplicate key '" + k + "'");
                }
                expect(':', "after key '" + k + "'");
                skipWhitespace();
                dict.positions.put(k, pos);
                dict.values.put(k, parseValue());
                dict.ends.put(k, pos);
                if (peek(',')) {
                    pos++;
                } else if (!peek('}')) {
                    throw error(pos, "malformed header: expected ',' or '}' in dict, found "
                            + describe(pos));
                }
            }
        }

        private PyList parseList() throws FileFormatException {
            pos++; // '['
            List<Object> items = new ArrayList<>();
            while (true) {
                if (peek(']')) {
                    pos++;
                    return new PyList(items);
                }
                items.add(parseValue());
                if (peek(',')) {
                    pos++;
                } else if (!peek(']')) {
                    throw error(pos, "malformed header: expected ',' or ']' in list, found "
                            + describe(pos));
                }
            }
        }

        /** A tuple, or a parenthesized single value when there is no comma, as in Python. */
        private Object parseTuple() throws FileFormatException {
            pos++; // '('
            List<Object> items = new ArrayList<>();
            boolean comma = false;
            while (true) {
                if (peek(')')) {
                    pos++;
                    if (items.size() == 1 && !comma) {
                        return items.get(0);
                    }
                    return new Tuple(items);
                }
                items.add(parseValue());
                comma = false;
                if (peek(',')) {
                    pos++;
                    comma = true;
                } else if (!peek(')')) {
                    throw error(pos, "malformed header: expected ',' or ')' in tuple, found "
                            + describe(pos));
                }
            }
        }

        private String parseString() throws FileFormatException {
            int start = pos;
            char quote = text.charAt(pos++);
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length() || text.charAt(pos) == '\n') {
                    throw error(start, "malformed header: unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == quote) {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (pos >= text.length()) {
                        throw error(start, "malformed header: unterminated string");
                    }
                    char e = text.charAt(pos++);
                    if (e == '\\' || e == '\'' || e == '"') {
                        sb.append(e);
                    } else {
                        throw error(pos - 2, "malformed header: unsupported escape '\\" + e
                                + "' in string");
                    }
                } else {
                    sb.append(c);
                }
            }
        }

        private Long parseInt() throws FileFormatException {
            int start = pos;
            if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
                pos++;
            }
            int digitsStart = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == digitsStart) {
                throw error(start, "malformed header: expected digits, found " + describe(pos));
            }
            String digits = text.substring(start, pos);
            // Python 2 era files may write long integers with an L suffix, e.g. (3L, 4L)
            if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
                pos++;
            }
            if (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos))
                    || text.charAt(pos) == '.' || text.charAt(pos) == '_')) {
                throw error(pos, "malformed header: unexpected " + describe(pos)
                        + " in integer literal");
            }
            try {
                return Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits);
            } catch (NumberFormatException e) {
                throw error(start, "malformed header: integer " + digits + " is too large");
            }
        }

        private Object parseName() throws FileFormatException {
            int start = pos;
            while (pos < text.length()
                    && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            String name = text.substring(start, pos);
            switch (name) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                case "None":
                    return NONE;
                default:
                    throw error(start, "malformed header: unexpected name '" + name + "'");
            }
        }
    }
}
