package io.inferpulse.streams.pool;

import io.inferpulse.avro.PodMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of a pod sample is when its scrape completed ({@code sample_time}), not when ingest
 * happened to produce it, so stream time follows the pods however late or batched the producer was.
 * A record without a readable sample keeps its Kafka timestamp; the processors ignore or dead-letter it.
 * Also the event time of the endpoint-scores job.
 */
public final class PodSampleTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof PodMetrics sample) {
            return sample.getSampleTime().toEpochMilli();
        }
        return record.timestamp();
    }
}
