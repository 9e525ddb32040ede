package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelMatcherTest {
    @Test
    void shouldMatchAsAlertmanagerDoes() {
        Map<String, String> labels = Map.of("alertname", "HighLatency", "severity", "critical");
        assertThat(LabelMatcher.parse("severity=\"critical\"").matches(labels)).isTrue();
        assertThat(LabelMatcher.parse("severity!=\"critical\"").matches(labels)).isFalse();
        assertThat(LabelMatcher.parse("alertname=~\"High.*\"").matches(labels)).isTrue();
        assertThat(LabelMatcher.parse("alertname=~\"High\"").matches(labels)).as("anchored").isFalse();
        assertThat(LabelMatcher.parse("alertname!~\"Low.*\"").matches(labels)).isTrue();
        assertThat(LabelMatcher.parse("team=\"\"").matches(labels)).as("a missing label is empty").isTrue();
        assertThat(LabelMatcher.parse("severity = critical").matches(labels)).as("unquoted value").isTrue();
    }

    @Test
    void shouldRejectMalformedMatchersNamingThem() {
        assertThatThrownBy(() -> LabelMatcher.parse("severity critical")).hasMessageContaining("'severity critical' is not a matcher");
        assertThatThrownBy(() -> LabelMatcher.parse("alertname=~\"(\"")).hasMessageContaining("invalid regular expression");
    }
}
