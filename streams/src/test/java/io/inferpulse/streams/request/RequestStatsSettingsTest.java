package io.inferpulse.streams.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestStatsSettingsTest {

    @Test
    void shouldDefaultToTheAlertRulesWindow() {
        RequestStatsSettings defaults = RequestStatsSettings.defaults();

        assertThat(defaults.window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.evaluationInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.grace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.stallTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.errorWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.relativeAccuracy()).isEqualTo(0.01);
    }

    @Test
    void shouldRejectWindowsThatAreNotWholeIntervals() {
        assertThatThrownBy(() -> new RequestStatsSettings(Duration.ofSeconds(70), Duration.ofSeconds(15), Duration.ZERO,
                Duration.ZERO, Duration.ofMinutes(1), 0.01)).hasMessageContaining("window (PT1M10S) must be a positive multiple");
        assertThatThrownBy(() -> new RequestStatsSettings(Duration.ofMinutes(5), Duration.ofSeconds(15), Duration.ZERO,
                Duration.ZERO, Duration.ofSeconds(20), 0.01)).hasMessageContaining("errorWindow (PT20S)");
        assertThatThrownBy(() -> new RequestStatsSettings(Duration.ofMinutes(5), Duration.ofSeconds(15),
                Duration.ofSeconds(-1), Duration.ZERO, Duration.ofMinutes(1), 0.01)).hasMessageContaining("grace must not be negative");
        assertThatThrownBy(() -> new RequestStatsSettings(Duration.ofMinutes(5), Duration.ofSeconds(15), Duration.ZERO,
                Duration.ofSeconds(-1), Duration.ofMinutes(1), 0.01)).hasMessageContaining("stallTimeout must not be negative");
        assertThatThrownBy(() -> new RequestStatsSettings(Duration.ofMinutes(5), Duration.ofSeconds(15), Duration.ZERO,
                Duration.ZERO, Duration.ofMinutes(1), 1.0)).hasMessageContaining("relativeAccuracy");
    }
}
