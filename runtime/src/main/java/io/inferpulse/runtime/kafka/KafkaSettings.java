package io.inferpulse.runtime.kafka;

import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How a service reaches Kafka and the schema registry. Any Kafka client property can be given
 * under {@code kafka.} (for example {@code kafka.security.protocol=SASL_SSL}, or the environment
 * variable {@code INFERPULSE_KAFKA_SASL_JAAS_CONFIG}); any registry client property under
 * {@code schema.registry.} (Confluent's names: {@code schema.registry.basic.auth.user.info}).
 */
public record KafkaSettings(Map<String, String> clientProperties, Map<String, String> registryProperties,
                            int topicPartitions, int topicReplicationFactor) {
    public static final String KAFKA_PREFIX = "kafka.";
    public static final String REGISTRY_PREFIX = "schema.registry.";

    public static final ConfigParameter<String> BOOTSTRAP_SERVERS = ConfigParameter.of("kafka.bootstrap.servers",
            NON_EMPTY, "127.0.0.1:9092", "Kafka bootstrap servers, host:port[,host:port]");
    public static final ConfigParameter<String> SCHEMA_REGISTRY_URL = ConfigParameter.of("schema.registry.url",
            NON_EMPTY, "http://127.0.0.1:8081",
            "Schema registry base URL(s), Confluent API (Apicurio: http://host:8080/apis/ccompat/v7)");
    public static final ConfigParameter<Integer> TOPIC_PARTITIONS = ConfigParameter.of("topics.partitions",
            intAtLeast(1), "3", "Partitions of topics inferpulse creates when they are missing");
    public static final ConfigParameter<Integer> TOPIC_REPLICATION_FACTOR = ConfigParameter.of(
            "topics.replication.factor", intAtLeast(-1), "-1",
            "Replication factor of topics inferpulse creates; -1 uses the broker's default.replication.factor");

    public static final List<ConfigParameter<?>> PARAMETERS =
            List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR);
    public static final Set<String> PASS_THROUGH_PREFIXES = Set.of(KAFKA_PREFIX, REGISTRY_PREFIX);

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
        registryProperties = Map.copyOf(registryProperties);
    }

    public static KafkaSettings from(Configuration config) {
        Map<String, String> registry = new HashMap<>();
        // Confluent's clients read some registry settings with the prefix (schema.registry.url,
        // schema.registry.ssl.*) and some without (basic.auth.user.info): hand over both spellings.
        config.withPrefix(REGISTRY_PREFIX).forEach((k, v) -> {
            registry.put(REGISTRY_PREFIX + k, v);
            if (!k.equals("url")) {
                registry.put(k, v);
            }
        });
        return new KafkaSettings(config.withPrefix(KAFKA_PREFIX), registry,
                config.get(TOPIC_PARTITIONS), config.get(TOPIC_REPLICATION_FACTOR));
    }

    /** Settings for a given broker and registry with defaults otherwise: the embedded stack and tests. */
    public static KafkaSettings local(String bootstrapServers, String registryUrl) {
        return new KafkaSettings(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Map.of(REGISTRY_PREFIX + "url", registryUrl), 3, -1);
    }

    public String bootstrapServers() {
        return clientProperties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    /** Properties for any Kafka client, to which a caller adds its own (serializers, group id). */
    public Map<String, Object> clientConfig(String clientId) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    /**
     * Properties for the schema-registry client in Confluent's serde names
     * ({@code schema.registry.url}, {@code basic.auth.user.info}, {@code schema.registry.ssl.truststore.location}, ...).
     */
    public Map<String, Object> registryConfig() {
        return new HashMap<>(registryProperties);
    }
}
