package io.github.qbn4j.conformance;

import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.QTensor;
import io.github.qbn4j.tensor.Scales;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The exact comparison of an expected quantized tensor with an actual one, as a conformance suite
 * makes it: same kind ({@link FixedPoint} or {@link QFloat}), same shape, same value bits, same
 * fractional bits (numbers and per-tensor or per-axis form), same scales (float32 bit patterns and
 * form) and the same integer values. Two tensors with the same real values but a different
 * representation do not match: bit-exactness with quantizeml is about the representation.
 *
 * <p>The {@link #report()} lists header differences first (kind, shape, value bits, fractional bits,
 * scales), then the first differing value as an {@code (n, h, w, c)} coordinate with actual and
 * expected, and how many of how many values differ:
 *
 * <pre>
 * tensors differ (actual vs expected):
 *   fracBits: actual [2, 4] (per-axis), expected 4 (per-tensor)
 *   values: first difference at (0, 1, 1): actual 113, expected 114; 1 of 4 values differ
 * </pre>
 *
 * <p>Use it in your own tests, with JUnit 5 alone or with AssertJ:
 *
 * <pre>{@code
 * QTensor expected = QTensorFiles.read(Path.of("golden/y.npz"));
 * QTensor actual = layer.call(QTensorFiles.read(Path.of("golden/x.npz")));
 * TensorComparison.compare(expected, actual).assertMatches();   // AssertionError with the report
 *
 * TensorComparison cmp = TensorComparison.compare(expected, actual);
 * assertThat(cmp.matches()).as(cmp.report()).isTrue();           // AssertJ
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TensorComparison {

    private final QTensor expected;
    private final QTensor actual;
    private final List<String> headerMismatches;
    private final boolean valuesCompared;
    private final int mismatchCount;
    private final int firstIndex;

    private TensorComparison(QTensor expected, QTensor actual, List<String> headerMismatches,
            boolean valuesCompared, int mismatchCount, int firstIndex) {
        this.expected = expected;
        this.actual = actual;
        this.headerMismatches = headerMismatches;
        this.valuesCompared = valuesCompared;
        this.mismatchCount = mismatchCount;
        this.firstIndex = firstIndex;
    }

    /**
     * Compares two tensors exactly: kind, shape, value bits, fractional bits (numbers and form),
     * scales (bit patterns and form, when both are QFloats) and every value. Values are compared
     * whenever the shapes agree, even if a header differs.
     *
     * @param expected the reference tensor, e.g. quantizeml's output
     * @param actual the tensor under test
     * @return the comparison
     * @throws NullPointerException if an argument is null
     */
    public static TensorComparison compare(QTensor expected, QTensor actual) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        List<String> header = new ArrayList<>();
        if (expected.getClass() != actual.getClass()) {
            header.add("kind: actual " + kind(actual) + ", expected " + kind(expected));
        }
        boolean sameShape = expected.shape().equals(actual.shape());
        if (!sameShape) {
            header.add("shape: actual " + actual.shape() + ", expected " + expected.shape());
        }
        if (expected.valueBits() != actual.valueBits()) {
            header.add("valueBits: actual " + actual.valueBits() + ", expected " + expected.valueBits());
        }
        if (!expected.fracBits().equals(actual.fracBits())) {
            header.add("fracBits: actual " + describe(actual.fracBits()) + ", expected "
                    + describe(expected.fracBits()));
        }
        if (expected instanceof QFloat && actual instanceof QFloat) {
            Scales e = ((QFloat) expected).scales();
            Scales a = ((QFloat) actual).scales();
            if (!e.equals(a)) {
                header.add("scales: actual " + describe(a) + ", expected " + describe(e));
            }
        }
        int count = 0;
        int first = -1;
        if (sameShape) {
            long[] e = expected.copyValues();
            long[] a = actual.copyValues();
            for (int i = 0; i < e.length; i++) {
                if (e[i] != a[i]) {
                    if (first < 0) {
                        first = i;
                    }
                    count++;
                }
            }
        } else {
            count = expected.shape().size();
        }
        return new TensorComparison(expected, actual, Collections.unmodifiableList(header), sameShape, count,
                first);
    }

    /**
     * Whether the tensors are identical in kind, shape, value bits, fractional bits, scales and values.
     *
     * @return true when nothing differs
     */
    public boolean matches() {
        return headerMismatches.isEmpty() && mismatchCount == 0;
    }

    /**
     * Returns the number of differing values. When the shapes differ no value can be paired, and every
     * expected value counts as differing.
     *
     * @return the count, 0 to the expected element count
     */
    public int mismatchCount() {
        return mismatchCount;
    }

    /**
     * Returns the differences in the header (kind, shape, value bits, fractional bits, scales), one
     * line each, in that order.
     *
     * @return an unmodifiable list, empty when the headers agree
     */
    public List<String> headerMismatches() {
        return headerMismatches;
    }

    /**
     * Returns the flat C-order index of the first differing value.
     *
     * @return the index, or -1 when no paired value differs (including when the shapes differ)
     */
    public int firstMismatchIndex() {
        return firstIndex;
    }

    /**
     * Describes the first difference: the first header difference if any, else the first differing
     * value with its coordinate, e.g. {@code values: first difference at (0, 1, 1): actual 113,
     * expected 114; 1 of 4 values differ}.
     *
     * @return the description, or empty when the tensors match
     */
    public Optional<String> firstMismatch() {
        if (!headerMismatches.isEmpty()) {
            return Optional.of(headerMismatches.get(0));
        }
        if (mismatchCount > 0) {
            return Optional.of(valuesLine());
        }
        return Optional.empty();
    }

    private String valuesLine() {
        int total = expected.shape().size();
        if (!valuesCompared) {
            return "values: not compared, the shapes differ; " + total + " of " + total + " values differ";
        }
        return "values: first difference at " + expected.shape().coordinates(firstIndex) + ": actual "
                + actual.valueAt(firstIndex) + ", expected " + expected.valueAt(firstIndex) + "; " + mismatchCount
                + " of " + total + " values differ";
    }

    /**
     * Returns a multi-line report: a summary line, then each header difference, then the first
     * differing value as an {@code (n, h, w, c)} coordinate with actual and expected, and how many of
     * how many values differ.
     *
     * @return the report; for matching tensors one line describing them
     */
    public String report() {
        if (matches()) {
            return "tensors match: " + kind(expected) + ", shape " + expected.shape() + ", valueBits "
                    + expected.valueBits() + ", fracBits " + describe(expected.fracBits())
                    + (expected instanceof QFloat ? ", scales " + describe(((QFloat) expected).scales()) : "")
                    + ", " + expected.shape().size() + " values";
        }
        StringBuilder sb = new StringBuilder("tensors differ (actual vs expected):");
        for (String line : headerMismatches) {
            sb.append("\n  ").append(line);
        }
        if (mismatchCount > 0) {
            sb.append("\n  ").append(valuesLine());
        } else {
            sb.append("\n  values: all ").append(expected.shape().size()).append(" equal");
        }
        return sb.toString();
    }

    /**
     * Throws unless the tensors match; for tests.
     *
     * @throws AssertionError with {@link #report()} as its message, if anything differs
     */
    public void assertMatches() {
        if (!matches()) {
            throw new AssertionError(report());
        }
    }

    /** Returns {@link #report()}. */
    @Override
    public String toString() {
        return report();
    }

    private static String kind(QTensor t) {
        return t instanceof QFloat ? "QFloat" : "FixedPoint";
    }

    private static String describe(FracBits f) {
        return f + (f.isPerAxis() ? " (per-axis)" : " (per-tensor)");
    }

    private static String describe(Scales s) {
        StringBuilder sb = new StringBuilder(s.isPerAxis() ? "[" : "");
        float[] v = s.toArray();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(v[i]).append(" (0x")
                    .append(String.format("%08x", Float.floatToRawIntBits(v[i]))).append(')');
        }
        return sb.append(s.isPerAxis() ? "] (per-axis)" : " (per-tensor)").toString();
    }
}
