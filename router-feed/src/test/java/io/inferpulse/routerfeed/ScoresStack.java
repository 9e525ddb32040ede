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

/** What router-feed's integration tests run against: a real KRaft broker, the dev schema registry and every topic. */
public final class ScoresStack implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;
    private final DevSchemaRegistry registry;
    private final SchemaRegistryClient client;
    private final Topics topics;

    private ScoresStack(EmbeddedKafkaBroker broker, DevSchemaRegistry registry) {
        this.broker = broker;
        this.registry = registry;
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
        return KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url().toString();
    }

    /** Topics with serdes on this stack's registry. */
    public Topics topics() {
        return topics;
    }

    @Override
    public void close() throws Exception {
        client.close();
        registry.close();
        broker.close();
    }
}
