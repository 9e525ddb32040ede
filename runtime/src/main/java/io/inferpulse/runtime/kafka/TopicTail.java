package io.inferpulse.runtime.kafka;

import io.inferpulse.schemas.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of a topic on a background thread, without a consumer group, handing
 * each record to a callback: how the demo's live view, the benchmarks and the tests watch a topic.
 * A record that cannot be read stops the tail with the error logged, rather than being skipped.
 */
public final class TopicTail<K, V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);

    /** Where to start reading. */
    public enum From { BEGINNING, END }

    private final KafkaConsumer<K, V> consumer;
    private final Thread thread;

    private TopicTail(KafkaConsumer<K, V> consumer, String topic, Consumer<ConsumerRecord<K, V>> onRecord) {
        this.consumer = consumer;
        this.thread = Thread.ofPlatform().name("tail-" + topic).daemon().start(() -> {
            try {
                while (true) {
                    consumer.poll(Duration.ofMillis(100)).forEach(onRecord);
                }
            } catch (WakeupException e) {
                // close() asked the poll to return
            } catch (RuntimeException e) {
                LOG.error("Stopped following {}", topic, e);
                throw e;
            } finally {
                consumer.close();
            }
        });
    }

    /** Starts following; returns once the starting positions are fixed, so later records are seen. */
    public static <K, V> TopicTail<K, V> start(Map<String, Object> clientConfig, Topic<K, V> topic, From from,
                                               Consumer<ConsumerRecord<K, V>> onRecord) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        List<TopicPartition> partitions;
        try {
            partitions = TopicPartitions.await(consumer, topic.name(), Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        consumer.assign(partitions);
        if (from == From.BEGINNING) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position);
        return new TopicTail<>(consumer, topic.name(), onRecord);
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5000);
    }
}
