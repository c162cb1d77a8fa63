package io.github.qbn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FormatTest {

    @Test
    void parsesTheCommandLineSyntax() {
        Format f = Format.parse("8:0");
        assertThat(f.valueBits()).isEqualTo(8);
        assertThat(f.fracBits()).isEqualTo(FracBits.of(0));
        assertThat(f.scales()).isNull();
        assertThat(f.isQFloat()).isFalse();

        Format g = Format.parse(" 7:2,-1,4 ");
        assertThat(g.fracBits()).isEqualTo(FracBits.perAxis(2, -1, 4));

        Format h = Format.parse("7:4@0.05");
        assertThat(h.scales()).isEqualTo(Scales.of(0.05f));
        assertThat(h.isQFloat()).isTrue();

        Format k = Format.parse("15:3,4@0.5,0.25");
        assertThat(k.scales()).isEqualTo(Scales.perAxis(0.5f, 0.25f));
    }

    @Test
    void textFormRoundTrips() {
        for (String text : new String[] {"8:0", "7:4", "7:-3", "7:2,3,4", "7:4@0.05", "31:1,2@0.5,0.25"}) {
            assertThat(Format.parse(text).toString()).isEqualTo(text);
            assertThat(Format.parse(Format.parse(text).toString())).isEqualTo(Format.parse(text));
        }
    }

    @Test
    void factoriesEqualTheirParsedForms() {
        assertThat(Format.int8(4)).isEqualTo(Format.parse("7:4")).isEqualTo(Format.fixedPoint(7, FracBits.of(4)));
        assertThat(Format.int8PerAxis(1, 2)).isEqualTo(Format.parse("7:1,2"));
        assertThat(Format.qFloat(7, FracBits.of(4), Scales.of(0.05f))).isEqualTo(Format.parse("7:4@0.05"));
        assertThat(Format.int8(4).hashCode()).isEqualTo(Format.parse("7:4").hashCode());
        assertThat(Format.int8(4)).isNotEqualTo(Format.int8PerAxis(4)).isNotEqualTo(Format.int8(3))
                .isNotEqualTo(Format.parse("7:4@1"));
    }

    @Test
    void describesATensorsFormat() {
        FixedPoint x = FixedPoint.of(Shape.of(1, 1, 2), new int[] {1, 2}, 7, FracBits.perAxis(1, 2));
        assertThat(x.format()).isEqualTo(Format.parse("7:1,2"));
        assertThat(Format.parse("7:1,2").matches(x)).isTrue();
        assertThat(Format.parse("7:1,3").matches(x)).isFalse();
        QFloat q = QFloat.of(x, Scales.of(0.5f));
        assertThat(q.format()).isEqualTo(Format.parse("7:1,2@0.5"));
        assertThat(Format.parse("7:1,2").matches(q)).isFalse();
        assertThat(Format.parse("7:1,2@0.5").matches(q)).isTrue();
        assertThat(Format.parse("8:0").describe()).isEqualTo("FixedPoint, 8 value bits, frac bits 0 (per-tensor)");
        assertThat(Format.parse("7:4@0.05").describe())
                .isEqualTo("QFloat, 7 value bits, frac bits 4 (per-tensor), scale 0.05");
    }

    @Test
    void rejectsMalformedTextNamingIt() {
        assertThatThrownBy(() -> Format.parse("8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("format must be VB:FB[,FB...][@SCALE[,SCALE...]], e.g. 8:0, 7:2,4 or 7:4@0.05, got \"8\"");
        assertThatThrownBy(() -> Format.parse("8:x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got \"8:x\"");
        assertThatThrownBy(() -> Format.parse("99999999999:0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("integer VB and FB");
        assertThatThrownBy(() -> Format.parse("40:0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("valueBits must be in [0, 39], got 40");
        assertThatThrownBy(() -> Format.parse("7:4@-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("format's SCALE must be a finite positive number, got \"-1\" (in \"7:4@-1\")");
        assertThatThrownBy(() -> Format.parse("7:4@abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got \"abc\"");
        assertThatThrownBy(() -> Format.parse("7:4@Infinity")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Format.parse("7:1,2@0.5,0.5,0.5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("scales must have one entry per channel (2, as fracBits), got 3");
        assertThatThrownBy(() -> Format.parse(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
    }
}
