package io.inferpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.faults.Feeder.Due;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
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
    private final AccessLogWorkload workload = AccessLogWorkload.generate(7, FaultSettings.pick(2000, 24_000),
            FaultSettings.pick(Duration.ofSeconds(20), Duration.ofSeconds(120)));

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
        stack.service("ingest", "ingest", LogShipping.ingestSettings(file, httpPort));
        URI receiver = URI.create("http://127.0.0.1:" + httpPort + "/v1/logs");

        // when half the requests go to the file and half to the receiver, in time, and ingest is killed half-way
        Instant base = Instant.now().plusSeconds(1);
        List<Due<LogShipping.Batch>> fileBatches = LogShipping.batches(workload, base, "f-", 0);
        List<Due<LogShipping.Batch>> httpBatches = LogShipping.batches(workload, base, "h-", 1);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failedPosts = new AtomicInteger();
        List<Instant> acknowledgedAt = new CopyOnWriteArrayList<>();
        Instant killedAt;
        Instant readyAt;
        try (Feeder<LogShipping.Batch> fileFeeder = Feeder.start(fileBatches, batch -> LogShipping.append(file, batch));
             Feeder<LogShipping.Batch> httpFeeder = Feeder.start(httpBatches, batch -> {
                 LogShipping.post(receiver, batch, failedPosts);
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
            httpFeeder.awaitDone(workload.duration().plus(LogShipping.RETRY_DEADLINE));
        }
        Set<String> written = fileBatches.stream().flatMap(b -> b.item().ids().stream()).collect(Collectors.toSet());
        Deadline.of(Duration.ofSeconds(120)).until("every line of the file on the topic",
                () -> LogShipping.landed(io).keySet().containsAll(written));

        // then every line of the file landed exactly once, and every acknowledged line at least once
        Map<String, Long> landed = LogShipping.landed(io);
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
}
