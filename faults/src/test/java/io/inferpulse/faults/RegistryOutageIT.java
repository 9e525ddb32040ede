package io.inferpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.faults.AccessLogWorkload.Request;
import io.inferpulse.faults.Feeder.Due;
import io.inferpulse.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The schema registry stopped (SIGTERM) for 60 s while access logs keep arriving (their writer holds
 * the schema id from before), and the exactly-once streams job killed and restarted in the middle of
 * the outage, so it starts without any schema. The expectation is computed: no valid log
 * dead-lettered, every log counted exactly once (its request id once on the job's model repartition
 * topic), and every window closed after the registry returns. Measured: from the registry's start to
 * the job's /readyz 200 and to its first model-stats record.
 */
class RegistryOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    private final AccessLogWorkload workload = AccessLogWorkload.generate(13, FaultSettings.pick(1600, 8000),
            FaultSettings.pick(Duration.ofSeconds(80), Duration.ofSeconds(120)));

    @Test
    void shouldDeadLetterNothingAndCountEveryLogWhenTheRegistryIsAwayForAMinute() throws Exception {
        try (FaultStack stack = FaultStack.start("registry-outage-60s"); KafkaIO io = new KafkaIO(stack)) {
            try {
                stopTheRegistryAndRestartTheJob(stack, io);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("registry-outage-60s failed; logs in " + stack.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    private void stopTheRegistryAndRestartTheJob(FaultStack stack, KafkaIO io) throws Exception {
        // given the exactly-once streams job counting access logs that arrive in time
        stack.service("streams", "streams", RequestStatsJob.settings(stack.dir().resolve("streams-state"), "exactly_once_v2"));
        Topic<String, AccessLog> accessLogs = io.topics().accessLogs();
        Queue<Exception> sendFailures = new ConcurrentLinkedQueue<>();
        Instant base = RequestStatsJob.alignedStart();
        List<Due<Request>> due = workload.requests().stream().map(r -> new Due<>(r, r.completedAt(base))).toList();
        Instant registryStartedAt;
        Instant readyAt;
        try (KafkaIO.Tail<ModelStats> tail = io.tail(io.topics().modelStats());
             KafkaProducer<String, AccessLog> producer = io.producer(accessLogs);
             Feeder<Request> feeder = Feeder.start(due, r -> producer.send(new ProducerRecord<>(accessLogs.name(), null,
                     r.completedAt(base).toEpochMilli(), r.poolKey(), r.toAvro(base)), (metadata, e) -> {
                         if (e != null) {
                             sendFailures.add(e);
                         }
                     }))) {
            // when the registry stops 5 s in, the job is killed and restarted 5 s into the outage, and the registry returns 60 s after it stopped
            Deadline.of(Duration.ofSeconds(60)).until("5 s of input", () -> Instant.now().isAfter(base.plusSeconds(5)));
            Instant stoppedAt = Instant.now();
            stack.process("registry").stop(Duration.ofSeconds(30));
            Deadline.of(Duration.ofSeconds(60)).until("5 s of outage", () -> Instant.now().isAfter(stoppedAt.plusSeconds(5)));
            stack.process("streams").kill();
            ServiceProcess restarted = stack.restartUnready("streams");
            Deadline.of(OUTAGE.plusSeconds(60)).until("the outage over", () -> Instant.now().isAfter(stoppedAt.plus(OUTAGE)));
            assertThat(restarted.isReady()).as("the job restarted without a registry says it is not ready").isFalse();
            registryStartedAt = Instant.now();
            stack.restart("registry");
            restarted.awaitReady(FaultStack.START_DEADLINE);
            readyAt = Instant.now();
            feeder.awaitDone(workload.duration().plusSeconds(60));
            producer.flush();
            assertThat(sendFailures).as("access logs the broker refused").isEmpty();
            RequestStatsJob.awaitLastWindows(io, workload, base);

            // then nothing valid was dead-lettered and every log was counted once
            List<String> deadLetters = io.readAll(io.topics().deadLetter(), Duration.ofSeconds(30)).stream()
                    .map(r -> r.value().getStage() + ": " + r.value().getReason()).toList();
            Map<String, Long> counted = RequestStatsJob.counted(io).stream().map(AccessLog::getRequestId)
                    .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
            long lost = workload.requests().stream().filter(r -> !counted.containsKey(r.requestId())).count();
            long duplicated = counted.values().stream().mapToLong(n -> n - 1).sum();
            Instant firstModelStats = tail.seen().stream().map(KafkaIO.Seen::at).filter(at -> at.isAfter(registryStartedAt))
                    .min(Instant::compareTo).orElseThrow();
            new FaultResult("registry-outage-60s", workload.size(), counted.values().stream().mapToLong(Long::longValue).sum(),
                    lost, duplicated, Duration.between(registryStartedAt, firstModelStats),
                    "(out: logs on the model repartition topic; recovery: registry start to the first model stats; job ready "
                            + FaultResult.seconds(Duration.between(registryStartedAt, readyAt))
                            + " after the registry's start; dead letters=" + deadLetters.size() + ")").print();
            assertThat(deadLetters).as("valid access logs dead-lettered").isEmpty();
            assertThat(lost).as("access logs never counted").isZero();
            assertThat(duplicated).as("access logs counted twice").isZero();
        }
    }
}
