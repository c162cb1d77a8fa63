package io.github.qbn4j.cli;

/**
 * A command's failure with its exit status and the line to print on standard error. A usage error
 * ({@link Main#EXIT_USAGE}) is followed by the command's usage text.
 */
final class CliException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    CliException(int status, String message) {
        super(message);
        this.status = status;
    }

    CliException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** A usage error: unknown or missing option, bad option value. */
    static CliException usage(String message) {
        return new CliException(Main.EXIT_USAGE, message);
    }

    /** A file that cannot be read or written, or is corrupt. */
    static CliException file(String message, Throwable cause) {
        return new CliException(Main.EXIT_FILE, message, cause);
    }

    int status() {
        return status;
    }
}
