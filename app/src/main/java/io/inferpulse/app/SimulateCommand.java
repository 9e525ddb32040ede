package io.inferpulse.app;

import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.fleet.SimulatedPodEndpoint;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run a simulated fleet of vLLM servers (Prometheus /metrics on 127.0.0.1) and a gateway writing access logs.")
final class SimulateCommand implements Callable<Integer> {
    @Mixin
    FleetOptions fleetOptions;

    @Option(names = "--access-log", defaultValue = "access-log.ndjson",
            description = "File receiving one GCP load balancer JSON line per request (default ${DEFAULT-VALUE}).")
    Path accessLog;

    @Override
    public Integer call() throws Exception {
        Lifecycle life = new Lifecycle();
        AccessLogFile log = life.add(AccessLogFile.open(accessLog));
        FleetSimulator fleet = life.add(new FleetSimulator(fleetOptions.config(), log::write));
        fleetOptions.scaleToStart(fleet);
        fleet.start();
        System.out.println("Simulated fleet running. Scrape it with:");
        System.out.println("  inferpulse ingest --set scrape.targets=" + targets(fleet));
        System.out.println("Access logs: " + accessLog.toAbsolutePath());
        life.awaitShutdown();
        return 0;
    }

    static String targets(FleetSimulator fleet) {
        return fleet.activeEndpoints().stream().map(SimulateCommand::target).collect(Collectors.joining(","));
    }

    private static String target(SimulatedPodEndpoint e) {
        return e.namespace() + "/" + e.pool() + "/" + e.pod() + "=" + e.metricsUri();
    }

    /** The simulated gateway's access log: one JSON line per request, written as they come. */
    record AccessLogFile(Path path, BufferedWriter out) implements AutoCloseable {
        static AccessLogFile open(Path path) {
            try {
                return new AccessLogFile(path, Files.newBufferedWriter(path));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the access log " + path, e);
            }
        }

        synchronized void write(String line) {
            try {
                out.write(line);
                out.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the access log " + path, e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            out.close();
        }
    }
}
