package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.streams.deadletter.RejectedRecords;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Access logs a request processor cannot count: why, and their dead letters (see {@link RejectedRecords}).
 * The endpoint-scores job judges its access logs by the same rules.
 */
public final class RejectedRequests {
    private final RejectedRecords<AccessLog> records;

    RejectedRequests(String sourceTopic, Serializer<AccessLog> serializer) {
        this.records = new RejectedRecords<>(sourceTopic, serializer);
    }

    Record<String, DeadLetter> deadLetter(String key, AccessLog log, String stage, String reason, long nowMs) {
        return records.deadLetter(key, log, stage, reason, nowMs);
    }

    /** Why a log keyed by pool cannot be counted at all, or null when it can. */
    public static String invalidPoolLog(String key, AccessLog log) {
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
