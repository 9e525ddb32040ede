package io.inferpulse.faults;

import io.inferpulse.faults.ServiceProcess.ReadinessProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/**
 * A scenario's processes on loopback: a broker with its data directory, the schema registry, and the
 * services a scenario adds, each a JVM of its own that can be killed and started again with the same
 * arguments (ports, data and state directories). {@link #close()} kills whatever is still running.
 */
final class FaultStack implements AutoCloseable {
    static final Duration START_DEADLINE = Duration.ofSeconds(120);

    private final Path dir;
    private final List<Integer> brokerPorts;
    private final int registryPort;
    private final Map<String, Spec> specs = new LinkedHashMap<>();
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();

    /** How to start one process again: its arguments, its readiness probe and its ops port (0: none). */
    private record Spec(List<String> args, ReadinessProbe probe, int opsPort) {}

    private FaultStack(Path dir, int brokers) {
        this.dir = dir;
        this.brokerPorts = IntStream.range(0, brokers).mapToObj(i -> freePort()).toList();
        this.registryPort = freePort();
    }

    /** A broker (process {@code broker}) and a registry in {@code target/faults/<run>}, emptied first. */
    static FaultStack start(String run) {
        FaultStack stack = new FaultStack(FaultSettings.scenarioDir(run), 1);
        try {
            stack.clean();
            stack.define("broker", List.of("broker", "--port", String.valueOf(stack.brokerPorts.getFirst()), "--data-dir",
                    stack.dir.resolve("kafka").toString()), ReadinessProbe.logLine("Kafka broker on"), 0);
            stack.startProcess("broker");
            stack.startRegistry();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    /**
     * A cluster of brokers (processes {@code broker-1} .. {@code broker-<n>}, KRaft voters all) and a
     * registry: internal topics and topics created with the default replication factor get one
     * replica per broker and {@code min.insync.replicas} one less.
     */
    static FaultStack startCluster(String run, int brokers) {
        FaultStack stack = new FaultStack(FaultSettings.scenarioDir(run), brokers);
        try {
            stack.clean();
            List<Integer> controllerPorts = IntStream.range(0, brokers).mapToObj(i -> freePort()).toList();
            String voters = IntStream.range(0, brokers)
                    .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i)).collect(Collectors.joining(","));
            String clusterId = Uuid.randomUuid().toString();
            for (int i = 0; i < brokers; i++) {
                String name = "broker-" + (i + 1);
                stack.define(name, List.of("broker", "--port", String.valueOf(stack.brokerPorts.get(i)),
                        "--data-dir", stack.dir.resolve("kafka-" + (i + 1)).toString(), "--node-id", String.valueOf(i + 1),
                        "--controller-port", String.valueOf(controllerPorts.get(i)), "--voters", voters, "--cluster-id", clusterId),
                        ReadinessProbe.logLine("Kafka broker on"), 0);
                // Not awaited one by one: a node is ready only once a majority of the voters runs.
                Spec spec = stack.specs.get(name);
                stack.running.put(name, ServiceProcess.start(name, stack.dir, spec.probe(), spec.args()));
            }
            for (int i = 0; i < brokers; i++) {
                stack.running.get("broker-" + (i + 1)).awaitReady(START_DEADLINE);
            }
            stack.startRegistry();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startRegistry() {
        define("registry", List.of("registry", "--bootstrap-servers", bootstrapServers(), "--port",
                String.valueOf(registryPort)), ReadinessProbe.http(URI.create(registryUrl() + "/subjects")), 0);
        startProcess("registry");
    }

    String bootstrapServers() {
        return brokerPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    String registryUrl() {
        return "http://127.0.0.1:" + registryPort;
    }

    Path dir() {
        return dir;
    }

    /**
     * Starts an inferpulse service ({@code ingest}, {@code streams}, {@code alerts}, {@code notify}) named
     * {@code name}, on this broker and registry with its own ops port, and waits for its /readyz.
     */
    ServiceProcess service(String name, String command, Map<String, String> settings) {
        int opsPort = freePort();
        List<String> args = new ArrayList<>(List.of(command, "--bootstrap-servers", bootstrapServers(),
                "--schema-registry-url", registryUrl(), "--http-port", String.valueOf(opsPort)));
        settings.forEach((key, value) -> {
            args.add("--set");
            args.add(key + "=" + value);
        });
        define(name, args, ReadinessProbe.readyz(opsPort), opsPort);
        return startProcess(name);
    }

    /** Any other process (Alertmanager) under the same care: logged, killed at the end. */
    ServiceProcess external(String name, List<String> command, ReadinessProbe probe) {
        ServiceProcess process = ServiceProcess.startCommand(name, dir, probe, command);
        running.put(name, process);
        return process.awaitReady(START_DEADLINE);
    }

    /** Starts a process again with the arguments it was first started with; waits for it to be ready. */
    ServiceProcess restart(String name) {
        ServiceProcess old = running.get(name);
        if (old != null) {
            old.close();
        }
        return startProcess(name);
    }

    /** Starts a process again without waiting for it to be ready (a service restarted during an outage). */
    ServiceProcess restartUnready(String name) {
        ServiceProcess old = running.get(name);
        if (old != null) {
            old.close();
        }
        Spec spec = specs.get(name);
        ServiceProcess process = ServiceProcess.start(name, dir, spec.probe(), spec.args());
        running.put(name, process);
        return process;
    }

    ServiceProcess process(String name) {
        return running.get(name);
    }

    int opsPort(String name) {
        return specs.get(name).opsPort();
    }

    private void define(String name, List<String> args, ReadinessProbe probe, int opsPort) {
        specs.put(name, new Spec(List.copyOf(args), probe, opsPort));
    }

    private ServiceProcess startProcess(String name) {
        Spec spec = specs.get(name);
        ServiceProcess process = ServiceProcess.start(name, dir, spec.probe(), spec.args());
        running.put(name, process);
        return process.awaitReady(START_DEADLINE);
    }

    private void clean() {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills every process still running, services before the registry and the broker. */
    @Override
    public void close() {
        List<ServiceProcess> all = new ArrayList<>(running.values());
        for (ServiceProcess process : all.reversed()) {
            process.close();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
