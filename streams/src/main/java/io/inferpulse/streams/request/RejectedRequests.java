package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead letters for access logs a request processor cannot count, written through the topology's
 * dead-letter sink so that they are committed together with the input offsets. The raw bytes are the
 * log in the access-log topic's own encoding, so the dead letter can be replayed onto it.
 */
final class RejectedRequests {
    private final String sourceTopic;
    private final Serializer<AccessLog> serializer;

    RejectedRequests(String sourceTopic, Serializer<AccessLog> serializer) {
        this.sourceTopic = sourceTopic;
        this.serializer = serializer;
    }

    Record<String, DeadLetter> deadLetter(String key, AccessLog log, String stage, String reason, long nowMs) {
        byte[] raw = log == null ? new byte[0] : serializer.serialize(sourceTopic, log);
        DeadLetter letter = DeadLetter.newBuilder()
                .setSource(sourceTopic)
                .setStage(stage)
                .setReason(reason)
                .setRaw(ByteBuffer.wrap(raw))
                .setRawTruncated(false)
                .setReceivedAt(Instant.ofEpochMilli(nowMs))
                .setAttributes(key == null ? Map.of() : Map.of("key", key))
                .build();
        return new Record<>(sourceTopic, letter, nowMs);
    }

    /** Why a log keyed by pool cannot be counted at all, or null when it can. */
    static String invalidPoolLog(String key, AccessLog log) {
        if (key == null) {
            return "access log without a key: the pool (cluster/namespace/pool) decides its partition and task";
        }
        if (key.split("/", -1).length != 3) {
            return "access log key '" + key + "' is not cluster/namespace/pool";
        }
        return invalid(log);
    }

    /** Why a log cannot be counted at all, or null when it can. */
    static String invalid(AccessLog log) {
        if (log == null) {
            return "access log record without a value";
        }
        double latency = log.getLatencySeconds();
        if (!(latency >= 0) || Double.isInfinite(latency)) {
            return "latency_seconds is " + latency + "; it must be a finite number of seconds >= 0";
        }
        return null;
    }

    static String lateReason(long eventTimeMs, long bucketEndMs, long closedUpToMs, long graceMs) {
        return "late: completed at " + Instant.ofEpochMilli(eventTimeMs) + " (request_time + latency), belongs to the"
                + " window evaluated at " + Instant.ofEpochMilli(bucketEndMs) + ", already closed (windows up to "
                + Instant.ofEpochMilli(closedUpToMs) + " are closed; grace " + graceMs + " ms)";
    }
}
