package io.inferpulse.devstack.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry for the embedded stack and tests: Confluent's REST API (the part serdes and
 * operators use) with Avro compatibility checks, storing every schema and setting in a compacted
 * Kafka topic laid out as Confluent's registry lays out {@code _schemas}, so ids survive a restart.
 * One instance writes a topic at a time; it is not a cluster.
 */
public final class DevSchemaRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevSchemaRegistry.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final SchemaLog log;
    private final URI url;

    /**
     * @param bootstrapServers the Kafka cluster holding the schemas topic
     * @param topic the schemas topic; created (one partition, compacted) when missing
     * @param host address to listen on
     * @param port port to listen on; 0 for a free one
     */
    public record Settings(String bootstrapServers, String topic, String host, int port) {
        public static Settings forBroker(String bootstrapServers) {
            return new Settings(bootstrapServers, "_schemas", "127.0.0.1", 0);
        }

        public Settings withTopic(String schemasTopic) {
            return new Settings(bootstrapServers, schemasTopic, host, port);
        }

        public Settings withPort(int listenPort) {
            return new Settings(bootstrapServers, topic, host, listenPort);
        }
    }

    private DevSchemaRegistry(HttpServer server, ExecutorService executor, SchemaLog log) {
        this.server = server;
        this.executor = executor;
        this.log = log;
        this.url = URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    /** Reads the schemas topic to its end, then serves. */
    public static DevSchemaRegistry start(Settings settings) {
        SchemaLog log = SchemaLog.open(settings.bootstrapServers(), settings.topic());
        try {
            RegistryState state = new RegistryState();
            log.replay(state::apply);
            HttpServer server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            server.setExecutor(executor);
            server.createContext("/", new RegistryHttpApi(new RegistryService(state, log)));
            server.start();
            DevSchemaRegistry registry = new DevSchemaRegistry(server, executor, log);
            LOG.info("Dev schema registry listening on {}, {} schemas loaded from topic {} on {}",
                    registry.url(), state.schemaCount(), settings.topic(), settings.bootstrapServers());
            return registry;
        } catch (IOException e) {
            log.close();
            throw new UncheckedIOException("Could not listen on " + settings.host() + ":" + settings.port(), e);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** Base URL for {@code schema.registry.url}. */
    public URI url() {
        return url;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
        log.close();
        LOG.info("Dev schema registry on {} stopped", url);
    }
}
