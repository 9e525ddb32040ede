package io.inferpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.faults.Feeder.Due;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the alerts job ({@code inferpulse alerts}, exactly-once) while an alert is
 * pending, restarted at once with its state directory, compared with an uninterrupted run of the same
 * pool-stats input.
 *
 * <p>The test writes pool-stats records itself, two a second per pool: average queue 10, then 100
 * for 30 s, then 10 again. The rule ({@code inference_pool_average_queue_size > 50}, {@code for: 8s},
 * group interval 2 s) goes pending at the first evaluation after the rise, fires 8 s later and
 * resolves at the first evaluation after the fall. The job evaluates on the wall clock, so times are
 * compared relative to the run's start (an evaluation instant): FIRING events by fingerprint,
 * {@code activeAt} and {@code startsAt}, RESOLVED events by those and {@code endsAt}. A FIRING's
 * {@code endsAt} is its evaluation time plus a validity and is not compared.
 */
class AlertsKillIT {
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final long RISE_MS = 5_000;
    private static final long FALL_MS = 35_000;
    /** Samples go on this long after the last pool's fall, so that every pool is seen low again. */
    private static final long AFTER_FALL_MS = 5_000;
    private static final long SAMPLE_EVERY_MS = 500;
    private static final String RULES = """
            groups:
            - name: faults
              interval: 2s
              rules:
              - alert: FaultsHighQueue
                expr: inference_pool_average_queue_size > 50
                for: 8s
                labels:
                  severity: critical
            """;

    private final int pools = FaultSettings.pick(1, 6);

    /** An alert event as compared: times relative to the run's start. */
    record Transition(AlertState state, String fingerprint, long activeAfterBaseMs, Long startsAfterBaseMs, Long endsAfterBaseMs) {}

    /** What a run wrote, and when the fault and the recovery happened. */
    record Run(List<Transition> transitions, int events, Optional<Instant> killedAt, Optional<Instant> readyAt,
               Optional<Instant> firstEventAfterKill) {}

    @Test
    void shouldSendTheSameFiringAndResolvedAlertsWhenTheAlertsJobIsKilledWhilePending() throws Exception {
        // given the alerts of an uninterrupted run
        Run baseline = run("alerts-uninterrupted", false);
        assertThat(baseline.transitions()).extracting(Transition::state).containsOnly(AlertState.FIRING, AlertState.RESOLVED)
                .hasSize(2 * pools);

        // when the same input arrives while the job is killed with the alerts pending, and restarted
        Run killed = run("kill-alerts", true);

        // then it sends the same FIRING and RESOLVED alerts, with the same startsAt, each once
        Set<Transition> expected = new HashSet<>(baseline.transitions());
        Set<Transition> actual = new HashSet<>(killed.transitions());
        long lost = expected.stream().filter(t -> !actual.contains(t)).count();
        long duplicated = killed.transitions().size() - actual.size();
        new FaultResult("kill-alerts", baseline.transitions().size(), killed.transitions().size(), lost, duplicated,
                Duration.between(killed.killedAt().orElseThrow(), killed.firstEventAfterKill().orElseThrow()),
                "(in: FIRING and RESOLVED of the uninterrupted run; unexpected=" + actual.stream().filter(t -> !expected.contains(t)).count()
                        + "; ready " + FaultResult.seconds(Duration.between(killed.killedAt().orElseThrow(), killed.readyAt().orElseThrow()))
                        + " after the kill)").print();
        assertThat(killed.transitions()).containsExactlyInAnyOrderElementsOf(baseline.transitions());
    }

