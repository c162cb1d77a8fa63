package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KerasConfigTest {

    @Test
    void namesWeightGroupsAsKeras3Does() {
        assertThat(KerasConfig.snakeCase("BatchNormalization")).isEqualTo("batch_normalization");
        assertThat(KerasConfig.snakeCase("ReLU")).isEqualTo("re_lu");
        assertThat(KerasConfig.snakeCase("Conv2D")).isEqualTo("conv2d");
        assertThat(KerasConfig.snakeCase("DepthwiseConv2D")).isEqualTo("depthwise_conv2d");
        assertThat(KerasConfig.snakeCase("InputLayer")).isEqualTo("input_layer");
        assertThat(KerasConfig.snakeCase("Functional")).isEqualTo("functional");
    }

    @Test
    void dropsTheRegistrationPrefixOfAClassName() {
        assertThat(KerasConfig.simple("Custom>QuantizedBatchNormalization")).isEqualTo("QuantizedBatchNormalization");
        assertThat(KerasConfig.simple("BatchNormalization")).isEqualTo("BatchNormalization");
    }

    @Test
    void carriesTheRankThroughAKeras2Graph() throws FileFormatException {
        Map<String, Object> model = Map.of("class_name", "Functional", "config", Map.of("layers", List.of(
                layer("InputLayer", "in", Map.of("batch_input_shape", java.util.Arrays.asList(null, 8, 8, 3)), List.of()),
                layer("Conv2D", "conv", Map.of(), List.of(List.of(List.of("in", 0, 0, Map.of())))),
                layer("GlobalAveragePooling2D", "gap", Map.of(), List.of(List.of(List.of("conv", 0, 0, Map.of())))),
                layer("Reshape", "reshape", Map.of("target_shape", List.of(1, 1, 3)),
                        List.of(List.of(List.of("gap", 0, 0, Map.of())))),
                layer("BatchNormalization", "bn", Map.of(), List.of(List.of(List.of("reshape", 0, 0, Map.of())))),
                layer("MyLayer", "mine", Map.of(), List.of(List.of(List.of("bn", 0, 0, Map.of())))),
                layer("BatchNormalization", "bn2", Map.of(), List.of(List.of(List.of("mine", 0, 0, Map.of()))))),
                "output_layers", List.of(List.of("bn2", 0, 0))));

        List<KerasConfig.Layer> layers = KerasConfig.layers("m.h5", model, KerasConfig.Format.KERAS2);

        assertThat(layers).extracting(l -> l.name).containsExactly("in", "conv", "gap", "reshape", "bn", "mine", "bn2");
        assertThat(layers.get(2).inputRank).isEqualTo(4);
        assertThat(layers.get(4).inputRank).isEqualTo(4);
        assertThat(layers.get(6).inputRank).isNull();
        assertThat(layers.get(6).rankUnknownBecause).contains("\"mine\" (MyLayer)");
    }

    @Test
    void refusesASubclassedModel() {
        assertThatThrownBy(() -> KerasConfig.layers("m.keras", Map.of("class_name", "MyModel", "config", Map.of()),
                KerasConfig.Format.KERAS3))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining("must be a Functional or Sequential model, got MyModel");
    }

    private static Map<String, Object> layer(String cls, String name, Map<String, Object> extra, List<Object> inbound) {
        Map<String, Object> config = new java.util.LinkedHashMap<>(extra);
        config.put("name", name);
        return Map.of("class_name", cls, "name", name, "config", config, "inbound_nodes", inbound);
    }
}
