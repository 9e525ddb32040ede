package io.inferpulse.ingest;

import io.inferpulse.schemas.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/** Records every record of a topic from the beginning, in the background, for assertions. */
final class TopicRecorder<V> implements AutoCloseable {
    private final KafkaConsumer<String, V> consumer;
    private final List<ConsumerRecord<String, V>> records = new CopyOnWriteArrayList<>();
    private final Thread thread;

    TopicRecorder(String bootstrapServers, Topic<String, V> topic) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        consumer.assign(consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
        thread = Thread.ofPlatform().name("recorder-" + topic.name()).daemon().start(() -> {
            try {
                while (true) {
                    consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        });
    }

    List<ConsumerRecord<String, V>> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5000);
    }
}
