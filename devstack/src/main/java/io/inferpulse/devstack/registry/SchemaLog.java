package io.inferpulse.devstack.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The compacted one-partition topic that is the registry's storage, as in Confluent's registry:
 * read from the start once, then appended to by this process alone.
 */
final class SchemaLog implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrapServers;
    private final TopicPartition partition;
    private final KafkaProducer<String, String> producer;

    private SchemaLog(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.partition = new TopicPartition(topic, 0);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // A registration waits for its write: fail the HTTP call within seconds, not Kafka's default 2 minutes.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000),
                new StringSerializer(), new StringSerializer());
    }

    /** Creates the topic when it is missing. */
    static SchemaLog open(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            NewTopic newTopic = new NewTopic(topic, 1, (short) -1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create the schemas topic " + topic + " on " + bootstrapServers
                        + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the schemas topic " + topic, e);
        }
        return new SchemaLog(bootstrapServers, topic);
    }

    /** Hands every record from the start of the topic to its current end to the sink. */
    void replay(Consumer<StoredRecord> sink) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    StoredRecord.decode(record.key(), record.value()).ifPresent(sink);
                }
            }
        }
    }

    /** Returns once the broker has acknowledged the record on all in-sync replicas. */
    void append(StoredRecord record) {
        try {
            producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), record.key(), record.value())).get();
        } catch (ExecutionException e) {
            throw RegistryException.storeError(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.storeError("interrupted", e);
        }
    }

    String topic() {
        return partition.topic();
    }

    @Override
    public void close() {
        producer.close();
    }
}
