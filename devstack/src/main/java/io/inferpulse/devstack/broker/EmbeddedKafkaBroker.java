package io.inferpulse.devstack.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka node (KRaft, combined broker and controller) running in this JVM, from the Maven
 * Central artifacts: what the demo runs on and what integration tests talk to; alone, or one of a
 * cluster of such nodes in separate processes ({@link Cluster}). Listeners
 * bind to 127.0.0.1 on free ports; data lives in a given directory (kept, so a restart finds its
 * topics) or in a temporary one (deleted on close).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final String bootstrapServers;

    /**
     * Settings of the embedded broker.
     *
     * @param dataDir where the log lives; empty for a temporary directory deleted on close
     * @param port broker listener port; 0 for a free one
     * @param cluster this node's place in a cluster of several; empty for a single node
     * @param overrides broker properties that replace the defaults below
     */
    public record Settings(Optional<Path> dataDir, int port, Optional<Cluster> cluster, Map<String, String> overrides) {
        public Settings {
            overrides = Map.copyOf(overrides);
        }

        public static Settings defaults() {
            return new Settings(Optional.empty(), 0, Optional.empty(), Map.of());
        }

        public Settings withDataDir(Path dir) {
            return new Settings(Optional.of(dir), port, cluster, overrides);
        }

        public Settings withPort(int brokerPort) {
            return new Settings(dataDir, brokerPort, cluster, overrides);
        }

        public Settings inCluster(Cluster node) {
            return new Settings(dataDir, port, Optional.of(node), overrides);
        }
    }

    /**
     * One node of a cluster whose nodes are all combined brokers and controllers, on 127.0.0.1.
     * Internal topics get one replica per node and accept writes while all but one are in sync.
     *
     * @param nodeId this node's id, one of the voters
     * @param controllerPort this node's controller port, as the voters name it
     * @param voters every node's {@code id@127.0.0.1:controllerPort}, comma-separated ({@code controller.quorum.voters})
     * @param clusterId the id every node's storage is formatted with
     */
    public record Cluster(int nodeId, int controllerPort, String voters, String clusterId) {
        /** A node alone: the only voter of its own new cluster. */
        static Cluster single(int controllerPort) {
            return new Cluster(NODE_ID, controllerPort, NODE_ID + "@127.0.0.1:" + controllerPort, Uuid.randomUuid().toString());
        }

        int size() {
            return voters.split(",").length;
        }
    }

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean deleteOnClose, String bootstrapServers) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.bootstrapServers = bootstrapServers;
    }

    public static EmbeddedKafkaBroker start() {
        return start(Settings.defaults());
    }

    /** Formats the storage if it is new, starts the broker and returns once it answers requests. */
    public static EmbeddedKafkaBroker start(Settings settings) {
        try {
            boolean temporary = settings.dataDir().isEmpty();
            Path dir = temporary ? Files.createTempDirectory("inferpulse-kafka-") : settings.dataDir().get();
            Files.createDirectories(dir);
            int brokerPort = settings.port() == 0 ? freePort() : settings.port();
            Cluster node = settings.cluster().orElse(Cluster.single(freePort()));
            KafkaConfig config = new KafkaConfig(properties(dir, brokerPort, node, settings.overrides()), false);
            format(config, dir, node);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            String bootstrap = "127.0.0.1:" + brokerPort;
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dir, temporary, bootstrap);
            broker.awaitReady();
            LOG.info("Kafka broker (KRaft) listening on {}, data in {}", bootstrap, dir);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare the embedded broker's data directory", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        LOG.info("Stopping Kafka broker on {}", bootstrapServers);
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    private static Map<String, Object> properties(Path dir, int brokerPort, Cluster node, Map<String, String> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(node.nodeId()));
        props.put("controller.quorum.voters", node.voters());
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + node.controllerPort());
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", dir.toAbsolutePath().toString());
        // One replica per node; a cluster's internal topics take writes while one node is away.
        String replicas = String.valueOf(node.size());
        String minInSync = String.valueOf(Math.max(1, node.size() - 1));
        props.put("offsets.topic.replication.factor", replicas);
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", replicas);
        props.put("transaction.state.log.min.isr", minInSync);
        props.put("transaction.state.log.num.partitions", "3");
        props.put("share.coordinator.state.topic.replication.factor", replicas);
        props.put("share.coordinator.state.topic.min.isr", minInSync);
        props.put("default.replication.factor", replicas);
        props.put("min.insync.replicas", minInSync);
        props.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's default 128 MiB dedupe buffer would triple the process's memory.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "3");
        props.putAll(overrides);
        return props;
    }

    private static void format(KafkaConfig config, Path dir, Cluster node) {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return; // formatted by an earlier run: keep its cluster id and its topics
        }
        Formatter formatter = new Formatter()
                .setNodeId(node.nodeId())
                .setClusterId(node.clusterId())
                .setDirectories(List.of(dir.toAbsolutePath().toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(config.metadataLogDir())
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()));
        LOG.info("Formatting Kafka storage in {}", dir);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis()))) {
            admin.describeCluster().nodes().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Embedded broker on " + bootstrapServers + " did not become ready within "
                    + READY_TIMEOUT.toSeconds() + " s", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("Could not delete the broker's temporary directory {}: {}", dir, e.toString());
        }
    }
}
