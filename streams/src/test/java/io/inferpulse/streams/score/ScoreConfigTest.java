package io.inferpulse.streams.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.streams.job.StreamsJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoreConfigTest {
    private static final Map<String, String> KAFKA = Map.of("kafka.bootstrap.servers", "127.0.0.1:9092",
            "schema.registry.url", "http://127.0.0.1:8081");

    @Test
    void shouldDefaultToTheEndpointPickersScorersAndStaleness() {
        ScoreConfig config = ScoreConfig.of(KAFKA);

        assertThat(config.score()).isEqualTo(ScoreSettings.defaults());
        assertThat(config.score().weights()).containsExactlyInAnyOrderEntriesOf(Map.of("queue", 2.0, "kv-cache", 2.0,
                "running-requests", 0.0, "lora", 0.0, "error-rate", 0.0, "latency", 0.0));
        assertThat(config.job().applicationId()).isEqualTo("inferpulse-endpoint-scores");
        assertThat(config.ops().port()).isEqualTo(9406);
    }

    @Test
    void shouldReadEverySetting() {
        Map<String, String> settings = with(Map.of("score.staleness", "3s", "score.evaluation.interval", "500ms",
                "score.endpoint.retention", "10m", "score.requests.window", "2m", "score.requests.bucket", "10s",
                "score.requests.min-count", "20", "score.failing.error-ratio", "0.8", "score.publish.epsilon", "0.01",
                "score.weight.latency", "1.5", "score.cluster-labels.prod-eu", "gke.io/region=europe-west4"));

        ScoreSettings score = ScoreConfig.of(settings).score();

        assertThat(score).isEqualTo(new ScoreSettings(Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofMinutes(10),
                Duration.ofMinutes(2), Duration.ofSeconds(10), 20, 0.8, 0.01,
                Map.of("queue", 2.0, "kv-cache", 2.0, "latency", 1.5),
                Map.of("prod-eu", Map.of("gke.io/region", "europe-west4"))));
        assertThat(score.clusterLabelsOf("prod-eu")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "gke.io/cluster-name", "prod-eu", "gke.io/region", "europe-west4"));
        assertThat(score.clusterLabelsOf("other")).containsExactlyEntriesOf(Map.of("gke.io/cluster-name", "other"));
    }

    @Test
    void shouldNameTheKeyOfANegativeWeight() {
        assertThatThrownBy(() -> ScoreConfig.of(with(Map.of("score.weight.queue", "-1")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("score.weight.queue").hasMessageContaining("-1.0 is not a finite number >= 0");
    }

    @Test
    void shouldSuggestTheScorerOfAMisspelledWeight() {
        assertThatThrownBy(() -> ScoreConfig.of(with(Map.of("score.weight.kvcache", "1")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("score.weight.kvcache: unknown setting (did you mean score.weight.kv-cache?)");
    }

    @Test
    void shouldRefuseWeightsThatDisableEveryScorer() {
        assertThatThrownBy(() -> ScoreConfig.of(with(Map.of("score.weight.queue", "0", "score.weight.kv-cache", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("every score.weight.* is 0");
    }

    @Test
    void shouldNameTheKeysOfABucketThatDoesNotDivideTheWindow() {
        assertThatThrownBy(() -> ScoreConfig.of(with(Map.of("score.requests.bucket", "7s")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("score.requests.bucket (PT7S) must divide score.requests.window (PT1M)");
    }

    @Test
    void shouldNameTheKeysOfAnEvaluationSlowerThanTheStaleness() {
        assertThatThrownBy(() -> ScoreConfig.of(with(Map.of("score.evaluation.interval", "5s"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("score.evaluation.interval (PT5S) must not exceed score.staleness (PT2S)");
    }

    @Test
    void shouldNameTheKeyOfAnErrorRatioOutOfRange() {
        assertThatThrownBy(() -> ScoreConfig.of(with(Map.of("score.failing.error-ratio", "1.5"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("score.failing.error-ratio: 1.5 is not in (0, 1]");
    }

    @Test
    void shouldNameTheClusterOfAMalformedLabel() {
        assertThatThrownBy(() -> ScoreConfig.of(with(Map.of("score.cluster-labels.prod-eu", "gke.io/region=europe-west4,zone"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("score.cluster-labels.prod-eu: 'zone' is not label=value");
    }

    @Test
    void shouldPassStreamsPropertiesThroughButKeepItsOwnIdAndStateDir() {
        ScoreConfig config = ScoreConfig.of(with(Map.of("streams.num.standby.replicas", "1",
                "streams.application.id", "scores-eu", "streams.commit.interval.ms", "200")));

        assertThat(config.job().applicationId()).isEqualTo("scores-eu");
        assertThat(config.job().overrides()).containsExactlyInAnyOrderEntriesOf(Map.of("num.standby.replicas", "1",
                "commit.interval.ms", "200"));
        assertThat(StreamsJob.properties(ScoreJob.spec(config, new SimpleMeterRegistry()))).containsEntry("commit.interval.ms", "200")
                .containsEntry("application.id", "scores-eu").containsEntry("processing.guarantee", "at_least_once");
    }

    private static Map<String, String> with(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(KAFKA);
        settings.putAll(extra);
        return settings;
    }
}
