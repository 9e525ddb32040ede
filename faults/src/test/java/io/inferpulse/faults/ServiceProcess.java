package io.inferpulse.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One inferpulse command in its own JVM ({@code java -jar inferpulse.jar <command> ...}), its output
 * in a log file. Killed with SIGKILL ({@link Process#destroyForcibly()}) or stopped with SIGTERM
 * ({@link Process#destroy()}), the way an orchestrator does both.
 */
final class ServiceProcess implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);
    // Teardown kills each process; this also does when the test JVM itself is stopped (Ctrl-C, a build
    // timeout), so no broker or service outlives the run.
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> LIVE.forEach(Process::destroyForcibly)));
    }
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final Path log;
    private final Process process;
    private final BooleanSupplier ready;

    private ServiceProcess(String name, Path log, Process process, BooleanSupplier ready) {
        this.name = name;
        this.log = log;
        this.process = process;
        this.ready = ready;
    }

    /**
     * Starts {@code inferpulse <args>}; the output goes to {@code <dir>/<name>.log}, appended, so a
     * restarted service keeps the log of its first life above the second.
     */
    static ServiceProcess start(String name, Path dir, ReadinessProbe probe, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmFlags());
        command.add("-jar");
        command.add(FaultSettings.jar().toString());
        command.addAll(args);
        return startCommand(name, dir, probe, command);
    }

    /** Starts any command the same way (Alertmanager). */
    static ServiceProcess startCommand(String name, Path dir, ReadinessProbe probe, List<String> command) {
        Path log = dir.resolve(name + ".log");
        try {
            Files.createDirectories(dir);
            Files.writeString(log, "=== " + Instant.now() + " " + String.join(" ", command) + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            LIVE.add(process);
            process.onExit().thenRun(() -> LIVE.remove(process));
            return new ServiceProcess(name, log, process, probe.bind(log));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + name, e);
        }
    }

    private static List<String> jvmFlags() {
        // The launcher's flags (./inferpulse), and a small heap: up to seven of these JVMs share 2 cores.
        List<String> flags = new ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        int feature = Runtime.version().feature();
        if (feature >= 22) {
            flags.add("--enable-native-access=ALL-UNNAMED");
        }
        if (feature >= 24) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }

    /** Waits until the probe passes; fails with the log's path if the deadline passes or the process exits. */
    ServiceProcess awaitReady(Duration deadline) {
        Instant until = Instant.now().plus(deadline);
        while (Instant.now().isBefore(until)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with status " + process.exitValue() + " before it was ready; log: " + log);
            }
            if (ready.getAsBoolean()) {
                return this;
            }
            pause();
        }
        throw new AssertionError(name + " not ready within " + deadline + "; log: " + log);
    }

    boolean isReady() {
        return process.isAlive() && ready.getAsBoolean();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. Returns when the process is gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM: the service closes what it started, as on a rolling restart. */
    void stop(Duration deadline) {
        process.destroy();
        if (!awaitExit(deadline)) {
            kill();
        }
    }

    private boolean awaitExit(Duration deadline) {
        try {
            return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    static void pause() {
        try {
            Thread.sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** 200 from {@code GET url}. */
    static boolean answers200(URI url) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How to tell that a started process serves: given its log file. */
    @FunctionalInterface
    interface ReadinessProbe {
        BooleanSupplier bind(Path log);

        /** A service's {@code /readyz} on its ops port answers 200. */
        static ReadinessProbe readyz(int opsPort) {
            URI url = URI.create("http://127.0.0.1:" + opsPort + "/readyz");
            return log -> () -> answers200(url);
        }

        /** {@code GET url} answers 200 (the registry, Alertmanager). */
        static ReadinessProbe http(URI url) {
            return log -> () -> answers200(url);
        }

        /** The log holds a line (the broker prints one when it serves; it has no HTTP port). */
        static ReadinessProbe logLine(String text) {
            return log -> {
                // Only this life's output: a restarted broker appends to the log of its first life.
                long from = log.toFile().length();
                return () -> {
                    try {
                        String all = Files.readString(log);
                        return all.length() > from && all.substring((int) from).contains(text);
                    } catch (IOException e) {
                        return false;
                    }
                };
            };
        }
    }
}
