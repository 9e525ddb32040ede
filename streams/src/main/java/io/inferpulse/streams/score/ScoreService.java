package io.inferpulse.streams.score;

import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.job.StreamsJob;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** Runs the endpoint-scores job: lifecycle, health and metrics around {@link ScoreTopology}. */
public final class ScoreService implements AutoCloseable {
    private static final Set<String> TOPICS = Set.of(Topics.POD_METRICS, Topics.ACCESS_LOGS, Topics.ENDPOINT_SCORES,
            Topics.DEAD_LETTER);

    private final StreamsJob job;

    private ScoreService(StreamsJob job) {
        this.job = job;
    }

    public static ScoreService start(ScoreConfig config, MeterRegistry meters, HealthChecks health) {
        TopicSetup.ensure(config.kafka(), Topics.SPECS.stream().filter(s -> TOPICS.contains(s.name())).toList());
        ScoreMetrics metrics = new ScoreMetrics(meters);
        return new ScoreService(StreamsJob.start("endpoint-scores", config.kafka(), properties(config),
                topics -> ScoreTopology.build(topics, config.score(), metrics),
                new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)), meters, health));
    }

    /**
     * Tuned for freshness: the aim is a pod sample in the picker's table within 100 ms (p99). Each
     * setting can be overridden under {@code streams.}.
     */
    static Properties properties(ScoreConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        // Scores are the latest state per key on a compacted topic: a record replayed after a crash is
        // harmless. Exactly-once would hide every record until its transaction commits, so the commit
        // interval would become the freshness, and the picker reads read_committed.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // With at-least-once a commit only bounds the replay after a crash (and flushes the producer);
        // 30 s by default, 1 s here keeps the replay to a second of samples without a flush per record.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        // No record cache: nothing waits for a commit or a full cache to be passed on or logged.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // Kafka Streams makes its producer wait 100 ms to fill batches; a score must not wait at all.
        // Batches still form on their own while earlier requests are in flight.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        // Without linger most batches hold one small record, which lz4 (the streams jobs' default) does
        // not shrink, while its 64 KiB block buffer per batch was half of all allocation and so set the
        // pace of garbage-collection pauses that every score waits out.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "none");
        // Pod samples and access logs of a pool arrive in one task; never hold a sample back waiting for
        // the access-log partition to have data for event-time ordering that scores do not need.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
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
