package io.inferpulse.faults;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.faults.AccessLogWorkload.Request;
import io.inferpulse.faults.Feeder.Due;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Access-log lines as a gateway and a log shipper deliver them to ingest: appended to the file it
 * follows, or posted in batches to {@code POST /v1/logs} and retried until a 2xx, as Fluent Bit and
 * Vector do. Each line carries its own request id ({@code f-<n>} in the file, {@code h-<n>} over
 * HTTP), by which the scenarios find it on {@code inferpulse.access-logs}.
 */
final class LogShipping {
    static final int BATCH = 10;
    static final Duration RETRY_DEADLINE = Duration.ofSeconds(180);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LogShipping() {}

    /** Lines sent together: a file append or a POST body. */
    record Batch(List<String> ids, String body) {}

    /** The ingest settings that read these lines (Envoy Gateway's JSON format), from a file and over HTTP. */
    static Map<String, String> ingestSettings(Path file, int httpPort) {
        return Map.of(
                "cluster.name", AccessLogWorkload.CLUSTER,
                "accesslog.format", "envoy-json",
                "accesslog.pool.from", "pool",
                "accesslog.model.from", "model",
                "accesslog.namespace.value", AccessLogWorkload.NAMESPACE,
                "accesslog.files", file.toString(),
                "accesslog.http.enabled", "true",
                "accesslog.http.host", "127.0.0.1",
                "accesslog.http.port", String.valueOf(httpPort));
    }

    /**
     * Every other request of the workload (offset 0: even ids, 1: odd ids), BATCH at a time, due when the
     * last of them completed.
     */
    static List<Due<Batch>> batches(AccessLogWorkload workload, Instant base, String prefix, int offset) {
        List<Due<Batch>> batches = new ArrayList<>();
        List<Request> requests = workload.requests();
        for (int i = offset; i < requests.size(); i += 2 * BATCH) {
            List<String> ids = new ArrayList<>();
            StringBuilder body = new StringBuilder();
            Request last = null;
            for (int j = i; j < Math.min(i + 2 * BATCH, requests.size()); j += 2) {
                last = requests.get(j);
                String id = prefix + last.id();
                ids.add(id);
                body.append(last.toEnvoyJson(base, id)).append('\n');
            }
            batches.add(new Due<>(new Batch(List.copyOf(ids), body.toString()), last.completedAt(base)));
        }
        return batches;
    }

    static void append(Path file, Batch batch) {
        try {
            Files.writeString(file, batch.body(), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Posts until a 2xx: ingest may be down, or answer 503 while Kafka is away. Counts the failed attempts. */
    static void post(URI receiver, Batch batch, AtomicInteger failed) {
        Deadline.of(RETRY_DEADLINE).until("a 2xx for batch " + batch.ids().getFirst(), () -> {
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(receiver).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(batch.body())).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return true;
                }
            } catch (IOException e) {
                // refused while ingest restarts, reset by a kill, or timed out: retried
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            failed.incrementAndGet();
            return false;
        });
    }

    /** How often each shipped line is on the access-logs topic, read_committed. */
    static Map<String, Long> landed(KafkaIO io) {
        return io.readAll(io.topics().accessLogs(), Duration.ofSeconds(30)).stream().map(ConsumerRecord::value)
                .map(AccessLog::getRequestId).filter(id -> id != null && (id.startsWith("f-") || id.startsWith("h-")))
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }
}
