package io.inferpulse.ingest.receive;

import io.inferpulse.avro.AccessLog;

/** A line after the pipeline looked at it: a record for the access-logs topic, or a dead letter. */
sealed interface LineOutcome {
    RawLine line();

    /** A line that parsed; {@code timestamp} is the request time in epoch milliseconds, the Kafka record time. */
    record Parsed(RawLine line, String key, long timestamp, AccessLog value) implements LineOutcome {}

    /** A line for the dead-letter topic, with a readable reason. */
    record Rejected(RawLine line, Rejection rejection, String reason) implements LineOutcome {}
}
