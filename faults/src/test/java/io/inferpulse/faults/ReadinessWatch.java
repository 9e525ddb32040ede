package io.inferpulse.faults;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Polls the /readyz of some services a few times a second in the background and keeps every answer,
 * so a scenario can tell when each one stopped being ready and when it was ready again.
 */
final class ReadinessWatch implements AutoCloseable {
    private static final Duration EVERY = Duration.ofMillis(250);

    /** One poll: ready or not, and when. */
    record Probe(Instant at, boolean ready) {}

    private final Map<String, List<Probe>> probes = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    ReadinessWatch(Map<String, Integer> opsPorts) {
        Map<String, URI> urls = opsPorts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> URI.create("http://127.0.0.1:" + e.getValue() + "/readyz")));
        urls.keySet().forEach(name -> probes.put(name, new CopyOnWriteArrayList<>()));
        thread = Thread.ofPlatform().daemon().name("readiness-watch").start(() -> {
            while (!closed) {
                urls.forEach((name, url) -> probes.get(name).add(new Probe(Instant.now(), ServiceProcess.answers200(url))));
                try {
                    Thread.sleep(EVERY);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The first poll after {@code since} at which the service was not ready. */
    Optional<Instant> firstUnreadyAfter(String service, Instant since) {
        return probes.get(service).stream().filter(p -> p.at().isAfter(since) && !p.ready()).map(Probe::at).findFirst();
    }

    /** The first poll after {@code since} at which the service was ready. */
    Optional<Instant> firstReadyAfter(String service, Instant since) {
        return probes.get(service).stream().filter(p -> p.at().isAfter(since) && p.ready()).map(Probe::at).findFirst();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.interrupt();
        thread.join(Duration.ofSeconds(10));
    }
}
