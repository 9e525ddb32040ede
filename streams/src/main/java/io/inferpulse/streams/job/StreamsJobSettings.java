package io.inferpulse.streams.job;

import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.PATH;

import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The settings every streams job has: its {@code application.id}, its state directory, and any Kafka
 * Streams property under {@value #PREFIX} (for example {@code streams.num.standby.replicas=1}), which
 * the operator's word makes win over the job's own tuning.
 *
 * @param overrides the Kafka Streams properties given under {@value #PREFIX}, without the prefix
 */
public record StreamsJobSettings(String applicationId, Path stateDir, Map<String, String> overrides) {
    public static final String PREFIX = "streams.";

    public StreamsJobSettings {
        overrides = Map.copyOf(overrides);
    }

    /** The two settings as one job declares them: the keys are common, the defaults the job's own. */
    public record Declarations(ConfigParameter<String> applicationId, ConfigParameter<Path> stateDir) {

        public List<ConfigParameter<?>> parameters() {
            return List.of(applicationId, stateDir);
        }

        public StreamsJobSettings from(Configuration config) {
            Map<String, String> overrides = new HashMap<>(config.withPrefix(PREFIX));
            // Declared settings of their own, which would otherwise be passed on twice.
            overrides.remove("application.id");
            overrides.remove("state.dir");
            return new StreamsJobSettings(config.get(applicationId), config.get(stateDir), overrides);
        }
    }

    /**
     * @param applicationId its default
     * @param stateDirName  the default state directory's name under the system's temporary directory
     * @param shared        what instances sharing the application id share, for the description
     */
    public static Declarations declare(String applicationId, String stateDirName, String shared) {
        return new Declarations(
                ConfigParameter.of(PREFIX + "application.id", NON_EMPTY, applicationId,
                        "Kafka Streams application.id: instances sharing it share " + shared),
                ConfigParameter.of(PREFIX + "state.dir", PATH, System.getProperty("java.io.tmpdir") + "/" + stateDirName,
                        "Directory for local state"));
    }

    /** The prefixes a streams job passes through: Kafka's clients', and {@value #PREFIX}. */
    public static Set<String> passThroughPrefixes(String... more) {
        return Stream.of(KafkaSettings.PASS_THROUGH_PREFIXES.stream(), Stream.of(PREFIX), Stream.of(more))
                .flatMap(s -> s).collect(Collectors.toUnmodifiableSet());
    }
}
