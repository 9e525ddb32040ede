package io.inferpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of ingest while it follows an access-log file and receives batches on
 * {@code POST /v1/logs}, restarted at once with the same settings. The expectation is computed, not
 * run: every line of the file on {@code inferpulse.access-logs} exactly once (the tailer commits lines
 * and file position in one transaction), and every line of a batch the receiver answered 2xx for at
 * least once. The HTTP client retries a batch that failed, as Fluent Bit and Vector do; the lines of a
 * batch that landed but whose answer the kill swallowed then land twice, which is counted.
 */
class IngestKillIT {
    private static final int BATCH = 10;
    private static final Duration HTTP_RETRY_DEADLINE = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final AccessLogWorkload workload = AccessLogWorkload.generate(7, FaultSettings.pick(2000, 24_000),
            FaultSettings.pick(Duration.ofSeconds(20), Duration.ofSeconds(120)));

    /** Lines sent together: a file append or a POST body. */
    record Batch(List<String> ids, String body) {}

    @Test
    void shouldLandEveryTailedLineOnceAndEveryAcknowledgedLineWhenIngestIsKilled() throws Exception {
        try (FaultStack stack = FaultStack.start("kill-ingest"); KafkaIO io = new KafkaIO(stack)) {
            try {
                killIngestMidStream(stack, io);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("kill-ingest failed; logs in " + stack.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    private void killIngestMidStream(FaultStack stack, KafkaIO io) throws Exception {
        // given ingest following a file and receiving HTTP batches
        Path file = stack.dir().resolve("access.log");
        Files.createFile(file);
        int httpPort = FaultStack.freePort();
        stack.service("ingest", "ingest", Map.of(
                "cluster.name", AccessLogWorkload.CLUSTER,
                "accesslog.format", "envoy-json",
                "accesslog.pool.from", "pool",
                "accesslog.model.from", "model",
                "accesslog.namespace.value", AccessLogWorkload.NAMESPACE,
                "accesslog.files", file.toString(),
                "accesslog.http.enabled", "true",
                "accesslog.http.host", "127.0.0.1",
                "accesslog.http.port", String.valueOf(httpPort)));
        URI receiver = URI.create("http://127.0.0.1:" + httpPort + "/v1/logs");

        // when half the requests go to the file and half to the receiver, in time, and ingest is killed half-way
        Instant base = Instant.now().plusSeconds(1);
        List<Due<Batch>> fileBatches = batches(base, "f-", 0);
        List<Due<Batch>> httpBatches = batches(base, "h-", 1);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failedPosts = new AtomicInteger();
        List<Instant> acknowledgedAt = new CopyOnWriteArrayList<>();
        Instant killedAt;
        Instant readyAt;
        try (Feeder<Batch> fileFeeder = Feeder.start(fileBatches, batch -> append(file, batch));
             Feeder<Batch> httpFeeder = Feeder.start(httpBatches, batch -> {
                 post(receiver, batch, failedPosts);
                 acknowledged.addAll(batch.ids());
                 acknowledgedAt.add(Instant.now());
             })) {
            Deadline.of(workload.duration().plusSeconds(30)).until("half the file written",
                    () -> fileFeeder.fed() >= fileBatches.size() / 2);
            killedAt = Instant.now();
            stack.process("ingest").kill();
            stack.restartUnready("ingest").awaitReady(FaultStack.START_DEADLINE);
            readyAt = Instant.now();
            fileFeeder.awaitDone(workload.duration().plusSeconds(60));
            httpFeeder.awaitDone(workload.duration().plus(HTTP_RETRY_DEADLINE));
        }
        Set<String> written = fileBatches.stream().flatMap(b -> b.item().ids().stream()).collect(Collectors.toSet());
        Deadline.of(Duration.ofSeconds(120)).until("every line of the file on the topic",
                () -> landed(io).keySet().containsAll(written));

        // then every line of the file landed exactly once, and every acknowledged line at least once
        Map<String, Long> landed = landed(io);
        long fileLost = written.stream().filter(id -> !landed.containsKey(id)).count();
        long fileDuplicated = written.stream().mapToLong(id -> landed.getOrDefault(id, 1L) - 1).sum();
        long httpLost = acknowledged.stream().filter(id -> !landed.containsKey(id)).count();
        long httpDuplicated = acknowledged.stream().mapToLong(id -> landed.getOrDefault(id, 1L) - 1).sum();
        long out = landed.values().stream().mapToLong(Long::longValue).sum();
        Optional<Instant> firstAcknowledgedAfterKill = acknowledgedAt.stream().filter(at -> at.isAfter(killedAt)).min(Instant::compareTo);
        List<String> deadLetters = io.readAll(io.topics().deadLetter(), Duration.ofSeconds(30)).stream()
                .map(r -> r.value().getReason()).toList();
        new FaultResult("kill-ingest", written.size() + acknowledged.size(), out, fileLost + httpLost,
                fileDuplicated + httpDuplicated, firstAcknowledgedAfterKill.map(at -> Duration.between(killedAt, at)).orElseThrow(),
                "(file: in=" + written.size() + " lost=" + fileLost + " dup=" + fileDuplicated + "; http: acknowledged="
                        + acknowledged.size() + " lost=" + httpLost + " dup=" + httpDuplicated + " failed POSTs retried="
                        + failedPosts.get() + "; dead letters=" + deadLetters.size() + "; ready "
                        + FaultResult.seconds(Duration.between(killedAt, readyAt)) + " after the kill)").print();
        assertThat(fileLost).as("lines of the file missing from the topic").isZero();
        assertThat(fileDuplicated).as("lines of the file on the topic more than once").isZero();
        assertThat(acknowledged).as("every batch was acknowledged in the end").hasSize(written.size());
        assertThat(httpLost).as("acknowledged lines missing from the topic").isZero();
        assertThat(deadLetters).as("valid lines dead-lettered").isEmpty();
    }

    /** Every other request (offset 0: even ids, 1: odd ids), BATCH at a time, due when the last of them completed. */
    private List<Due<Batch>> batches(Instant base, String prefix, int offset) {
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

    private static void append(Path file, Batch batch) {
        try {
            Files.writeString(file, batch.body(), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Posts until a 2xx, as a log shipper retries: ingest may be down, or answer 503 while Kafka is away. */
    private static void post(URI receiver, Batch batch, AtomicInteger failed) {
        Deadline deadline = Deadline.of(HTTP_RETRY_DEADLINE);
        deadline.until("a 2xx for batch " + batch.ids().getFirst(), () -> {
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(receiver).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(batch.body())).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return true;
                }
            } catch (IOException e) {
                // refused while ingest restarts, or reset by the kill: retried
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            failed.incrementAndGet();
            return false;
        });
    }

    /** How often each faults line id is on the access-logs topic, read_committed. */
    private static Map<String, Long> landed(KafkaIO io) {
        return io.readAll(io.topics().accessLogs(), Duration.ofSeconds(30)).stream().map(ConsumerRecord::value)
                .map(AccessLog::getRequestId).filter(id -> id != null && (id.startsWith("f-") || id.startsWith("h-")))
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }
}