    private Run run(String name, boolean kill) throws Exception {
        try (FaultStack stack = FaultStack.start(name); KafkaIO io = new KafkaIO(stack)) {
            try {
                return run(stack, io, kill);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + " failed; logs in " + stack.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    private Run run(FaultStack stack, KafkaIO io, boolean kill) throws IOException, InterruptedException {
        Path rules = Files.writeString(stack.dir().resolve("rules.yaml"), RULES);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("alerts.rules", rules.toString());
        settings.put("alerts.resend.delay", "5m");
        settings.put("streams.state.dir", stack.dir().resolve("alerts-state").toString());
        // As in StreamsKillIT: the killed member leaves the group after 10 s, not the default 45 s.
        settings.put("streams.session.timeout.ms", "10000");
        stack.service("alerts", "alerts", settings);

        Topic<String, PoolStats> poolStats = io.topics().poolStats();
        long step = INTERVAL.toMillis();
        Instant base = Instant.ofEpochMilli(Math.ceilDiv(System.currentTimeMillis() + 2_000, step) * step);
        List<Due<PoolStats>> samples = new ArrayList<>();
        // Odd pools rise and fall one interval after even ones: two activeAt instants, both pending at the kill.
        // Changes fall a second before an evaluation instant, so no evaluation races a sample.
        long endMs = FALL_MS + step + AFTER_FALL_MS;
        for (long t = 0; t <= endMs; t += SAMPLE_EVERY_MS) {
            for (int p = 0; p < pools; p++) {
                long shift = p % 2 * step;
                boolean high = t >= RISE_MS + shift && t < FALL_MS + shift;
                samples.add(new Due<>(sample("pool-" + p, base.plusMillis(t), high ? 100 : 10), base.plusMillis(t)));
            }
        }
        Queue<Exception> sendFailures = new ConcurrentLinkedQueue<>();
        Optional<Instant> killedAt = Optional.empty();
        Optional<Instant> readyAt = Optional.empty();
        try (KafkaIO.Tail<AlertEvent> tail = io.tail(io.topics().alerts());
             KafkaProducer<String, PoolStats> producer = io.producer(poolStats);
             Feeder<PoolStats> feeder = Feeder.start(samples, s -> producer.send(new ProducerRecord<>(poolStats.name(), null,
                     s.getComputedAt().toEpochMilli(), Topics.poolKey(s.getCluster(), s.getNamespace(), s.getPool()), s),
                     (metadata, e) -> {
                         if (e != null) {
                             sendFailures.add(e);
                         }
                     }))) {
            if (kill) {
                // Pending from the first evaluation after the rise until 8 s later: kill 3 s into it.
                Deadline.of(Duration.ofSeconds(60)).until("the alert pending",
                        () -> System.currentTimeMillis() >= base.toEpochMilli() + RISE_MS + 4_000);
                killedAt = Optional.of(Instant.now());
                stack.process("alerts").kill();
                stack.restartUnready("alerts").awaitReady(FaultStack.START_DEADLINE);
                readyAt = Optional.of(Instant.now());
            }
            feeder.awaitDone(Duration.ofMillis(endMs).plusSeconds(60));
            producer.flush();
            assertThat(sendFailures).as("pool stats the broker refused").isEmpty();
            Deadline.of(Duration.ofSeconds(60)).until("every pool's alert resolved", () -> tail.seen().stream()
                    .filter(s -> s.record().value() != null && s.record().value().getState() == AlertState.RESOLVED)
                    .map(s -> s.record().key()).distinct().count() == pools);
            Optional<Instant> kill0 = killedAt;
            Optional<Instant> firstAfter = kill0.flatMap(k -> tail.seen().stream().map(KafkaIO.Seen::at)
                    .filter(at -> at.isAfter(k)).min(Instant::compareTo));
            List<ConsumerRecord<String, AlertEvent>> events = io.readAll(io.topics().alerts(), Duration.ofSeconds(30));
            List<Transition> transitions = events.stream().map(ConsumerRecord::value)
                    .filter(e -> e != null && e.getState() != AlertState.PENDING)
                    .map(e -> transition(e, base)).toList();
            return new Run(transitions, events.size(), killedAt, readyAt, firstAfter);
        }
    }

    private static Transition transition(AlertEvent e, Instant base) {
        long b = base.toEpochMilli();
        return new Transition(e.getState(), e.getFingerprint(), e.getActiveAt().toEpochMilli() - b,
                e.getStartsAt() == null ? null : e.getStartsAt().toEpochMilli() - b,
                e.getState() == AlertState.RESOLVED && e.getEndsAt() != null ? e.getEndsAt().toEpochMilli() - b : null);
    }

    private static PoolStats sample(String pool, Instant at, double queue) {
        return PoolStats.newBuilder()
                .setCluster(AccessLogWorkload.CLUSTER).setNamespace(AccessLogWorkload.NAMESPACE).setPool(pool)
                .setComputedAt(at).setNewestSampleTime(at).setReadyPods(4)
                .setAverageKvCacheUtilization(0.5).setAverageQueueSize(queue).setAverageRunningRequests(8.0)
                .setTotalQueueSize(4 * queue).setTotalRunningRequests(32.0)
                .setRequestRatePerSecond(null).setErrorRate(null).setLatencyP50Seconds(null).setLatencyP90Seconds(null)
                .setLatencyP99Seconds(null).setInputTokensPerSecond(null).setOutputTokensPerSecond(null)
                .build();
    }
}
