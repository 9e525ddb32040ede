package io.inferpulse.ingest.receive;

import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes each value with the serializer of the topic it goes to. The file tailer's transaction
 * spans the access-logs, dead-letter and offsets topics, whose values have different types, and a
 * transaction belongs to one producer, which has one value serializer.
 */
final class TopicRoutingSerializer implements Serializer<Object> {
    private final Map<String, Serializer<?>> byTopic;

    TopicRoutingSerializer(Map<String, Serializer<?>> byTopic) {
        this.byTopic = Map.copyOf(byTopic);
    }

    @Override
    @SuppressWarnings("unchecked")
    public byte[] serialize(String topic, Object value) {
        Serializer<Object> serializer = (Serializer<Object>) byTopic.get(topic);
        if (serializer == null) {
            throw new SerializationException("No serializer for topic " + topic + "; known: " + byTopic.keySet());
        }
        return serializer.serialize(topic, value);
    }

    @Override
    public void close() {
        byTopic.values().forEach(Serializer::close);
    }
}
