package io.github.qbn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void describesChannelLastTensors() {
        Shape s = Shape.of(1, 56, 56, 64);
        assertThat(s.rank()).isEqualTo(4);
        assertThat(s.channels()).isEqualTo(64);
        assertThat(s.size()).isEqualTo(56 * 56 * 64);
        assertThat(s.coordinates(64 * 57 + 5)).isEqualTo("(0, 1, 1, 5)");
        assertThat(Shape.scalar().channels()).isEqualTo(1);
        assertThat(Shape.scalar().size()).isEqualTo(1);
    }

    @Test
    void refusesRankAboveFourNegativeDimensionsAndHugeSizes() {
        assertThatThrownBy(() -> Shape.of(1, 1, 1, 1, 1)).hasMessage("rank must be in [0, 4], got 5 (shape [1, 1, 1, 1, 1])");
        assertThatThrownBy(() -> Shape.of(2, -1)).hasMessage("dimensions must be >= 0, got [2, -1]");
        assertThatThrownBy(() -> Shape.of(65536, 65536)).hasMessageContaining("element count");
    }

    @Test
    void fracBitsFormsAreDistinct() {
        assertThat(FracBits.of(3)).isNotEqualTo(FracBits.perAxis(3));
        assertThat(FracBits.perAxis(3).isPerTensor()).isTrue();
        assertThat(FracBits.perAxis(1, 5, -2).max()).isEqualTo(5);
        assertThat(FracBits.perAxis(1, 5, -2).min()).isEqualTo(-2);
        assertThat(FracBits.perAxis(1, 5)).hasToString("[1, 5]");
        assertThat(FracBits.of(-4)).hasToString("-4");
    }
}
