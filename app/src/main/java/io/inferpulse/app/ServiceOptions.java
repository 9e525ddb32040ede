package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The options every service command takes: a config file, any setting as {@code --set key=value},
 * and flags for the settings everyone changes. Settings can also come from environment variables
 * ({@code INFERPULSE_SCRAPE_INTERVAL=500ms}).
 */
final class ServiceOptions {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceOptions.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML file of settings.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting, e.g. --set scrape.interval=500ms (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (kafka.bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL", description = "Schema registry URL (schema.registry.url).")
    String schemaRegistryUrl;

    @Option(names = "--http-port", paramLabel = "PORT", description = "Port of /metrics, /healthz and /readyz (http.port).")
    Integer httpPort;

    /** Loads and validates the configuration, logging the effective values with secrets masked. */
    Configuration load(String service, Collection<ConfigParameter<?>> parameters, Set<String> passThroughPrefixes,
                       Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>(settings);
        if (bootstrapServers != null) {
            flags.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        }
        if (schemaRegistryUrl != null) {
            flags.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), schemaRegistryUrl);
        }
        if (httpPort != null) {
            flags.put("http.port", String.valueOf(httpPort));
        }
        Configuration config = Configuration.load(parameters, passThroughPrefixes,
                new Configuration.Sources(flags, env, Optional.ofNullable(configFile)));
        LOG.info("{} configuration:\n  {}", service, String.join("\n  ", config.describe()));
        return config;
    }
}
