package io.inferpulse.routerfeed;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What router-feed's integration tests run against: a real KRaft broker, the dev schema registry and every topic.
 * The registry can be stopped and started again at the same address, as in an outage.
 */
public final class ScoresStack implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;
    private DevSchemaRegistry registry;
    private final URI registryUrl;
    private final SchemaRegistryClient client;
    private final Topics topics;

    private ScoresStack(EmbeddedKafkaBroker broker, DevSchemaRegistry registry) {
        this.broker = broker;
        this.registry = registry;
        this.registryUrl = registry.url();
        this.client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka().registryConfig()));
        this.topics = new Topics(new AvroSerdes(client));
    }

    public static ScoresStack start() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        ScoresStack stack = new ScoresStack(broker,
                DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0)));
        TopicSetup.ensure(stack.kafka(), Topics.SPECS);
        return stack;
    }

    public KafkaSettings kafka() {
        return KafkaSettings.local(broker.bootstrapServers(), registryUrl.toString());
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registryUrl.toString();
    }

    /** Topics with serdes on this stack's registry. */
    public Topics topics() {
        return topics;
    }

    public void stopRegistry() {
        registry.close();
        registry = null;
    }

    /** The registry back at the address it had, with the schemas it held (they are kept on the broker). */
    public void startRegistry() {
        registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1",
                registryUrl.getPort()));
    }

    /** How many records the topic has ever held: its end offsets summed, whether or not anyone could read them. */
    public long written(String topic) throws Exception {
        try (Admin admin = Admin.create(kafka().clientConfig("it-admin"))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        if (registry != null) {
            registry.close();
        }
        broker.close();
    }
}
