package io.inferpulse.app;

import io.inferpulse.devstack.registry.DevSchemaRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Run the development schema registry (Confluent REST API, schemas kept in a compacted Kafka topic).")
final class RegistryCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Kafka holding the schemas topic (default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--port", defaultValue = "8081", description = "HTTP port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--topic", defaultValue = "_schemas", description = "Compacted topic holding the schemas (default ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() throws Exception {
        Lifecycle life = new Lifecycle();
        DevSchemaRegistry registry = life.add(DevSchemaRegistry.start(
                new DevSchemaRegistry.Settings(bootstrapServers, topic, "127.0.0.1", port)));
        System.out.println("Schema registry on " + registry.url());
        life.awaitShutdown();
        return 0;
    }
}
