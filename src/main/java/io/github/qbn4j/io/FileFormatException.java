package io.github.qbn4j.io;

import java.io.IOException;

/**
 * Signals that a file read by one of the qbn4j readers is corrupt, truncated or uses a feature
 * that is not supported (for example a pickled object array in a {@code .npy} file).
 *
 * <p>This is the single checked exception for malformed input of all readers in this package.
 * It names the file (or the source name given by the caller) and, where it is known, the byte
 * offset at which the problem was noticed. Its {@linkplain #getMessage() message} reads like
 * {@code x.npy: truncated data (at byte 42)}.
 */
public final class FileFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The file or source name, never {@code null}. */
    private final String fileName;

    /** The byte offset where the problem was noticed, or {@code -1}. */
    private final long byteOffset;

    /** The message without file name and offset decoration. */
    private final String detail;

    /** Whether the file was refused for passing a {@link ReadLimits} limit. */
    private boolean overLimit;

    /**
     * Creates an exception for a problem in {@code fileName} at {@code byteOffset}.
     *
     * @param fileName the file or source name; {@code null} is shown as {@code <unknown>}
     * @param byteOffset the byte offset where the problem was noticed, or a negative value
     *     (stored as {@code -1}) when no offset applies
     * @param message what is wrong, without the file name
     */
    public FileFormatException(String fileName, long byteOffset, String message) {
        this(fileName, byteOffset, message, null);
    }

    /**
     * Creates an exception for a problem in {@code fileName} at {@code byteOffset} with a cause.
     *
     * @param fileName the file or source name; {@code null} is shown as {@code <unknown>}
     * @param byteOffset the byte offset where the problem was noticed, or a negative value
     *     (stored as {@code -1}) when no offset applies
     * @param message what is wrong, without the file name
     * @param cause the underlying exception, or {@code null}
     */
    public FileFormatException(String fileName, long byteOffset, String message, Throwable cause) {
        super(format(fileName, byteOffset, message), cause);
        this.fileName = fileName == null ? "<unknown>" : fileName;
        this.byteOffset = byteOffset < 0 ? -1 : byteOffset;
        this.detail = message == null ? "" : message;
    }

    private static String format(String fileName, long byteOffset, String message) {
        StringBuilder sb = new StringBuilder();
        sb.append(fileName == null ? "<unknown>" : fileName).append(": ").append(message);
        if (byteOffset >= 0) {
            sb.append(" (at byte ").append(byteOffset).append(')');
        }
        return sb.toString();
    }

    /**
     * Returns the name of the file or source in which the problem was found.
     *
     * @return the file name as given to the reader, or {@code <unknown>}
     */
    public String fileName() {
        return fileName;
    }

    /**
     * Returns the byte offset at which the problem was noticed.
     *
     * @return the offset from the start of the file or stream, or {@code -1} when not applicable
     */
    public long byteOffset() {
        return byteOffset;
    }

    /**
     * Whether the file was refused for passing a {@link ReadLimits} limit rather than for being corrupt: a
     * well-formed file can be too large for the budget given.
     *
     * @return true for a refusal by the limits
     */
    public boolean exceedsLimit() {
        return overLimit;
    }

    /** A refusal by the limits. */
    static FileFormatException overLimit(String file, String message) {
        FileFormatException e = new FileFormatException(file, -1, message);
        e.overLimit = true;
        return e;
    }

    /** The same refusal re-worded (a member's message re-told for its archive), keeping the kind. */
    static FileFormatException rewrap(FileFormatException e, String file, String message) {
        FileFormatException r = new FileFormatException(file, -1, message, e);
        r.overLimit = e.overLimit;
        return r;
    }

    /** The message without the file name prefix and the offset suffix. */
    String detail() {
        return detail;
    }
}
