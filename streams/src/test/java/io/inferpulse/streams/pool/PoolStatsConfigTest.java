package io.inferpulse.streams.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.streams.request.RequestStatsSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolStatsConfigTest {
    private static final Map<String, String> KAFKA = Map.of("kafka.bootstrap.servers", "127.0.0.1:9092",
            "schema.registry.url", "http://127.0.0.1:8081");

    @Test
    void shouldDefaultTheRequestWindowsToTheAlertRules() {
        PoolStatsConfig config = PoolStatsConfig.of(KAFKA);

        assertThat(config.requests()).isEqualTo(RequestStatsSettings.defaults());
    }

    @Test
    void shouldReadTheRequestSettings() {
        Map<String, String> settings = new java.util.HashMap<>(KAFKA);
        settings.putAll(Map.of("requests.window", "10m", "requests.evaluation.interval", "30s", "requests.grace", "0s",
                "requests.stall-timeout", "30s", "errors.window", "5m", "requests.sketch.relative-accuracy", "0.02"));

        PoolStatsConfig config = PoolStatsConfig.of(settings);

        assertThat(config.requests()).isEqualTo(new RequestStatsSettings(Duration.ofMinutes(10), Duration.ofSeconds(30),
                Duration.ZERO, Duration.ofSeconds(30), Duration.ofMinutes(5), 0.02));
    }

    @Test
    void shouldNameTheKeysOfAWindowThatIsNotWholeIntervals() {
        Map<String, String> settings = new java.util.HashMap<>(KAFKA);
        settings.put("requests.window", "100s");

        assertThatThrownBy(() -> PoolStatsConfig.of(settings)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("requests.window, requests.evaluation.interval, errors.window do not fit together")
                .hasMessageContaining("window (PT1M40S) must be a positive multiple of evaluationInterval (PT15S)");
    }

    @Test
    void shouldNameTheKeyOfABadAccuracy() {
        Map<String, String> settings = new java.util.HashMap<>(KAFKA);
        settings.put("requests.sketch.relative-accuracy", "2");

        assertThatThrownBy(() -> PoolStatsConfig.of(settings)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("requests.sketch.relative-accuracy").hasMessageContaining("not between 0 and 1");
    }
}
