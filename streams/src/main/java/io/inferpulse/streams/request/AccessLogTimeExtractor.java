package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of an access log is when the request completed, {@code request_time} (its receipt)
 * plus {@code latency_seconds}, however late ingest produced it. The EPP counts a request in its
 * counters and latency histogram when it completes, so a window (T - 5m, T] holds the requests
 * {@code rate(...[5m])} at T counts. The gateway writes the log then too, so logs arrive in about
 * event-time order and the grace has to cover ingest's delay only: at receipt time, every request
 * slower than the grace would arrive after its window closed, and a latency alert would never see one.
 * A record without a readable log keeps its Kafka timestamp; the processor dead-letters it anyway.
 */
public final class AccessLogTimeExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof AccessLog log) {
            long receivedMs = log.getRequestTime().toEpochMilli();
            // The processor dead-letters a log whose latency is no duration; until then its receipt will do.
            return RejectedRequests.invalid(log) == null ? receivedMs + Math.round(log.getLatencySeconds() * 1000) : receivedMs;
        }
        return record.timestamp();
    }
}
