package io.inferpulse.streams.alert;

import static io.inferpulse.runtime.config.ConfigParsers.LIST;
import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.PATH;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.STRING;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import io.inferpulse.streams.rules.RuleSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Settings of the alert-evaluation job. Any Kafka Streams property can be given under
 * {@code streams.} (for example {@code streams.num.standby.replicas=1}).
 *
 * @param ruleFiles Prometheus rule files; empty for the built-in rules
 */
public record AlertConfig(String applicationId, Path stateDir, List<Path> ruleFiles, RuleSettings rules, AlertSettings alerts,
                          Map<String, String> streamsOverrides, KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9402;
    public static final String STREAMS_PREFIX = "streams.";

    public static final ConfigParameter<String> APPLICATION_ID = ConfigParameter.of("streams.application.id", NON_EMPTY,
            "inferpulse-alerts", "Kafka Streams application.id: instances sharing it share the rule groups");
    public static final ConfigParameter<Path> STATE_DIR = ConfigParameter.of("streams.state.dir", PATH,
            System.getProperty("java.io.tmpdir") + "/inferpulse-alerts", "Directory for local state");
    public static final ConfigParameter<List<String>> RULES = ConfigParameter.of("alerts.rules", LIST, "",
            "Comma-separated Prometheus rule files; empty for the built-in rules (alerts.yaml of the seeds)");
    public static final ConfigParameter<Duration> EVALUATION_INTERVAL = ConfigParameter.of("alerts.evaluation.interval",
            POSITIVE_DURATION, "15s", "Evaluation interval of rule groups that do not set their own");
    public static final ConfigParameter<Duration> RESEND_DELAY = ConfigParameter.of("alerts.resend.delay", POSITIVE_DURATION,
            "1m", "Firing and resolved alerts are sent again once their last send is this old");
    public static final ConfigParameter<Duration> RESOLVED_RETENTION = ConfigParameter.of("alerts.resolved.retention",
            POSITIVE_DURATION, "15m", "A resolved alert is kept and re-sent this long, then forgotten");
    public static final ConfigParameter<String> EXTERNAL_URL = ConfigParameter.of("alerts.external-url", STRING, "",
            "Base of the links back to rules (generator URL) in alerts");
    public static final ConfigParameter<Duration> REQUESTS_WINDOW = ConfigParameter.of("requests.window", POSITIVE_DURATION,
            "5m", "Window of the request statistics: must equal the request-stats job's, as rules' range functions read it");

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(APPLICATION_ID, STATE_DIR, RULES, EVALUATION_INTERVAL,
                        RESEND_DELAY, RESOLVED_RETENTION, EXTERNAL_URL, REQUESTS_WINDOW),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    public static Set<String> passThroughPrefixes() {
        return Stream.concat(KafkaSettings.PASS_THROUGH_PREFIXES.stream(), Stream.of(STREAMS_PREFIX))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Loads the configuration from settings alone: for embedding the job and for tests. */
    public static AlertConfig of(Map<String, String> settings) {
        return from(Configuration.load(parameters(), passThroughPrefixes(), Configuration.Sources.of(settings)));
    }

    public static AlertConfig from(Configuration config) {
        AlertSettings alerts;
        try {
            AlertSettings defaults = AlertSettings.defaults();
            alerts = new AlertSettings(config.get(RESEND_DELAY), config.get(RESOLVED_RETENTION), defaults.lookbackDelta(),
                    defaults.tick());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        RuleSettings rules = new RuleSettings(config.get(EVALUATION_INTERVAL), config.get(REQUESTS_WINDOW),
                config.get(EXTERNAL_URL));
        Map<String, String> overrides = new HashMap<>(config.withPrefix(STREAMS_PREFIX));
        overrides.remove("application.id");
        overrides.remove("state.dir");
        return new AlertConfig(config.get(APPLICATION_ID), config.get(STATE_DIR),
                config.get(RULES).stream().map(Path::of).toList(), rules, alerts, overrides,
                KafkaSettings.from(config), OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }
}
