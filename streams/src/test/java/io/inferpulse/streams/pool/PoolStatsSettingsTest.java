package io.inferpulse.streams.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PoolStatsSettingsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void shouldDefaultToTheEndpointPickersStaleness() {
        PoolStatsSettings defaults = PoolStatsSettings.defaults();

        assertThat(defaults.staleness()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.evaluationInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.podRetention()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void shouldNameTheFieldThatIsNotPositive() {
        assertThatThrownBy(() -> new PoolStatsSettings(Duration.ZERO, SECOND, SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("staleness ");
        assertThatThrownBy(() -> new PoolStatsSettings(SECOND, Duration.ofSeconds(-1), SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("heartbeat ");
        assertThatThrownBy(() -> new PoolStatsSettings(SECOND, SECOND, Duration.ofNanos(1), SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("evaluationInterval ");
        assertThatThrownBy(() -> new PoolStatsSettings(SECOND, SECOND, SECOND, null))
                .isInstanceOf(NullPointerException.class).hasMessage("podRetention");
    }

    @Test
    void shouldRejectAnEvaluationIntervalLongerThanTheHeartbeat() {
        assertThatThrownBy(() -> new PoolStatsSettings(SECOND, SECOND, Duration.ofSeconds(2), SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evaluationInterval");
    }

    @Test
    void shouldRejectAPodRetentionShorterThanTheStaleness() {
        assertThatThrownBy(() -> new PoolStatsSettings(Duration.ofSeconds(2), SECOND, SECOND, SECOND))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("podRetention");
    }
}
