package io.inferpulse.ingest.receive;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A real broker and schema registry for one integration-test class, and ways to read what landed. */
final class KafkaStack implements AutoCloseable {
    final EmbeddedKafkaBroker broker;
    final KafkaSettings kafka;
    private final int registryPort;
    private DevSchemaRegistry registry;
    final SchemaRegistryClient client;

    private KafkaStack() {
        broker = EmbeddedKafkaBroker.start();
        registryPort = freePort();
        registry = startRegistry();
        kafka = KafkaSettings.local(broker.bootstrapServers(), registryUrl());
        client = newClient();
        TopicSetup.ensure(kafka, Topics.SPECS);
    }

    static KafkaStack start() {
        return new KafkaStack();
    }

    String registryUrl() {
        return "http://127.0.0.1:" + registryPort;
    }

    /** A registry client with an empty cache, that gives up on an unreachable registry after one attempt. */
    SchemaRegistryClient newClient() {
        return SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(Map.of(
                RegistryClientConfig.URL, registryUrl(), RegistryClientConfig.RETRY_MAX_ATTEMPTS, "1")));
    }

    void stopRegistry() {
        registry.close();
    }

    /** Starts the registry again on its address; it reloads its schemas from Kafka. */
    void restartRegistry() {
        registry = startRegistry();
    }

    Topics topics() {
        return new Topics(new AvroSerdes(client));
    }

    /** The test format's pipeline publishing to this broker, with 4 KiB lines. */
    AccessLogPipeline pipeline(String receiver, SchemaRegistryClient registryClient, IngestMetrics metrics) {
        return AccessLogPipeline.create(receiver, new TestLines.Parser(),
                new AccessLogPipeline.Settings(4096, 1024, Duration.ofHours(1), Duration.ofMillis(500)),
                kafka, registryClient, metrics, Clock.systemUTC());
    }

    /** Every record of the topic, read from the beginning to its end as a consumer of that isolation level sees it. */
    <V> List<ConsumerRecord<String, V>> readAll(Topic<String, V> topic, IsolationLevel isolation) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic.name() + " to its end");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    private DevSchemaRegistry startRegistry() {
        return DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", registryPort));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        registry.close();
        broker.close();
    }
}
