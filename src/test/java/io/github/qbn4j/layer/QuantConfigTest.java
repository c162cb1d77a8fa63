package io.github.qbn4j.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qbn4j.QuantizationException;
import io.github.qbn4j.QuantizationException.ReferenceError;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantConfigTest {

    @Test
    void keepsGivenEntriesAndAppendsDefaultsInQuantizemlOrder() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("output_quantizer", Map.of("bitwidth", 8, "axis", "per-tensor"));
        QuantConfig c = QuantConfig.fromMap(given);
        assertThat(c.toMap().keySet()).containsExactly("output_quantizer", "a_quantizer", "buffer_bitwidth");
        assertThat(c.outputQuantizer().valueBits()).isEqualTo(7);
        assertThat(c.aQuantizer().bitwidth()).isEqualTo(8);
        assertThat(c.bQuantizer().bitwidth()).isEqualTo(8);
        assertThat(c.bufferValueBits()).isEqualTo(31);
    }

    @Test
    void anAQuantizerWithoutBitwidthTakesTheWeightQuantizerDefaultOfFour() {
        QuantConfig c = QuantConfig.fromMap(Map.of("a_quantizer", Map.of("signed", false)));
        assertThat(c.aQuantizer().bitwidth()).isEqualTo(4);
        assertThat(c.aQuantizer().valueBits()).isEqualTo(4);
    }

    @Test
    void anEmptyOrNullOutputQuantizerMeansNone() {
        assertThat(QuantConfig.fromMap(Map.of("output_quantizer", Map.of())).outputQuantizer()).isNull();
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("output_quantizer", null);
        withNull.put("buffer_bitwidth", null);
        QuantConfig c = QuantConfig.fromMap(withNull);
        assertThat(c.outputQuantizer()).isNull();
        assertThat(c.bufferBitwidth()).isEqualTo(32);
    }

    @Test
    void refusesUnknownKeysAndBadValues() {
        assertThatThrownBy(() -> QuantConfig.fromMap(Map.of("bias_quantizer", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key \"bias_quantizer\"");
        assertThatThrownBy(() -> QuantConfig.fromMap(Map.of("buffer_bitwidth", 0)))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.VALUE_ERROR));
        assertThatThrownBy(() -> QuantConfig.fromMap(Map.of("buffer_bitwidth", 64)))
                .isNotInstanceOf(QuantizationException.class).hasMessageContaining("<= 32");
        assertThatThrownBy(() -> QuantConfig.fromMap(Map.of("buffer_bitwidth", 32.0)))
                .isInstanceOfSatisfying(QuantizationException.class,
                        e -> assertThat(e.referenceError()).isEqualTo(ReferenceError.TYPE_ERROR));
        assertThatThrownBy(() -> QuantConfig.fromMap(Map.of("b_quantizer", Map.of("bitwidth", 1))))
                .isInstanceOf(QuantizationException.class).hasMessageContaining("AlignedWeightQuantizer bitwidth");
    }

    @Test
    void isImmutable() {
        QuantConfig c = QuantConfig.defaults();
        c.toMap().put("buffer_bitwidth", 8);
        assertThat(c.bufferBitwidth()).isEqualTo(32);
        assertThat(c.withBufferBitwidth(8).bufferBitwidth()).isEqualTo(8);
        assertThat(c).isEqualTo(QuantConfig.fromMap(null));
    }
}
