package io.github.qbn4j.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.tensor.FixedPoint;
import io.github.qbn4j.tensor.FracBits;
import io.github.qbn4j.tensor.QFloat;
import io.github.qbn4j.tensor.Scales;
import io.github.qbn4j.tensor.Shape;
import org.junit.jupiter.api.Test;

class TensorComparisonTest {

    private static final Shape SHAPE = Shape.of(1, 2, 2);
    /** spec §6 Example 2's output. */
    private static final FixedPoint Y = FixedPoint.of(SHAPE, new int[] {20, 8, -14, 114}, 7, FracBits.of(4));

    private static FixedPoint fp(int[] values, int valueBits, FracBits fracBits) {
        return FixedPoint.of(SHAPE, values, valueBits, fracBits);
    }

    @Test
    void matchesIdenticalTensors() {
        TensorComparison cmp = TensorComparison.compare(Y, fp(new int[] {20, 8, -14, 114}, 7, FracBits.of(4)));
        assertThat(cmp.matches()).isTrue();
        assertThat(cmp.mismatchCount()).isZero();
        assertThat(cmp.firstMismatch()).isEmpty();
        assertThat(cmp.firstMismatchIndex()).isEqualTo(-1);
        assertThat(cmp.report()).isEqualTo("tensors match: FixedPoint, shape [1, 2, 2], valueBits 7, "
                + "fracBits 4 (per-tensor), 4 values");
        assertThatCode(cmp::assertMatches).doesNotThrowAnyException();
    }

    @Test
    void reportsTheFirstDifferingValueAsACoordinateAndCountsDifferences() {
        TensorComparison cmp = TensorComparison.compare(Y, fp(new int[] {20, 8, -15, 113}, 7, FracBits.of(4)));
        assertThat(cmp.matches()).isFalse();
        assertThat(cmp.mismatchCount()).isEqualTo(2);
        assertThat(cmp.firstMismatchIndex()).isEqualTo(2);
        assertThat(cmp.headerMismatches()).isEmpty();
        assertThat(cmp.firstMismatch()).hasValue(
                "values: first difference at (0, 1, 0): actual -15, expected -14; 2 of 4 values differ");
        assertThat(cmp.report()).isEqualTo("tensors differ (actual vs expected):\n"
                + "  values: first difference at (0, 1, 0): actual -15, expected -14; 2 of 4 values differ");
    }

    @Test
    void reportsAFourDimensionalCoordinate() {
        Shape s = Shape.of(2, 2, 2, 3);
        long[] e = new long[s.size()];
        long[] a = e.clone();
        a[17] = 1; // n=1, h=0, w=1, c=2
        TensorComparison cmp = TensorComparison.compare(FixedPoint.of(s, e, 7, FracBits.of(0)),
                FixedPoint.of(s, a, 7, FracBits.of(0)));
        assertThat(cmp.firstMismatch()).hasValue(
                "values: first difference at (1, 0, 1, 2): actual 1, expected 0; 1 of 24 values differ");
    }

    @Test
    void reportsDifferentValueBits() {
        TensorComparison cmp = TensorComparison.compare(Y, fp(new int[] {20, 8, -14, 114}, 31, FracBits.of(4)));
        assertThat(cmp.matches()).isFalse();
        assertThat(cmp.mismatchCount()).isZero();
        assertThat(cmp.firstMismatch()).hasValue("valueBits: actual 31, expected 7");
        assertThat(cmp.report()).contains("valueBits: actual 31, expected 7").contains("values: all 4 equal");
    }

    @Test
    void reportsDifferentFracBitsNumbers() {
        TensorComparison cmp = TensorComparison.compare(Y, fp(new int[] {20, 8, -14, 114}, 7, FracBits.of(3)));
        assertThat(cmp.firstMismatch()).hasValue("fracBits: actual 3 (per-tensor), expected 4 (per-tensor)");
    }

    @Test
    void reportsTheSameFracBitsInAnotherForm() {
        TensorComparison cmp = TensorComparison.compare(Y,
                fp(new int[] {20, 8, -14, 114}, 7, FracBits.perAxis(4, 4)));
        assertThat(cmp.matches()).isFalse();
        assertThat(cmp.firstMismatch()).hasValue("fracBits: actual [4, 4] (per-axis), expected 4 (per-tensor)");
    }

    @Test
    void reportsDifferentKinds() {
        QFloat q = QFloat.of(Y, Scales.of(0.5f));
        TensorComparison cmp = TensorComparison.compare(Y, q);
        assertThat(cmp.matches()).isFalse();
        assertThat(cmp.firstMismatch()).hasValue("kind: actual QFloat, expected FixedPoint");
    }

    @Test
    void reportsScalesThatDifferInTheLastBit() {
        float s = 0.015748031f;
        QFloat expected = QFloat.of(Y, Scales.of(s));
        QFloat actual = QFloat.of(Y, Scales.of(Math.nextUp(s)));
        TensorComparison cmp = TensorComparison.compare(expected, actual);
        assertThat(cmp.matches()).isFalse();
        assertThat(cmp.mismatchCount()).isZero();
        assertThat(cmp.firstMismatch().orElseThrow()).startsWith("scales: actual ")
                .contains(String.format("0x%08x", Float.floatToIntBits(Math.nextUp(s))))
                .contains(String.format("expected %s (0x%08x) (per-tensor)", s, Float.floatToIntBits(s)));
    }

    @Test
    void reportsScalesInAnotherForm() {
        TensorComparison cmp = TensorComparison.compare(QFloat.of(Y, Scales.of(0.5f)),
                QFloat.of(Y, Scales.perAxis(0.5f, 0.5f)));
        assertThat(cmp.firstMismatch().orElseThrow()).contains("(per-axis), expected 0.5");
    }

    @Test
    void reportsADifferentShapeAndCountsEveryValue() {
        FixedPoint other = FixedPoint.of(Shape.of(1, 1, 4), new int[] {20, 8, -14, 114}, 7, FracBits.of(4));
        TensorComparison cmp = TensorComparison.compare(Y, other);
        assertThat(cmp.matches()).isFalse();
        assertThat(cmp.mismatchCount()).isEqualTo(4);
        assertThat(cmp.firstMismatch()).hasValue("shape: actual [1, 1, 4], expected [1, 2, 2]");
        assertThat(cmp.report()).contains("values: not compared, the shapes differ; 4 of 4 values differ");
    }

    @Test
    void listsHeaderDifferencesBeforeValues() {
        TensorComparison cmp = TensorComparison.compare(Y, fp(new int[] {20, 9, -14, 114}, 31, FracBits.of(2)));
        assertThat(cmp.report()).isEqualTo("tensors differ (actual vs expected):\n"
                + "  valueBits: actual 31, expected 7\n"
                + "  fracBits: actual 2 (per-tensor), expected 4 (per-tensor)\n"
                + "  values: first difference at (0, 0, 1): actual 9, expected 8; 1 of 4 values differ");
        assertThat(cmp.headerMismatches()).hasSize(2);
    }

    @Test
    void assertMatchesThrowsAnAssertionErrorWithTheReport() {
        TensorComparison cmp = TensorComparison.compare(Y, fp(new int[] {20, 8, -14, 113}, 7, FracBits.of(4)));
        assertThatThrownBy(cmp::assertMatches)
                .isInstanceOf(AssertionError.class)
                .hasMessage(cmp.report());
        assertThat(cmp).hasToString(cmp.report());
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> TensorComparison.compare(null, Y)).isInstanceOf(NullPointerException.class)
                .hasMessage("expected");
        assertThatThrownBy(() -> TensorComparison.compare(Y, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("actual");
    }
}
