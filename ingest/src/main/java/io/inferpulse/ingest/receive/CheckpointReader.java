package io.inferpulse.ingest.receive;

import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a tailer's last committed checkpoint from {@value Topics#INGEST_OFFSETS}.
 *
 * <p>It reads with {@code isolation.level=read_committed}, so a checkpoint of an aborted or still
 * open transaction is never seen, and it reads up to the high watermark taken before it starts,
 * not merely to the last stable offset a read_committed consumer reports as the end: while another
 * tailer's transaction is open in the same partition, the last stable offset stays below it, and
 * this tailer's own later, committed checkpoint would be missed. The read therefore finishes once
 * every transaction open at the start has ended (at most the transaction timeout).
 */
final class CheckpointReader {
    private CheckpointReader() {}

    static Optional<Checkpoint> read(KafkaSettings kafka, String key, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> props = kafka.clientConfig("inferpulse-tail-" + key + "-checkpoint");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (Admin admin = Admin.create(kafka.clientConfig("inferpulse-tail-" + key + "-admin"));
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.INGEST_OFFSETS, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<TopicPartition, Long> ends = highWatermarks(admin, partitions, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            String last = null;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("Could not read " + Topics.INGEST_OFFSETS + " to its end within " + timeout
                            + " (a transaction of another producer may be open there)");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(record.key())) {
                        last = record.value();
                    }
                }
            }
            return Optional.ofNullable(last).map(Checkpoint::fromJson);
        }
    }

    private static Map<TopicPartition, Long> highWatermarks(Admin admin, List<TopicPartition> partitions, long deadline) {
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets = admin.listOffsets(
                            partitions.stream().collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest())))
                    .all().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            Map<TopicPartition, Long> ends = new HashMap<>();
            offsets.forEach((p, info) -> ends.put(p, info.offset()));
            return ends;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        } catch (ExecutionException e) {
            throw new KafkaException("Could not find the end of " + Topics.INGEST_OFFSETS + ": " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("Could not find the end of " + Topics.INGEST_OFFSETS + " in time", e);
        }
    }
}
