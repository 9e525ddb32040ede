package io.inferpulse.app;

import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/** Follows the pool-stats topic in the background and keeps the newest record per key, for assertions. */
final class PoolStatsReader implements AutoCloseable {
    private final KafkaConsumer<String, PoolStats> consumer;
    private final Map<String, PoolStats> latest = new ConcurrentHashMap<>();
    private final Thread thread;

    PoolStatsReader(Map<String, Object> clientConfig, Topic<String, PoolStats> topic) {
        Map<String, Object> props = new java.util.HashMap<>(clientConfig);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        thread = Thread.ofPlatform().name("pool-stats-reader").daemon().start(() -> {
            try {
                while (true) {
                    for (ConsumerRecord<String, PoolStats> r : consumer.poll(Duration.ofMillis(100))) {
                        latest.put(r.key(), r.value());
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        });
    }

    Optional<PoolStats> latest(String key) {
        return Optional.ofNullable(latest.get(key));
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5000);
    }
}
