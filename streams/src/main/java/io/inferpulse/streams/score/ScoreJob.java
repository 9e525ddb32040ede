package io.inferpulse.streams.score;

import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.job.StreamsJobSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/** The endpoint-scores job as {@link StreamsJob} runs it: {@link ScoreTopology}. */
public final class ScoreJob {
    private ScoreJob() {}

    public static StreamsJobSpec spec(ScoreConfig config, MeterRegistry meters) {
        ScoreMetrics metrics = new ScoreMetrics(meters);
        return new StreamsJobSpec("endpoint-scores", config.kafka(), config.job(),
                Topics.specs(Topics.POD_METRICS, Topics.ACCESS_LOGS, Topics.ENDPOINT_SCORES, Topics.DEAD_LETTER),
                tuning(), topics -> ScoreTopology.build(topics, config.score(), metrics),
                new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)));
    }

    /**
     * Tuned for freshness: the aim is a pod sample in the picker's table within 100 ms (p99). Each
     * setting can be overridden under {@code streams.}.
     */
    static Properties tuning() {
        Properties props = new Properties();
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
        return props;
    }
}
