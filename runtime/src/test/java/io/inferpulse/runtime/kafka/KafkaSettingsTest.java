package io.inferpulse.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.runtime.config.Configuration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    private static Configuration load(Map<String, String> flags, Map<String, String> env) {
        return Configuration.load(KafkaSettings.PARAMETERS, KafkaSettings.PASS_THROUGH_PREFIXES,
                new Configuration.Sources(flags, env, Optional.empty()));
    }

    @Test
    void shouldMapRegistrySettingsToConfluentClientNames() {
        // given
        Configuration config = load(Map.of(
                "schema.registry.url", "https://registry.example:8081",
                "schema.registry.basic.auth.user.info", "user:pass",
                "schema.registry.basic.auth.credentials.source", "USER_INFO",
                "schema.registry.retry.max.attempts", "7"), Map.of());

        // when
        Map<String, Object> registry = KafkaSettings.from(config).registryConfig();

        // then Confluent's unprefixed names are there, and the prefixed ones its client reads too
        assertThat(registry)
                .containsEntry("schema.registry.url", "https://registry.example:8081")
                .containsEntry("basic.auth.user.info", "user:pass")
                .containsEntry("basic.auth.credentials.source", "USER_INFO")
                .containsEntry("schema.registry.retry.max.attempts", "7")
                .doesNotContainKey("url");
    }

    @Test
    void shouldUseTheDefaultRegistryUrlWhenNoneIsSet() {
        assertThat(KafkaSettings.from(load(Map.of(), Map.of())).registryConfig())
                .isEqualTo(Map.of("schema.registry.url", "http://127.0.0.1:8081"));
    }

    @Test
    void shouldCarryKafkaPassThroughAndTheClientIdIntoClientConfig() {
        // given
        Configuration config = load(
                Map.of("kafka.bootstrap.servers", "broker-1:9093,broker-2:9093", "kafka.security.protocol", "SASL_SSL"),
                Map.of("INFERPULSE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                        "INFERPULSE_KAFKA_SASL_JAAS_CONFIG", "ScramLoginModule required;"));

        // when
        KafkaSettings settings = KafkaSettings.from(config);
        Map<String, Object> client = settings.clientConfig("inferpulse-ingest");

        // then
        assertThat(client).isEqualTo(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9093,broker-2:9093",
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "ScramLoginModule required;",
                CommonClientConfigs.CLIENT_ID_CONFIG, "inferpulse-ingest"));
        assertThat(settings.bootstrapServers()).isEqualTo("broker-1:9093,broker-2:9093");
        assertThat(client).doesNotContainKeys("schema.registry.url", "url");
    }

    @Test
    void shouldUseTheDefaultBootstrapServersWhenNoneIsSet() {
        // when
        KafkaSettings settings = KafkaSettings.from(load(Map.of(), Map.of()));

        // then
        assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(settings.clientConfig("c")).containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    }

    @Test
    void shouldLetTheCallerClientIdWinOverAPassThroughOne() {
        // given
        KafkaSettings settings = KafkaSettings.from(load(Map.of("kafka.client.id", "from-config"), Map.of()));

        // when
        Map<String, Object> client = settings.clientConfig("inferpulse-streams");

        // then
        assertThat(client).containsEntry(CommonClientConfigs.CLIENT_ID_CONFIG, "inferpulse-streams");
    }

    @Test
    void shouldNotShareMutableMapsBetweenCallers() {
        // given
        KafkaSettings settings = KafkaSettings.from(load(Map.of(), Map.of()));

        // when
        settings.clientConfig("a").put("acks", "0");
        settings.registryConfig().put("bearer.auth.token", "x");

        // then
        assertThat(settings.clientConfig("b")).doesNotContainKey("acks");
        assertThat(settings.registryConfig()).doesNotContainKey("bearer.auth.token");
    }

    @Test
    void shouldReadTopicDefaultsAndOverrides() {
        // given
        KafkaSettings defaults = KafkaSettings.from(load(Map.of(), Map.of()));
        KafkaSettings overridden = KafkaSettings.from(load(Map.of("topics.partitions", "12"),
                Map.of("INFERPULSE_TOPICS_REPLICATION_FACTOR", "3")));

        // then
        assertThat(defaults.topicPartitions()).isEqualTo(3);
        assertThat(defaults.topicReplicationFactor()).isEqualTo(-1);
        assertThat(overridden.topicPartitions()).isEqualTo(12);
        assertThat(overridden.topicReplicationFactor()).isEqualTo(3);
    }

    @Test
    void shouldBuildLocalSettingsForTheEmbeddedStack() {
        // when
        KafkaSettings local = KafkaSettings.local("127.0.0.1:39092", "http://127.0.0.1:38081");

        // then
        assertThat(local.bootstrapServers()).isEqualTo("127.0.0.1:39092");
        assertThat(local.registryConfig()).isEqualTo(Map.of("schema.registry.url", "http://127.0.0.1:38081"));
        assertThat(local.clientConfig("x")).containsEntry(CommonClientConfigs.CLIENT_ID_CONFIG, "x");
    }
}
