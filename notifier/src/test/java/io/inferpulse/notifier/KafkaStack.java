package io.inferpulse.notifier;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real KRaft broker and dev schema registry, a writer of alert events and a reader of dead letters.
 * The registry can be stopped and started again at the same address, as in an outage.
 */
final class KafkaStack implements AutoCloseable {
    final EmbeddedKafkaBroker broker;
    private DevSchemaRegistry registry;
    private final URI registryUrl;
    private final SchemaRegistryClient client;
    private final KafkaProducer<String, AlertEvent> producer;
    private final KafkaProducer<String, byte[]> rawProducer;
    private final TopicTail<String, DeadLetter> deadLetterTail;
    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    KafkaStack() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0));
        registryUrl = registry.url();
        client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka().registryConfig()));
        Topics topics = new Topics(new AvroSerdes(client));
        io.inferpulse.runtime.kafka.TopicSetup.ensure(kafka(), Topics.SPECS);
        Topic<String, AlertEvent> alerts = topics.alerts();
        producer = new KafkaProducer<>(kafka().clientConfig("it-alerts"), alerts.keySerde().serializer(), alerts.valueSerde().serializer());
        rawProducer = new KafkaProducer<>(kafka().clientConfig("it-raw"), new StringSerializer(), new ByteArraySerializer());
        deadLetterTail = TopicTail.start(kafka().clientConfig("it-dead-letters"), topics.deadLetter(), TopicTail.From.BEGINNING,
                r -> deadLetters.add(r.value()));
    }

    KafkaSettings kafka() {
        return KafkaSettings.local(broker.bootstrapServers(), registryUrl.toString());
    }

    /** Settings of a notifier on this stack: the routing file, a consumer group, quick retries. */
    Map<String, String> settings(java.nio.file.Path routing, String groupId) {
        Map<String, String> s = new HashMap<>();
        s.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        s.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), registryUrl.toString());
        s.put("http.port", "0");
        s.put(NotifierConfig.ROUTING_FILE.key(), routing.toString());
        s.put(NotifierConfig.GROUP_ID.key(), groupId);
        s.put(NotifierConfig.RETRY_ATTEMPTS.key(), "3");
        s.put(NotifierConfig.RETRY_INITIAL.key(), "100ms");
        s.put(NotifierConfig.RETRY_MAX.key(), "200ms");
        return s;
    }

    void send(AlertEvent event) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ALERTS, event.getFingerprint(), event)).get(10, TimeUnit.SECONDS);
    }

    /** To one partition, for tests that rely on the order events are read in. */
    void send(AlertEvent event, int partition) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ALERTS, partition, event.getFingerprint(), event)).get(10, TimeUnit.SECONDS);
    }

    /** Bytes as they are, whatever they hold. */
    void sendRaw(String key, byte[] value) throws Exception {
        rawProducer.send(new ProducerRecord<>(Topics.ALERTS, key, value)).get(10, TimeUnit.SECONDS);
    }

    void stopRegistry() {
        registry.close();
        registry = null;
    }

    /** The registry back at the address it had, with the schemas it held (they are kept on the broker). */
    void startRegistry() {
        registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1",
                registryUrl.getPort()));
    }

    /**
     * Writes the event in a transaction, as the exactly-once alerts job does, then commits it or, as a
     * failed job leaves it, aborts it. Either way a transaction marker follows it in the partition.
     */
    void sendInTransaction(AlertEvent event, int partition, boolean commit) {
        Map<String, Object> config = kafka().clientConfig("it-transactional");
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-transactional-" + event.getFingerprint());
        Topic<String, AlertEvent> alerts = new Topics(new AvroSerdes(client)).alerts();
        try (KafkaProducer<String, AlertEvent> transactional = new KafkaProducer<>(config, alerts.keySerde().serializer(),
                alerts.valueSerde().serializer())) {
            transactional.initTransactions();
            transactional.beginTransaction();
            transactional.send(new ProducerRecord<>(Topics.ALERTS, partition, event.getFingerprint(), event));
            transactional.flush();
            if (commit) {
                transactional.commitTransaction();
            } else {
                transactional.abortTransaction();
            }
        }
    }

    /** How many records the topic has ever held: its end offsets summed, whether or not anyone could read them. */
    long written(String topic) throws Exception {
        try (Admin admin = Admin.create(kafka().clientConfig("it-admin"))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    /** How far the group has committed compared with the end of the alerts topic, per partition. */
    Map<Integer, Long> uncommitted(String groupId) throws Exception {
        try (Admin admin = Admin.create(kafka().clientConfig("it-admin"))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            List<TopicPartition> partitions = admin.describeTopics(List.of(Topics.ALERTS)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(Topics.ALERTS).partitions().stream().map(p -> new TopicPartition(Topics.ALERTS, p.partition())).toList();
            var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get(10, TimeUnit.SECONDS);
            Map<Integer, Long> out = new HashMap<>();
            partitions.forEach(p -> {
                long end = ends.get(p).offset();
                long done = committed.containsKey(p) && committed.get(p) != null ? committed.get(p).offset() : 0;
                if (end > done) {
                    out.put(p.partition(), end - done);
                }
            });
            return out;
        }
    }

    @Override
    public void close() throws Exception {
        deadLetterTail.close();
        rawProducer.close();
        producer.close();
        client.close();
        if (registry != null) {
            registry.close();
        }
        broker.close();
    }
}
