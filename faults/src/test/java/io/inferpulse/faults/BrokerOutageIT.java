package io.inferpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.faults.Feeder.Due;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * The broker stopped (SIGTERM) for 30 s and started again on the same port and data directory while
 * ingest follows a file and receives HTTP batches, and the streams, alerts and notify jobs run. None
 * of them is restarted.
 *
 * <p>The expectation is computed: every line of the file on {@code inferpulse.access-logs} exactly once,
 * every line of a batch ingest answered 2xx for at least once (the client retries failed batches, as
 * shippers do), no valid line dead-lettered; each service's /readyz is 200 again without a restart,
 * and the streams job writes model stats again. Measured: when each service answered /readyz 200
 * again after the broker was back, and when the first model-stats record and the first acknowledged
 * batch came after it. Pod scrapes are not part of this scenario.
 */
class BrokerOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final String NOTIFIER_CONFIG = """
            route:
              receiver: console
              group_by: [alertname, name, model_name]
              group_wait: 1s
              group_interval: 5s
              repeat_interval: 1h
            receivers:
              - name: console
                console_configs: [{}]
            """;

    private final AccessLogWorkload workload = AccessLogWorkload.generate(11, FaultSettings.pick(3000, 18_000),
            FaultSettings.pick(Duration.ofSeconds(60), Duration.ofSeconds(180)));

    @Test
    void shouldLoseNoAcknowledgedLineAndRecoverEveryServiceWhenTheBrokerIsAwayForThirtySeconds() throws Exception {
        try (FaultStack stack = FaultStack.start("broker-outage"); KafkaIO io = new KafkaIO(stack)) {
            try {
                stopTheBrokerMidStream(stack, io);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("broker-outage failed; logs in " + stack.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    private void stopTheBrokerMidStream(FaultStack stack, KafkaIO io) throws Exception {
        // given ingest (file and HTTP), the streams job, the alerts job and the notifier, all ready
        Path file = stack.dir().resolve("access.log");
        Files.createFile(file);
        int httpPort = FaultStack.freePort();
        stack.service("ingest", "ingest", LogShipping.ingestSettings(file, httpPort));
        stack.service("streams", "streams", Map.of(
                "streams.state.dir", stack.dir().resolve("streams-state").toString(),
                "requests.window", "10s", "requests.evaluation.interval", "2s", "errors.window", "10s"));
        stack.service("alerts", "alerts", Map.of("streams.state.dir", stack.dir().resolve("alerts-state").toString()));
        Path routing = Files.writeString(stack.dir().resolve("notifier.yaml"), NOTIFIER_CONFIG);
        stack.service("notify", "notify", Map.of("notifier.config", routing.toString()));
        List<String> services = List.of("ingest", "streams", "alerts", "notify");
        Map<String, Integer> opsPorts = new LinkedHashMap<>();
        services.forEach(s -> opsPorts.put(s, stack.opsPort(s)));
        URI receiver = URI.create("http://127.0.0.1:" + httpPort + "/v1/logs");
        Map<String, Long> pids = services.stream().collect(Collectors.toMap(s -> s, s -> stack.process(s).pid()));

        // when access logs arrive in time, and the broker stops a sixth of the way in and starts again 30 s later
        Instant base = Instant.now().plusSeconds(1);
        List<Due<LogShipping.Batch>> fileBatches = LogShipping.batches(workload, base, "f-", 0);
        List<Due<LogShipping.Batch>> httpBatches = LogShipping.batches(workload, base, "h-", 1);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failedPosts = new AtomicInteger();
        List<Instant> acknowledgedAt = new CopyOnWriteArrayList<>();
        Instant stoppedAt;
        Instant startedAt;
        try (ReadinessWatch readiness = new ReadinessWatch(opsPorts);
             KafkaIO.Tail<ModelStats> modelStats = io.tail(io.topics().modelStats());
             Feeder<LogShipping.Batch> fileFeeder = Feeder.start(fileBatches, batch -> LogShipping.append(file, batch));
             Feeder<LogShipping.Batch> httpFeeder = Feeder.start(httpBatches, batch -> {
                 LogShipping.post(receiver, batch, failedPosts);
                 acknowledged.addAll(batch.ids());
                 acknowledgedAt.add(Instant.now());
             })) {
            Deadline.of(workload.duration()).until("a sixth of the file written", () -> fileFeeder.fed() >= fileBatches.size() / 6);
            stoppedAt = Instant.now();
            stack.process("broker").stop(Duration.ofSeconds(60));
            Deadline.of(OUTAGE.plusSeconds(60)).until("the outage over", () -> Instant.now().isAfter(stoppedAt.plus(OUTAGE)));
            startedAt = Instant.now();
            stack.restart("broker");
            Instant brokerReady = Instant.now();
            fileFeeder.awaitDone(workload.duration().plusSeconds(60));
            httpFeeder.awaitDone(workload.duration().plus(LogShipping.RETRY_DEADLINE));
            Set<String> written = fileBatches.stream().flatMap(b -> b.item().ids().stream()).collect(Collectors.toSet());
            Deadline.of(Duration.ofSeconds(180)).until("every line of the file on the topic",
                    () -> LogShipping.landed(io).keySet().containsAll(written));
            Deadline.of(Duration.ofSeconds(120)).until("every service ready",
                    () -> services.stream().allMatch(s -> stack.process(s).isReady()));
            Deadline.of(Duration.ofSeconds(60)).until("model stats after the outage",
                    () -> modelStats.seen().stream().anyMatch(s -> s.at().isAfter(startedAt)));

            // then nothing acknowledged is lost, the file is there once, and every service is ready again, unrestarted
            Map<String, Long> landed = LogShipping.landed(io);
            long fileLost = written.stream().filter(id -> !landed.containsKey(id)).count();
            long fileDuplicated = written.stream().mapToLong(id -> landed.getOrDefault(id, 1L) - 1).sum();
            long httpLost = acknowledged.stream().filter(id -> !landed.containsKey(id)).count();
            long httpDuplicated = acknowledged.stream().mapToLong(id -> landed.getOrDefault(id, 1L) - 1).sum();
            List<String> deadLetters = io.readAll(io.topics().deadLetter(), Duration.ofSeconds(30)).stream()
                    .map(r -> r.value().getStage() + ": " + r.value().getReason()).toList();
            List<String> readinessReport = new ArrayList<>();
            Instant lastReady = brokerReady;
            for (String service : services) {
                Optional<Instant> unready = readiness.firstUnreadyAfter(service, stoppedAt);
                Optional<Instant> ready = unready.flatMap(u -> readiness.firstReadyAfter(service, u));
                readinessReport.add(service + " " + unready.map(u -> "503 after " + FaultResult.seconds(Duration.between(stoppedAt, u))
                        + ", 200 again " + ready.map(r -> FaultResult.seconds(Duration.between(startedAt, r))).orElse("never")
                        + " after the start").orElse("stayed ready"));
                if (ready.isPresent() && ready.get().isAfter(lastReady)) {
                    lastReady = ready.get();
                }
            }
            Instant firstModelStats = modelStats.seen().stream().map(KafkaIO.Seen::at).filter(at -> at.isAfter(startedAt))
                    .min(Instant::compareTo).orElseThrow();
            Optional<Instant> firstAcknowledged = acknowledgedAt.stream().filter(at -> at.isAfter(startedAt)).min(Instant::compareTo);
            new FaultResult("broker-outage-30s", written.size() + acknowledged.size(),
                    landed.values().stream().mapToLong(Long::longValue).sum(), fileLost + httpLost, fileDuplicated + httpDuplicated,
                    Duration.between(startedAt, lastReady),
                    "(recovery: broker start to every service ready; broker serving after "
                            + FaultResult.seconds(Duration.between(startedAt, brokerReady)) + "; " + String.join("; ", readinessReport)
                            + "; first model stats " + FaultResult.seconds(Duration.between(startedAt, firstModelStats))
                            + ", first acknowledged batch " + firstAcknowledged.map(a -> FaultResult.seconds(Duration.between(startedAt, a)))
                            .orElse("-") + " after the start; file dup=" + fileDuplicated + " http dup=" + httpDuplicated
                            + "; failed POSTs retried=" + failedPosts.get() + "; dead letters=" + deadLetters.size() + ")").print();
            assertThat(fileLost).as("lines of the file missing from the topic").isZero();
            assertThat(fileDuplicated).as("lines of the file on the topic more than once").isZero();
            assertThat(acknowledged).as("every batch was acknowledged in the end").hasSize(written.size());
            assertThat(httpLost).as("acknowledged lines missing from the topic").isZero();
            assertThat(deadLetters).as("dead letters").isEmpty();
            for (String service : services) {
                assertThat(stack.process(service).pid()).as(service + " not restarted").isEqualTo(pids.get(service));
                assertThat(stack.process(service).isReady()).as(service + " ready").isTrue();
            }
        }
    }
}
