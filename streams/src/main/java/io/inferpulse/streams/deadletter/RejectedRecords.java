package io.inferpulse.streams.deadletter;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.runtime.deadletter.DeadLetters;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead letters for input records a processor cannot use, forwarded through the topology's
 * dead-letter sink so that they are committed together with the input offsets. The raw bytes are
 * the value in its source topic's own encoding, so a dead letter can be replayed onto that topic.
 */
public final class RejectedRecords<V> {
    private final String sourceTopic;
    private final Serializer<V> serializer;

    public RejectedRecords(String sourceTopic, Serializer<V> serializer) {
        this.sourceTopic = sourceTopic;
        this.serializer = serializer;
    }

    public Record<String, DeadLetter> deadLetter(String key, V value, String stage, String reason, long nowMs) {
        byte[] raw = value == null ? new byte[0] : serializer.serialize(sourceTopic, value);
        DeadLetter letter = DeadLetters.envelope(sourceTopic, stage, reason, raw, key == null ? Map.of() : Map.of("key", key),
                Instant.ofEpochMilli(nowMs), DeadLetters.MAX_RECORD_BYTES);
        return new Record<>(sourceTopic, letter, nowMs);
    }
}
