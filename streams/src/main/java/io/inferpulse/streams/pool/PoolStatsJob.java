package io.inferpulse.streams.pool;

import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.job.StreamsJobSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** The streams job (pool stats, request statistics, error details) as {@link StreamsJob} runs it: {@link PoolStatsTopology}. */
public final class PoolStatsJob {
    private PoolStatsJob() {}

    public static StreamsJobSpec spec(PoolStatsConfig config) {
        String applicationId = config.job().applicationId();
        List<Topics.Spec> topics = new ArrayList<>(Topics.specs(Topics.POD_METRICS, Topics.ACCESS_LOGS,
                Topics.POOL_STATS, Topics.MODEL_STATS, Topics.ERROR_DETAILS, Topics.DEAD_LETTER));
        // Read within moments of being written; the retention only needs to outlast an outage of the job.
        topics.add(new Topics.Spec(Topics.modelRequests(applicationId), false,
                String.valueOf(Duration.ofHours(6).toMillis())));
        return new StreamsJobSpec("pool-stats", config.kafka(), config.job(), topics, tuning(),
                t -> PoolStatsTopology.build(t, config.pool(), config.requests(), applicationId,
                        TopicSetup.partitions(config.kafka(), Topics.ACCESS_LOGS)),
                new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)));
    }

    static Properties tuning() {
        Properties props = new Properties();
        // Gauges are idempotent on a compacted topic: a replayed record after a crash is harmless, so
        // at-least-once avoids the transaction commit delay on every result. Request windows are not:
        // after a crash the logs since the last commit count twice in restored buckets, at most one
        // commit interval of traffic; streams.processing.guarantee=exactly_once_v2 trades that away.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        return props;
    }
}
