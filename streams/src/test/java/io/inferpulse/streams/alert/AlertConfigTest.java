package io.inferpulse.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.streams.job.StreamsJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class AlertConfigTest {
    private static final Map<String, String> KAFKA = Map.of("kafka.bootstrap.servers", "127.0.0.1:9092",
            "schema.registry.url", "http://127.0.0.1:8081");

    @Test
    void shouldDefaultToPrometheusTimingsAndTheBuiltInRules() {
        AlertConfig config = AlertConfig.of(KAFKA);

        assertThat(config.job().applicationId()).isEqualTo("inferpulse-alerts");
        assertThat(config.ruleFiles()).isEmpty();
        assertThat(config.rules().defaultInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.rules().requestWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.alerts().resendDelay()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.alerts().resolvedRetention()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.alerts().lookbackDelta()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void shouldReadRuleFilesAndTimings() {
        Map<String, String> settings = new HashMap<>(KAFKA);
        settings.put("alerts.rules", "/etc/inferpulse/a.yaml, /etc/inferpulse/b.yaml");
        settings.put("alerts.evaluation.interval", "30s");
        settings.put("alerts.resend.delay", "2m");
        settings.put("alerts.resolved.retention", "1h");
        settings.put("alerts.external-url", "https://alerts.example.com");
        settings.put("requests.window", "10m");

        AlertConfig config = AlertConfig.of(settings);

        assertThat(config.ruleFiles()).containsExactly(Path.of("/etc/inferpulse/a.yaml"), Path.of("/etc/inferpulse/b.yaml"));
        assertThat(config.rules().defaultInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.rules().requestWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.rules().externalUrl()).isEqualTo("https://alerts.example.com");
        assertThat(config.alerts().resendDelay()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.alerts().resolvedRetention()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldNameTheKeyOfABadDuration() {
        Map<String, String> settings = new HashMap<>(KAFKA);
        settings.put("alerts.resend.delay", "soon");

        assertThatThrownBy(() -> AlertConfig.of(settings)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.resend.delay");
    }

    @Test
    void shouldRunExactlyOnceAndPassStreamsSettingsThrough() {
        Map<String, String> settings = new HashMap<>(KAFKA);
        settings.put("streams.num.standby.replicas", "1");
        settings.put("streams.state.dir", "/var/lib/inferpulse-alerts");

        Properties props = StreamsJob.properties(AlertJob.spec(AlertConfig.of(settings), new SimpleMeterRegistry()));

        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("inferpulse-alerts");
        assertThat(props.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/inferpulse-alerts");
        assertThat(props.get("num.standby.replicas")).isEqualTo("1");
    }
}
