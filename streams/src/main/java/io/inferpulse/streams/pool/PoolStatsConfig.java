package io.inferpulse.streams.pool;

import static io.inferpulse.runtime.config.ConfigParsers.DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.NON_EMPTY;
import static io.inferpulse.runtime.config.ConfigParsers.PATH;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.config.ConfigParser;
import io.inferpulse.runtime.ops.OpsSettings;
import io.inferpulse.streams.request.RequestStatsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Settings of the streams job: pool stats, request statistics and error details. Any Kafka Streams property can be given under
 * {@code streams.} (for example {@code streams.num.standby.replicas=1}).
 */
public record PoolStatsConfig(String applicationId, Path stateDir, PoolStatsSettings pool, RequestStatsSettings requests,
                              Map<String, String> streamsOverrides, KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9401;
    public static final String STREAMS_PREFIX = "streams.";

    public static final ConfigParameter<String> APPLICATION_ID = ConfigParameter.of("streams.application.id", NON_EMPTY,
            "inferpulse-pool-stats", "Kafka Streams application.id: instances sharing it share the work");
    public static final ConfigParameter<Path> STATE_DIR = ConfigParameter.of("streams.state.dir", PATH,
            System.getProperty("java.io.tmpdir") + "/inferpulse-streams", "Directory for local state");
    public static final ConfigParameter<Duration> STALENESS = ConfigParameter.of("pool.staleness", POSITIVE_DURATION, "2s",
            "A pod whose newest sample is older than this is not counted (the EPP's threshold)");
    public static final ConfigParameter<Duration> HEARTBEAT = ConfigParameter.of("pool.heartbeat", POSITIVE_DURATION, "1s",
            "Pool stats are published at least this often, even when unchanged");
    public static final ConfigParameter<Duration> EVALUATION = ConfigParameter.of("pool.evaluation.interval",
            POSITIVE_DURATION, "200ms", "How often pods are checked for staleness");
    public static final ConfigParameter<Duration> POD_RETENTION = ConfigParameter.of("pool.pod.retention",
            POSITIVE_DURATION, "5m", "A pod not seen for this long is forgotten");

    public static final ConfigParameter<Duration> REQUEST_WINDOW = ConfigParameter.of("requests.window", POSITIVE_DURATION,
            "5m", "Length of the sliding window of request statistics (the alert rules' range)");
    public static final ConfigParameter<Duration> REQUEST_EVALUATION = ConfigParameter.of("requests.evaluation.interval",
            POSITIVE_DURATION, "15s", "Request statistics are evaluated at every multiple of this; divides the window");
    public static final ConfigParameter<Duration> REQUEST_GRACE = ConfigParameter.of("requests.grace", DURATION, "5s",
            "Access logs are accepted this long after their window's end; later ones go to the dead-letter topic");
    public static final ConfigParameter<Duration> REQUEST_STALL_TIMEOUT = ConfigParameter.of("requests.stall-timeout",
            DURATION, "30s", "A partition silent for less than this may be stalled (broker outage, leader change): its"
                    + " windows do not close on the wall clock before, and stay open this long once its logs resume");
    public static final ConfigParameter<Duration> ERROR_WINDOW = ConfigParameter.of("errors.window", POSITIVE_DURATION, "1m",
            "Length of the tumbling windows error details are counted in; a multiple of requests.evaluation.interval");
    private static final ConfigParser<Double> FRACTION = text -> {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(value + " is not between 0 and 1 exclusive");
        }
        return value;
    };
    public static final ConfigParameter<Double> SKETCH_ACCURACY = ConfigParameter.of("requests.sketch.relative-accuracy",
            FRACTION, "0.01", "Relative accuracy of latency quantiles (DDSketch)");

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(APPLICATION_ID, STATE_DIR, STALENESS, HEARTBEAT, EVALUATION, POD_RETENTION,
                        REQUEST_WINDOW, REQUEST_EVALUATION, REQUEST_GRACE, REQUEST_STALL_TIMEOUT, ERROR_WINDOW,
                        SKETCH_ACCURACY),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    public static Set<String> passThroughPrefixes() {
        return Stream.concat(KafkaSettings.PASS_THROUGH_PREFIXES.stream(), Stream.of(STREAMS_PREFIX))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Loads the configuration from settings alone: for embedding the job and for tests. */
    public static PoolStatsConfig of(Map<String, String> settings) {
        return from(Configuration.load(parameters(), passThroughPrefixes(), Configuration.Sources.of(settings)));
    }

    public static PoolStatsConfig from(Configuration config) {
        PoolStatsSettings pool;
        RequestStatsSettings requests;
        try {
            pool = new PoolStatsSettings(config.get(STALENESS), config.get(HEARTBEAT), config.get(EVALUATION),
                    config.get(POD_RETENTION));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        try {
            requests = new RequestStatsSettings(config.get(REQUEST_WINDOW), config.get(REQUEST_EVALUATION),
                    config.get(REQUEST_GRACE), config.get(REQUEST_STALL_TIMEOUT), config.get(ERROR_WINDOW),
                    config.get(SKETCH_ACCURACY));
        } catch (IllegalArgumentException e) {
            // The settings record names its fields; say which keys set them.
            throw new ConfigException(String.join(", ", REQUEST_WINDOW.key(), REQUEST_EVALUATION.key(),
                    ERROR_WINDOW.key()) + " do not fit together: " + e.getMessage());
        }
        Map<String, String> overrides = new java.util.HashMap<>(config.withPrefix(STREAMS_PREFIX));
        overrides.remove("application.id");
        overrides.remove("state.dir");
        return new PoolStatsConfig(config.get(APPLICATION_ID), config.get(STATE_DIR), pool, requests, overrides,
                KafkaSettings.from(config), OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }
}
