package io.inferpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.faults.AccessLogWorkload.Request;
import io.inferpulse.faults.Feeder.Due;
import io.inferpulse.schemas.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@code kill -9} of the streams job ({@code inferpulse streams}) while access logs arrive, restarted at
 * once with the same state directory, and {@code kill -9} of one of three brokers under it, compared
 * with an uninterrupted run of the same requests.
 *
 * <p>Compared: every model-stats window (key and window end relative to the run's start, request and
 * error counts, quantiles, rates), the distinct request statistics each pool's pool-stats records
 * carried, and the access logs on the job's model repartition topic (each request id once). Pool
 * gauges and record timestamps are wall-clock and are not compared. Windows are short (10 s evaluated
 * every 2 s, the default 5 s grace) so a run ends seconds after its input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EnabledIfSystemProperty(named = "inferpulse.faults", matches = "all|full",
        disabledReason = "four runs of the job, about 4 min: in the whole suite, -Dinferpulse.faults=all (docs/reliability.md)")
class StreamsKillIT {

    private final AccessLogWorkload workload = AccessLogWorkload.generate(42, FaultSettings.pick(1000, 12_000),
            FaultSettings.pick(Duration.ofSeconds(20), Duration.ofSeconds(120)));
    private Run uninterrupted;

    @Test
    void shouldEmitTheUninterruptedRunsStatsWhenTheExactlyOnceJobIsKilled() throws Exception {
        // given the stats of an uninterrupted exactly-once run
        Run baseline = uninterrupted();

        // when the same requests arrive while the exactly-once job is killed half-way and restarted
        Run killed = run("kill-streams-eos", "exactly_once_v2", Fault.KILL_STREAMS);

        // then every window, pool statistic and repartitioned log is the uninterrupted run's, once
        Comparison diff = Comparison.of(baseline, killed);
        diff.result("kill-streams-eos", workload.size(), killed).print();
        assertThat(killed.deadLetters()).as("access logs dead-lettered").isEmpty();
        assertThat(diff.repartitionLost()).as("access logs missing from the repartition topic").isZero();
        assertThat(diff.repartitionDuplicated()).as("access logs twice on the repartition topic").isZero();
        assertThat(diff.lostWindows()).as("model-stats windows of the uninterrupted run missing").isEmpty();
        assertThat(diff.duplicatedWindows()).as("model-stats windows emitted more than once").isEmpty();
        assertThat(diff.changedWindows()).as("model-stats windows whose values differ").isEmpty();
        assertThat(killed.poolRequestStats()).as("request statistics on pool-stats").isEqualTo(baseline.poolRequestStats());
    }

    @Test
    void shouldCountTheDuplicatesWhenTheAtLeastOnceJobIsKilled() throws Exception {
        // given the stats of an uninterrupted run (the topology does not depend on the guarantee)
        Run baseline = uninterrupted();

        // when the same requests arrive while the at-least-once job (the default) is killed half-way and restarted
        Run killed = run("kill-streams-alos", "at_least_once", Fault.KILL_STREAMS);

        // then nothing is lost; what was counted twice is measured and reported, not asserted away
        Comparison diff = Comparison.of(baseline, killed);
        diff.result("kill-streams-alos", workload.size(), killed).print();
        assertThat(killed.deadLetters()).as("access logs dead-lettered").isEmpty();
        assertThat(diff.repartitionLost()).as("access logs missing from the repartition topic").isZero();
        assertThat(diff.lostWindows()).as("model-stats windows of the uninterrupted run missing").isEmpty();
    }

    @Test
    void shouldEmitTheUninterruptedRunsStatsWhenOneOfThreeBrokersIsKilled() throws Exception {
        // given the stats of an uninterrupted run
        Run baseline = uninterrupted();

        // when the same requests arrive at the exactly-once job on three brokers (replication factor 3, min.insync.replicas 2)
        // and one broker is killed half-way, for good
        Run killed = run("kill-broker-of-three", "exactly_once_v2", Fault.KILL_BROKER);

        // then every window, pool statistic and repartitioned log is the uninterrupted run's, once
        Comparison diff = Comparison.of(baseline, killed);
        diff.result("kill-broker-of-three", workload.size(), killed).print();
        assertThat(killed.deadLetters()).as("access logs dead-lettered").isEmpty();
        assertThat(diff.repartitionLost()).as("access logs missing from the repartition topic").isZero();
        assertThat(diff.repartitionDuplicated()).as("access logs twice on the repartition topic").isZero();
        assertThat(diff.lostWindows()).as("model-stats windows of the uninterrupted run missing").isEmpty();
        assertThat(diff.duplicatedWindows()).as("model-stats windows emitted more than once").isEmpty();
        assertThat(diff.changedWindows()).as("model-stats windows whose values differ").isEmpty();
        assertThat(killed.poolRequestStats()).as("request statistics on pool-stats").isEqualTo(baseline.poolRequestStats());
    }

