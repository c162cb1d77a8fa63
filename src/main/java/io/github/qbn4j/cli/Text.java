package io.github.qbn4j.cli;

/** Text from files, made safe to print. */
final class Text {

    private Text() {
    }

    /**
     * A name with its control characters (C0, DEL, C1, and the line and paragraph separators) and
     * backslashes escaped as {@code \n}, {@code \t}, {@code \\} or {@code \}{@code uXXXX}, so that a layer
     * name read from a file cannot move the cursor, clear the screen or forge an output line.
     */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = null;
            if (c == '\\') {
                r = "\\\\";
            } else if (c == '\n') {
                r = "\\n";
            } else if (c == '\t') {
                r = "\\t";
            } else if (c == '\r') {
                r = "\\r";
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                r = String.format("\\u%04x", (int) c);
            }
            if (r != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                b.append(r != null ? r : String.valueOf(c));
            }
        }
        return b == null ? s : b.toString();
    }
}
