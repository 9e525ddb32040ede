package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Partitions the model repartition topic: a log by its key, the model name, as Kafka's default
 * partitioner does; a {@link FeedProgress} marker, the only record without value, to every
 * partition, since every model-stage task waits for it.
 */
final class ModelRequestPartitioner implements StreamPartitioner<String, AccessLog> {

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, AccessLog value, int numPartitions) {
        return value != null ? Optional.empty()
                : Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
    }
}