    private Run uninterrupted() throws Exception {
        if (uninterrupted == null) {
            uninterrupted = run("streams-uninterrupted", "exactly_once_v2", Fault.NONE);
            assertThat(uninterrupted.deadLetters()).as("access logs dead-lettered in the uninterrupted run").isEmpty();
            Comparison.of(uninterrupted, uninterrupted).result("streams-uninterrupted", workload.size(), uninterrupted).print();
        }
        return uninterrupted;
    }

    /** What strikes a run half-way: nothing, a kill -9 of the job (restarted at once), or a kill -9 of one of three brokers (not restarted). */
    enum Fault { NONE, KILL_STREAMS, KILL_BROKER }

    /** What one run wrote, with window ends relative to its start, and when the fault and the recovery happened. */
    record Run(Instant base, List<ModelStats> modelStats, Map<String, Set<RequestTuple>> poolRequestStats,
               List<String> repartitionedIds, List<String> deadLetters, Optional<Instant> killedAt, Optional<Instant> readyAt,
               Optional<Instant> firstOutputAfterKill) {}

    /** The request statistics a pool-stats record carries (the gauges are wall-clock, left out). */
    record RequestTuple(Double rate, Double errorRate, Double p50, Double p90, Double p99, Double inputTokens, Double outputTokens) {
        static RequestTuple of(PoolStats s) {
            return new RequestTuple(s.getRequestRatePerSecond(), s.getErrorRate(), s.getLatencyP50Seconds(),
                    s.getLatencyP90Seconds(), s.getLatencyP99Seconds(), s.getInputTokensPerSecond(), s.getOutputTokensPerSecond());
        }
    }

    /** A model-stats window: its key and its end after the run's start. */
    record WindowKey(String key, long endAfterBaseMs) {}

    /** A window's values. */
    record WindowValues(long requests, long errors, double rate, Double errorRate, Double p50, Double p90, Double p99,
                        double inputTokens, double outputTokens) {
        static WindowValues of(ModelStats s) {
            return new WindowValues(s.getRequestCount(), s.getErrorCount(), s.getRequestRatePerSecond(), s.getErrorRate(),
                    s.getLatencyP50Seconds(), s.getLatencyP90Seconds(), s.getLatencyP99Seconds(), s.getInputTokensPerSecond(),
                    s.getOutputTokensPerSecond());
        }
    }

