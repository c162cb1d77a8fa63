package io.github.qbn4j;

import java.util.Objects;

/**
 * An input or parameter that quantizeml 0.5.2 itself rejects.
 *
 * <p>Each instance names the Python exception class quantizeml raises for the same input
 * ({@link #referenceError()}), so that conformance suites can check that qbn4j refuses exactly what
 * the reference refuses. Errors that only qbn4j reports (null, NaN or infinite parameters, arrays of
 * the wrong length) are plain {@link IllegalArgumentException}s or {@link NullPointerException}s.
 */
public final class QuantizationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The exception class quantizeml raises for the same input. */
    public enum ReferenceError {
        /** Python {@code ValueError}: a bad bitwidth, rank, axis or value-bit reduction. */
        VALUE_ERROR("ValueError"),
        /** TensorFlow {@code InvalidArgumentError}: a failed run-time assertion (alignment, shifts). */
        INVALID_ARGUMENT("InvalidArgumentError"),
        /** Python {@code TypeError}: an input of the wrong type. */
        TYPE_ERROR("TypeError");

        private final String pythonName;

        ReferenceError(String pythonName) {
            this.pythonName = pythonName;
        }

        /**
         * Returns the Python class name, as written in a conformance case's {@code error.txt}.
         *
         * @return the class name, e.g. {@code "ValueError"}
         */
        public String pythonName() {
            return pythonName;
        }
    }

    /** @serial the exception class quantizeml raises for the same input */
    private final ReferenceError referenceError;

    /**
     * Creates an exception.
     *
     * @param referenceError the exception class quantizeml raises for the same input
     * @param message the message, in the form {@code <name> must be <constraint>, got <actual>}
     */
    public QuantizationException(ReferenceError referenceError, String message) {
        super(message);
        this.referenceError = Objects.requireNonNull(referenceError, "referenceError");
    }

    /**
     * Returns the exception class quantizeml raises for the same input.
     *
     * @return the reference error class
     */
    public ReferenceError referenceError() {
        return referenceError;
    }

}
