package io.inferpulse.faults;

import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The test's own Kafka clients on a stack's broker and registry: it writes inputs and reads outputs
 * as a downstream consumer would, {@code read_committed}.
 */
final class KafkaIO implements AutoCloseable {
    private final KafkaSettings kafka;
    private final SchemaRegistryClient registry;
    private final Topics topics;

    KafkaIO(FaultStack stack) {
        this.kafka = KafkaSettings.local(stack.bootstrapServers(), stack.registryUrl());
        this.registry = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig()));
        this.topics = new Topics(new AvroSerdes(registry));
    }

    Topics topics() {
        return topics;
    }

    /** An idempotent producer that waits for every replica: what the test writes is acknowledged for good. */
    <V> KafkaProducer<String, V> producer(Topic<String, V> topic) {
        Map<String, Object> config = kafka.clientConfig("faults-producer");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /** Every committed record of a topic now, partition by partition in offset order. */
    <V> List<ConsumerRecord<String, V>> readAll(Topic<String, V> topic, Duration deadline) {
        try (KafkaConsumer<String, V> consumer = consumer(topic)) {
            List<TopicPartition> partitions = partitions(consumer, topic.name(), deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            Instant until = Instant.now().plus(deadline);
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (Instant.now().isAfter(until)) {
                    throw new AssertionError("Could not read " + topic.name() + " to its end " + ends + " within " + deadline);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** Follows a topic from its beginning in the background, noting when each record was seen. */
    <V> Tail<V> tail(Topic<String, V> topic) {
        KafkaConsumer<String, V> consumer = consumer(topic);
        Tail<V> tail = new Tail<>(consumer);
        List<TopicPartition> partitions = partitions(consumer, topic.name(), Duration.ofSeconds(60));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        tail.thread = Thread.ofPlatform().daemon().name("tail-" + topic.name()).start(tail::run);
        return tail;
    }

    /** A record and when the tail saw it. */
    record Seen<V>(ConsumerRecord<String, V> record, Instant at) {}

    static final class Tail<V> implements AutoCloseable {
        private final KafkaConsumer<String, V> consumer;
        private final List<Seen<V>> seen = new CopyOnWriteArrayList<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private Thread thread;

        private Tail(KafkaConsumer<String, V> consumer) {
            this.consumer = consumer;
        }

        private void run() {
            try {
                while (!closed.get()) {
                    try {
                        for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(100))) {
                            seen.add(new Seen<>(record, Instant.now()));
                        }
                    } catch (RetriableException e) {
                        // The broker is away in some scenarios: the tail waits for it like any consumer.
                    }
                }
            } catch (WakeupException e) {
                // close() woke the poll up: the tail ends.
            } finally {
                consumer.close();
            }
        }

        List<Seen<V>> seen() {
            return List.copyOf(seen);
        }

        @Override
        public void close() throws InterruptedException {
            closed.set(true);
            consumer.wakeup();
            thread.join(Duration.ofSeconds(30));
        }
    }

    private <V> KafkaConsumer<String, V> consumer(Topic<String, V> topic) {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig("faults-reader"));
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT));
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic, Duration deadline) {
        Instant until = Instant.now().plus(deadline);
        while (Instant.now().isBefore(until)) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            ServiceProcess.pause();
        }
        throw new AssertionError("Topic " + topic + " does not exist after " + deadline);
    }

    @Override
    public void close() {
        registry.close();
    }
}