    private Run run(String name, String guarantee, Fault fault) throws Exception {
        try (FaultStack stack = fault == Fault.KILL_BROKER ? FaultStack.startCluster(name, 3) : FaultStack.start(name);
             KafkaIO io = new KafkaIO(stack)) {
            try {
                return run(stack, io, guarantee, fault);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + " failed; logs in " + stack.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    private Run run(FaultStack stack, KafkaIO io, String guarantee, Fault fault) throws Exception {
        stack.service("streams", "streams", RequestStatsJob.settings(stack.dir().resolve("streams-state"), guarantee));

        Topic<String, AccessLog> accessLogs = io.topics().accessLogs();
        Queue<Exception> sendFailures = new ConcurrentLinkedQueue<>();
        Instant base = RequestStatsJob.alignedStart();
        List<Due<Request>> due = workload.requests().stream().map(r -> new Due<>(r, r.completedAt(base))).toList();
        Optional<Instant> killedAt = Optional.empty();
        Optional<Instant> readyAt = Optional.empty();
        try (KafkaIO.Tail<ModelStats> tail = io.tail(io.topics().modelStats());
             KafkaProducer<String, AccessLog> producer = io.producer(accessLogs);
             Feeder<Request> feeder = Feeder.start(due, r -> producer.send(new ProducerRecord<>(accessLogs.name(), null,
                     r.completedAt(base).toEpochMilli(), r.poolKey(), r.toAvro(base)), (metadata, e) -> {
                         if (e != null) {
                             sendFailures.add(e);
                         }
                     }))) {
            if (fault != Fault.NONE) {
                Deadline.of(workload.duration().plusSeconds(30)).until("half the requests sent", () -> feeder.fed() >= workload.size() / 2);
                killedAt = Optional.of(Instant.now());
                if (fault == Fault.KILL_STREAMS) {
                    stack.process("streams").kill();
                    stack.restartUnready("streams").awaitReady(FaultStack.START_DEADLINE);
                    readyAt = Optional.of(Instant.now());
                } else {
                    stack.process("broker-2").kill();
                }
            }
            feeder.awaitDone(workload.duration().plusSeconds(60));
            producer.flush();
            assertThat(sendFailures).as("access logs the broker refused").isEmpty();
            RequestStatsJob.awaitLastWindows(io, workload, base);
            Optional<Instant> kill0 = killedAt;
            Optional<Instant> firstAfter = kill0.flatMap(k -> tail.seen().stream().map(KafkaIO.Seen::at).filter(at -> at.isAfter(k)).min(Instant::compareTo));
            return new Run(base, values(io.readAll(io.topics().modelStats(), Duration.ofSeconds(30))),
                    poolRequestStats(io.readAll(io.topics().poolStats(), Duration.ofSeconds(30))),
                    RequestStatsJob.counted(io).stream().map(AccessLog::getRequestId).toList(),
                    io.readAll(io.topics().deadLetter(), Duration.ofSeconds(30)).stream()
                            .map(r -> r.value().getStage() + ": " + r.value().getReason()).toList(),
                    killedAt, readyAt, firstAfter);
        }
    }

    private static List<ModelStats> values(List<ConsumerRecord<String, ModelStats>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    private static Map<String, Set<RequestTuple>> poolRequestStats(List<ConsumerRecord<String, PoolStats>> records) {
        Map<String, Set<RequestTuple>> byPool = new TreeMap<>();
        for (ConsumerRecord<String, PoolStats> r : records) {
            if (r.value().getRequestRatePerSecond() != null) {
                byPool.computeIfAbsent(r.key(), k -> new HashSet<>()).add(RequestTuple.of(r.value()));
            }
        }
        return byPool;
    }

    /** A faulted run against the uninterrupted one. */
    record Comparison(Set<WindowKey> lostWindows, Map<WindowKey, Integer> duplicatedWindows, Set<WindowKey> changedWindows,
                      long repartitionLost, long repartitionDuplicated, int windows) {

        static Comparison of(Run baseline, Run run) {
            Map<WindowKey, WindowValues> expected = new HashMap<>();
            for (ModelStats s : baseline.modelStats()) {
                expected.put(key(baseline, s), WindowValues.of(s));
            }
            Map<WindowKey, List<WindowValues>> actual = new LinkedHashMap<>();
            for (ModelStats s : run.modelStats()) {
                actual.computeIfAbsent(key(run, s), k -> new ArrayList<>()).add(WindowValues.of(s));
            }
            Set<WindowKey> lost = new HashSet<>(expected.keySet());
            lost.removeAll(actual.keySet());
            Map<WindowKey, Integer> duplicated = new TreeMap<>(Comparator.comparing(WindowKey::key)
                    .thenComparingLong(WindowKey::endAfterBaseMs));
            Set<WindowKey> changed = new HashSet<>();
            actual.forEach((key, values) -> {
                if (values.size() > 1) {
                    duplicated.put(key, values.size() - 1);
                }
                if (values.stream().anyMatch(v -> !v.equals(expected.get(key)))) {
                    changed.add(key);
                }
            });
            Map<String, Long> ids = run.repartitionedIds().stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
            long repartitionLost = baseline.repartitionedIds().stream().distinct().filter(id -> !ids.containsKey(id)).count();
            long repartitionDuplicated = ids.values().stream().mapToLong(n -> n - 1).sum();
            return new Comparison(lost, duplicated, changed, repartitionLost, repartitionDuplicated, run.modelStats().size());
        }

        private static WindowKey key(Run run, ModelStats s) {
            String key = s.getTargetModelName().isEmpty() ? s.getModelName() : s.getModelName() + "/" + s.getTargetModelName();
            return new WindowKey(key, s.getWindowEnd().toEpochMilli() - run.base().toEpochMilli());
        }

        FaultResult result(String scenario, int in, Run run) {
            Duration recovery = run.killedAt().flatMap(k -> run.firstOutputAfterKill().map(f -> Duration.between(k, f)))
                    .orElse(Duration.ZERO);
            String ready = run.killedAt().flatMap(k -> run.readyAt().map(r -> FaultResult.seconds(Duration.between(k, r))))
                    .orElse("-");
            return new FaultResult(scenario, in, windows, lostWindows.size() + repartitionLost,
                    duplicatedWindows.values().stream().mapToLong(Integer::longValue).sum() + repartitionDuplicated, recovery,
                    "(out: model-stats windows; dead letters=" + run.deadLetters().size() + "; repartitioned logs lost=" + repartitionLost + " dup=" + repartitionDuplicated
                            + "; windows lost=" + lostWindows.size() + " dup=" + duplicatedWindows.values().stream()
                            .mapToLong(Integer::longValue).sum() + " changed=" + changedWindows.size() + "; ready " + ready
                            + " after the kill)");
        }
    }
}
