package io.inferpulse.ingest.promtext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {

    @Test
    void shouldSortLabelsByName() {
        Labels labels = Labels.of("model_name", "m", "engine", "0", "le", "+Inf");

        assertThat(labels.size()).isEqualTo(3);
        assertThat(labels.asMap()).containsExactly(Map.entry("engine", "0"), Map.entry("le", "+Inf"), Map.entry("model_name", "m"));
    }

    @Test
    void shouldBeEqualRegardlessOfInputOrder() {
        assertThat(Labels.of("a", "1", "b", "2")).isEqualTo(Labels.of("b", "2", "a", "1"))
                .hasSameHashCodeAs(Labels.of("b", "2", "a", "1"))
                .isNotEqualTo(Labels.of("a", "1", "b", "3"));
    }

    @Test
    void shouldReturnNullForMissingLabel() {
        assertThat(Labels.of("a", "1").get("b")).isNull();
        assertThat(Labels.empty().get("a")).isNull();
    }

    @Test
    void shouldVisitLabelsInNameOrder() {
        Map<String, String> visited = new LinkedHashMap<>();

        Labels.of("z", "1", "a", "2").forEach(visited::put);

        assertThat(visited).containsExactly(Map.entry("a", "2"), Map.entry("z", "1"));
    }

    @Test
    void shouldRenderInExpositionSyntaxWithEscapes() {
        assertThat(Labels.of("b", "say \"hi\"", "a", "C:\\x\nnext")).hasToString("{a=\"C:\\\\x\\nnext\",b=\"say \\\"hi\\\"\"}");
        assertThat(Labels.empty()).hasToString("{}");
    }

    @Test
    void shouldRejectDuplicateAndInvalidNames() {
        assertThatThrownBy(() -> Labels.of("a", "1", "a", "2")).hasMessage("duplicate label name \"a\"");
        assertThatThrownBy(() -> Labels.of("a:b", "1")).hasMessage("invalid label name \"a:b\"");
        assertThatThrownBy(() -> Labels.of("", "1")).hasMessage("invalid label name \"\"");
        assertThatThrownBy(() -> Labels.of("a")).hasMessage("expected name/value pairs, got 1 strings");
    }

    @Test
    void shouldNotShareTheCallersArray() {
        String[] pairs = {"a", "1"};
        Labels labels = Labels.of(pairs);

        pairs[1] = "changed";

        assertThat(labels.get("a")).isEqualTo("1");
    }
}
