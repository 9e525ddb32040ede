package io.inferpulse.streams.alert;

import static io.inferpulse.runtime.config.ConfigParsers.LIST;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.STRING;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import io.inferpulse.streams.job.StreamsJobSettings;
import io.inferpulse.streams.request.RequestStatsSettings;
import io.inferpulse.streams.rules.RuleSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Settings of the alert-evaluation job. Any Kafka Streams property can be given under
 * {@code streams.} (for example {@code streams.num.standby.replicas=1}).
 *
 * @param ruleFiles Prometheus rule files; empty for the built-in rules
 */
public record AlertConfig(StreamsJobSettings job, List<Path> ruleFiles, RuleSettings rules, AlertSettings alerts,
                          KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9402;
    private static final StreamsJobSettings.Declarations JOB = StreamsJobSettings.declare("inferpulse-alerts",
            "inferpulse-alerts", "the rule groups");

    public static final ConfigParameter<String> APPLICATION_ID = JOB.applicationId();
    public static final ConfigParameter<Path> STATE_DIR = JOB.stateDir();
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

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(APPLICATION_ID, STATE_DIR, RULES, EVALUATION_INTERVAL,
                        RESEND_DELAY, RESOLVED_RETENTION, EXTERNAL_URL, RequestStatsSettings.WINDOW),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    public static Set<String> passThroughPrefixes() {
        return StreamsJobSettings.passThroughPrefixes();
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
        RuleSettings rules = new RuleSettings(config.get(EVALUATION_INTERVAL), config.get(RequestStatsSettings.WINDOW),
                config.get(EXTERNAL_URL));
        return new AlertConfig(JOB.from(config), config.get(RULES).stream().map(Path::of).toList(), rules, alerts,
                KafkaSettings.from(config), OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }
}
