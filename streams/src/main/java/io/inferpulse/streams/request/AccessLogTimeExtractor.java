package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of an access log is when the request was received ({@code request_time}), however late
 * ingest produced it. A record without a readable log keeps its Kafka timestamp; the processor
 * dead-letters it anyway.
 */
public final class AccessLogTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof AccessLog log) {
            return log.getRequestTime().toEpochMilli();
        }
        return record.timestamp();
    }
}
