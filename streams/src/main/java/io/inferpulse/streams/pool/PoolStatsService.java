package io.inferpulse.streams.pool;

import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.job.StreamsJob;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** Runs the streams job (pool stats, request statistics, error details): lifecycle, health and metrics around {@link PoolStatsTopology}. */
public final class PoolStatsService implements AutoCloseable {
    private final StreamsJob job;

    private PoolStatsService(StreamsJob job) {
        this.job = job;
    }

    public static PoolStatsService start(PoolStatsConfig config, MeterRegistry meters, HealthChecks health) {
        List<String> used = List.of(Topics.POD_METRICS, Topics.ACCESS_LOGS, Topics.POOL_STATS, Topics.MODEL_STATS,
                Topics.ERROR_DETAILS, Topics.DEAD_LETTER);
        List<Topics.Spec> specs = new ArrayList<>(Topics.SPECS.stream().filter(s -> used.contains(s.name())).toList());
        // Read within moments of being written; the retention only needs to outlast an outage of the job.
        specs.add(new Topics.Spec(PoolStatsTopology.modelRequestsTopic(config.applicationId()), false,
                String.valueOf(Duration.ofHours(6).toMillis())));
        TopicSetup.ensure(config.kafka(), specs);
        int accessLogPartitions = TopicSetup.partitions(config.kafka(), Topics.ACCESS_LOGS);
        return new PoolStatsService(StreamsJob.start("pool-stats", config.kafka(), properties(config),
                topics -> PoolStatsTopology.build(topics, config.pool(), config.requests(), config.applicationId(),
                        accessLogPartitions),
                new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)), meters, health));
    }

    static Properties properties(PoolStatsConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        // Gauges are idempotent on a compacted topic: a replayed record after a crash is harmless, so
        // at-least-once avoids the transaction commit delay on every result. Request windows are not:
        // after a crash the logs since the last commit count twice in restored buckets, at most one
        // commit interval of traffic; streams.processing.guarantee=exactly_once_v2 trades that away.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.putAll(config.streamsOverrides());
        return props;
    }

    public KafkaStreams.State state() {
        return job.state();
    }

    @Override
    public void close() {
        job.close();
    }
}
