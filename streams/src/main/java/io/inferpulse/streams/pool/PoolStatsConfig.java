package io.inferpulse.streams.pool;

import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import io.inferpulse.streams.job.StreamsJobSettings;
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
public record PoolStatsConfig(StreamsJobSettings job, PoolStatsSettings pool, RequestStatsSettings requests,
                              KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9401;
    private static final StreamsJobSettings.Declarations JOB = StreamsJobSettings.declare("inferpulse-pool-stats",
            "inferpulse-streams", "the work");

    public static final ConfigParameter<String> APPLICATION_ID = JOB.applicationId();
    public static final ConfigParameter<Path> STATE_DIR = JOB.stateDir();
    public static final ConfigParameter<Duration> STALENESS = ConfigParameter.of("pool.staleness", POSITIVE_DURATION, "2s",
            "A pod whose newest sample is older than this is not counted (the EPP's threshold)");
    public static final ConfigParameter<Duration> HEARTBEAT = ConfigParameter.of("pool.heartbeat", POSITIVE_DURATION, "1s",
            "Pool stats are published at least this often, even when unchanged");
    public static final ConfigParameter<Duration> EVALUATION = ConfigParameter.of("pool.evaluation.interval",
            POSITIVE_DURATION, "200ms", "How often pods are checked for staleness");
    public static final ConfigParameter<Duration> POD_RETENTION = ConfigParameter.of("pool.pod.retention",
            POSITIVE_DURATION, "5m", "A pod not seen for this long is forgotten");

    public static List<ConfigParameter<?>> parameters() {
        return Stream.<List<ConfigParameter<?>>>of(List.of(APPLICATION_ID, STATE_DIR, STALENESS, HEARTBEAT, EVALUATION, POD_RETENTION),
                RequestStatsSettings.parameters(),
                KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT)).flatMap(List::stream).toList();
    }

    public static Set<String> passThroughPrefixes() {
        return StreamsJobSettings.passThroughPrefixes();
    }

    /** Loads the configuration from settings alone: for embedding the job and for tests. */
    public static PoolStatsConfig of(Map<String, String> settings) {
        return from(Configuration.load(parameters(), passThroughPrefixes(), Configuration.Sources.of(settings)));
    }

    public static PoolStatsConfig from(Configuration config) {
        PoolStatsSettings pool;
        try {
            pool = new PoolStatsSettings(config.get(STALENESS), config.get(HEARTBEAT), config.get(EVALUATION),
                    config.get(POD_RETENTION));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return new PoolStatsConfig(JOB.from(config), pool, RequestStatsSettings.from(config),
                KafkaSettings.from(config), OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }
}
