package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigReference;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The options every service command takes: a config file, any setting as {@code --set key=value},
 * and flags for the settings everyone changes. Settings can also come from environment variables
 * ({@code INFERPULSE_SCRAPE_INTERVAL=500ms}). {@code --help-config} lists them all.
 */
final class ServiceOptions {
    static final String HELP_CONFIG = "--help-config";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceOptions.class);

    // A help option, so that the command's required options need not be given with it.
    @Option(names = HELP_CONFIG, help = true,
            description = "Print every setting (key, environment variable, default, description) and exit.")
    boolean helpConfig;

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

    /**
     * Runs the command line as picocli would, except that a command given {@code --help-config}
     * prints its settings instead, before anything of the service starts or is checked.
     */
    static int printSettingsOrRun(ParseResult parsed) {
        ParseResult command = parsed;
        while (command.hasSubcommand()) {
            command = command.subcommand();
        }
        if (!command.hasMatchedOption(HELP_CONFIG)) {
            return new CommandLine.RunLast().execute(parsed);
        }
        PrintWriter out = command.commandSpec().commandLine().getOut();
        out.print(((ServiceCommand) command.commandSpec().userObject()).settings().text());
        out.flush();
        return CommandLine.ExitCode.OK;
    }

    /** Loads and validates the configuration, logging the effective values with secrets masked. */
    Configuration load(ConfigReference declared, Map<String, String> env) {
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
        Configuration config = Configuration.load(declared.parameters(), declared.passThroughPrefixes(),
                new Configuration.Sources(flags, env, Optional.ofNullable(configFile)));
        LOG.info("{} configuration:\n  {}", declared.service(), String.join("\n  ", config.describe()));
        return config;
    }
}
