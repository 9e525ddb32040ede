package io.inferpulse.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.rules.RuleFiles;
import io.inferpulse.streams.rules.RuleGroup;
import io.inferpulse.streams.rules.RuleSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alert-evaluation topology with the seeds' rules (alerts.yaml), on the test driver's wall clock. */
class AlertTopologyTest {
    private static final String APPLICATION_ID = "alert-topology-test";
    private static final Duration INTERVAL = Duration.ofSeconds(15);
    /** Wall-clock step of the tests, and how often inputs report: a divisor of the interval, so every instant is evaluated. */
    private static final Duration STEP = Duration.ofSeconds(5);
    /** An evaluation instant: a multiple of the interval since the epoch. */
    private static final Instant T0 = Instant.parse("2025-06-02T10:00:00Z");
    private static final RuleSettings RULE_SETTINGS = new RuleSettings(INTERVAL, Duration.ofMinutes(5), "http://prometheus.example:9090");

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new AvroSerdes(InMemorySchemaRegistryClient.forScope(APPLICATION_ID)));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, PoolStats> poolStats;
    private TestInputTopic<String, ModelStats> modelStats;
    private TestOutputTopic<String, AlertEvent> alerts;
    private Instant now;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void shouldPageForAPoolWhoseQueueStaysAbove50ForFiveMinutesThenResolve() {
        start(RuleFiles.loadDefault(RULE_SETTINGS));
        Map<String, String> expectedLabels = new TreeMap<>(Map.of("alertname", "HighInferencePoolAvgQueueSize",
                "cluster", "gke-eu-1", "namespace", "llm", "name", "vllm-llama3", "severity", "critical", "impact", "performance"));
        String fingerprint = alertmanagerFingerprint(expectedLabels);

        // given a pool whose average queue is 60
        runUntil(T0, 60.0);

        // then it is pending from the first evaluation that sees it
        List<TestRecord<String, AlertEvent>> events = alerts.readRecordsToList();
        assertThat(events).hasSize(1);
        AlertEvent pending = events.get(0).value();
        assertThat(events.get(0).key()).isEqualTo(fingerprint);
        assertThat(events.get(0).getRecordTime()).isEqualTo(T0);
        assertThat(pending.getState()).isEqualTo(AlertState.PENDING);
        assertThat(pending.getFingerprint()).isEqualTo(fingerprint);
        assertThat(pending.getAlertName()).isEqualTo("HighInferencePoolAvgQueueSize");
        assertThat(pending.getLabels()).isEqualTo(expectedLabels);
        assertThat(pending.getValue()).isEqualTo(60.0);
        assertThat(pending.getActiveAt()).isEqualTo(T0);
        assertThat(pending.getStartsAt()).isNull();
        assertThat(pending.getEndsAt()).isNull();
        assertThat(pending.getAnnotations()).containsEntry("title", "High average queue size for inference pool vllm-llama3");

        // when the queue stays above 50 until just before five minutes have passed, nothing more is sent
        runUntil(T0.plus(Duration.ofMinutes(5)).minus(INTERVAL), 60.0);
        assertThat(alerts.readRecordsToList()).isEmpty();

        // then it fires at activeAt + 5 m exactly, with its annotations rendered
        runUntil(T0.plus(Duration.ofMinutes(5)), 61.5);
        events = alerts.readRecordsToList();
        assertThat(events).hasSize(1);
        AlertEvent firing = events.get(0).value();
        Instant firedAt = T0.plus(Duration.ofMinutes(5));
        assertThat(events.get(0).key()).isEqualTo(fingerprint);
        assertThat(firing.getState()).isEqualTo(AlertState.FIRING);
        assertThat(firing.getLabels()).isEqualTo(expectedLabels);
        assertThat(firing.getValue()).isEqualTo(61.5);
        assertThat(firing.getActiveAt()).isEqualTo(T0);
        assertThat(firing.getStartsAt()).isEqualTo(firedAt);
        assertThat(firing.getEndsAt()).isEqualTo(firedAt.plus(Duration.ofMinutes(4)));
        assertThat(firing.getEvaluatedAt()).isEqualTo(firedAt);
        assertThat(firing.getAnnotations()).isEqualTo(Map.of(
                "title", "High average queue size for inference pool vllm-llama3",
                "description", "The average number of requests pending in the queue for inference pool vllm-llama3"
                        + " has been consistently above 50 for 5 minutes."));
        assertThat(firing.getGeneratorUrl()).startsWith("http://prometheus.example:9090");
        assertThat(meters.get("inferpulse_alerts").tag("state", "firing").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("inferpulse_alerts").tag("state", "pending").gauge().value()).isEqualTo(0.0);
        assertThat(meters.get("inferpulse_rule_group_last_duration_seconds").tag("rule_group", "gateway-api-inference-extension")
                .gauge().value()).isPositive();

        // and it is re-sent one resend delay (1 m) later, not before
        runUntil(firedAt.plus(Duration.ofMinutes(1)).minus(INTERVAL), 61.5);
        assertThat(alerts.readRecordsToList()).isEmpty();
        runUntil(firedAt.plus(Duration.ofMinutes(1)), 61.5);
        events = alerts.readRecordsToList();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.value().getState()).isEqualTo(AlertState.FIRING);
            assertThat(e.value().getStartsAt()).isEqualTo(firedAt);
        });

        // when the queue drops to 10, it resolves at the next evaluation
        Instant dropAt = firedAt.plus(Duration.ofMinutes(1)).plus(INTERVAL);
        runUntil(dropAt, 10.0);
        events = alerts.readRecordsToList();
        assertThat(events).hasSize(1);
        AlertEvent resolved = events.get(0).value();
        assertThat(resolved.getState()).isEqualTo(AlertState.RESOLVED);
        assertThat(resolved.getStartsAt()).isEqualTo(firedAt);
        assertThat(resolved.getEndsAt()).isEqualTo(dropAt);
        assertThat(resolved.getLabels()).isEqualTo(expectedLabels);
    }

    @Test
    void shouldDropAPendingPoolAlertWithATombstoneWhenTheQueueFallsBeforeFiveMinutes() {
        start(RuleFiles.loadDefault(RULE_SETTINGS));
        runUntil(T0, 60.0);
        assertThat(alerts.readRecordsToList()).singleElement()
                .satisfies(e -> assertThat(e.value().getState()).isEqualTo(AlertState.PENDING));

        runUntil(T0.plus(INTERVAL), 3.0);

        TestRecord<String, AlertEvent> tombstone = alerts.readRecordsToList().getLast();
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.key()).hasSize(16);
    }

    @Test
    void shouldResolveAFiringPoolAlertWhenItsSeriesGoStale() {
        start(RuleFiles.loadDefault(RULE_SETTINGS));
        runUntil(T0.plus(Duration.ofMinutes(5)), 60.0);
        assertThat(alerts.readRecordsToList()).last()
                .satisfies(e -> assertThat(e.value().getState()).isEqualTo(AlertState.FIRING));
        Instant lastReport = now.minus(STEP);

        // when the pool stops reporting altogether, its series is still read while at most 5 m old (the lookback delta)
        Instant staleFrom = lastReport.plus(Duration.ofMinutes(5)).plusMillis(1);
        Instant lastFreshEvaluation = Instant.ofEpochMilli(staleFrom.toEpochMilli() - staleFrom.toEpochMilli() % INTERVAL.toMillis());
        advanceTo(lastFreshEvaluation);
        assertThat(alerts.readRecordsToList()).isNotEmpty()
                .allSatisfy(e -> assertThat(e.value().getState()).isEqualTo(AlertState.FIRING));
        advanceTo(lastFreshEvaluation.plus(INTERVAL));

        // then the alert resolves, though no record arrived to trigger anything
        assertThat(alerts.readRecordsToList()).last()
                .satisfies(e -> assertThat(e.value().getState()).isEqualTo(AlertState.RESOLVED));
    }

    @Test
    void shouldPageForAModelWhoseErrorRateStaysAbove5Percent() {
        start(RuleFiles.loadDefault(RULE_SETTINGS));
        Map<String, String> expectedLabels = new TreeMap<>(Map.of("alertname", "HighInferenceErrorRate",
                "model_name", "llama-3-8b", "severity", "critical", "impact", "availability"));

        // given per-target model stats every 15 s with 8 % of requests failing (80 of 1000 in the 5 m window)
        runUntil(T0.plus(Duration.ofMinutes(5)), () -> {
            // every 15 s, as the model-stats job reports
            if (now.plus(STEP).toEpochMilli() % INTERVAL.toMillis() == 0) {
                modelStats.pipeInput(new TestRecord<>("llama-3-8b/llama-3-8b-lora",
                        modelStats("llama-3-8b", "llama-3-8b-lora", 1000, 80), now));
            }
        });

        // then it is pending at the first evaluation and fires five minutes later, labelled by model only
        List<AlertEvent> events = alerts.readValuesToList();
        assertThat(events).extracting(AlertEvent::getState).containsExactly(AlertState.PENDING, AlertState.FIRING);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getLabels()).isEqualTo(expectedLabels);
            assertThat(e.getFingerprint()).isEqualTo(alertmanagerFingerprint(expectedLabels));
            assertThat(e.getValue()).isCloseTo(0.08, within(1e-9));
            assertThat(e.getAnnotations()).containsEntry("title", "High error rate for model llama-3-8b");
        });
        assertThat(events.get(1).getStartsAt()).isEqualTo(events.get(0).getActiveAt().plus(Duration.ofMinutes(5)));
    }

    @Test
    void shouldNotAlertOnAHealthyPoolOrModel() {
        start(RuleFiles.loadDefault(RULE_SETTINGS));
        runUntil(T0.plus(Duration.ofMinutes(6)), () -> {
            poolStats.pipeInput(new TestRecord<>(Topics.poolKey("gke-eu-1", "llm", "vllm-llama3"),
                    poolStats("gke-eu-1", 12.0, 0.5), now));
            modelStats.pipeInput(new TestRecord<>("llama-3-8b/llama-3-8b-lora",
                    modelStats("llama-3-8b", "llama-3-8b-lora", 1000, 10), now));
        });

        assertThat(alerts.readRecordsToList()).isEmpty();
        assertThat(meters.get("inferpulse_rule_evaluations_total").counter().count()).isGreaterThan(0);
    }

    @Test
    void shouldKeepTheAlertsOfTwoRulesWithTheSameNameApart() {
        // given two rules of one group named alike, as Prometheus allows: a warning above 50, a critical above 100
        start(RuleFiles.parse("""
                groups:
                - name: queues
                  interval: 15s
                  rules:
                  - alert: QueueHigh
                    expr: inference_pool_average_queue_size > 50
                    labels:
                      severity: warning
                  - alert: QueueHigh
                    expr: inference_pool_average_queue_size > 100
                    labels:
                      severity: critical
                """, "queues.yaml", RULE_SETTINGS));

        // when the queue is 60 for three evaluations, then 120 (before the warning is due for a re-send)
        runUntil(T0.plus(INTERVAL.multipliedBy(2)), 60.0);
        List<AlertEvent> warning = alerts.readValuesToList();
        runUntil(T0.plus(INTERVAL.multipliedBy(3)), 120.0);
        List<AlertEvent> both = alerts.readValuesToList();

        // then the warning fires once and stays firing, untouched by the other rule's empty result
        assertThat(warning).singleElement().satisfies(e -> {
            assertThat(e.getState()).isEqualTo(AlertState.FIRING);
            assertThat(e.getLabels()).containsEntry("severity", "warning");
        });
        // and the critical one fires beside it when its own condition holds
        assertThat(both).singleElement().satisfies(e -> {
            assertThat(e.getState()).isEqualTo(AlertState.FIRING);
            assertThat(e.getLabels()).containsEntry("severity", "critical");
            assertThat(e.getFingerprint()).isNotEqualTo(warning.get(0).getFingerprint());
        });
    }

    @Test
    void shouldNameItsNodesStoresAndRepartitionTopic() {
        start(RuleFiles.loadDefault(RULE_SETTINGS));
        TopologyDescription description = AlertTopology.build(topics, RuleFiles.loadDefault(RULE_SETTINGS),
                AlertSettings.defaults(), new AlertMetrics(new SimpleMeterRegistry())).describe();

        String text = description.toString();
        assertThat(text).contains(AlertTopology.POOL_STATS_SOURCE, AlertTopology.MODEL_STATS_SOURCE, AlertTopology.EVALUATOR,
                AlertTopology.SINK, AlertTopology.SERIES_STORE, AlertTopology.ALERT_STORE, AlertTopology.REPARTITION + "-repartition");
        assertThat(text).doesNotContain("KSTREAM-");
    }

    private void start(List<RuleGroup> groups) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // One step before the first evaluation instant, so the first evaluation is at T0.
        now = T0.minus(STEP);
        driver = new TopologyTestDriver(AlertTopology.build(topics, groups, AlertSettings.defaults(), new AlertMetrics(meters)),
                props, now);
        poolStats = driver.createInputTopic(Topics.POOL_STATS, topics.poolStats().keySerde().serializer(),
                topics.poolStats().valueSerde().serializer());
        modelStats = driver.createInputTopic(Topics.MODEL_STATS, topics.modelStats().keySerde().serializer(),
                topics.modelStats().valueSerde().serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, topics.alerts().keySerde().deserializer(),
                topics.alerts().valueSerde().deserializer());
    }

    /** Reports the pool every step with the given average queue until the wall clock reaches {@code until}. */
    private void runUntil(Instant until, double averageQueue) {
        runUntil(until, () -> poolStats.pipeInput(new TestRecord<>(Topics.poolKey("gke-eu-1", "llm", "vllm-llama3"),
                poolStats("gke-eu-1", averageQueue, 0.5), now)));
    }

    /** Runs {@code report} at each step of the wall clock, which stops at {@code until}. */
    private void runUntil(Instant until, Runnable report) {
        while (now.isBefore(until)) {
            report.run();
            now = now.plus(STEP);
            driver.advanceWallClockTime(STEP);
        }
    }

    private void advanceTo(Instant until) {
        while (now.isBefore(until)) {
            now = now.plus(STEP);
            driver.advanceWallClockTime(STEP);
        }
    }

    private PoolStats poolStats(String cluster, double averageQueue, double kvCache) {
        return PoolStats.newBuilder()
                .setCluster(cluster).setNamespace("llm").setPool("vllm-llama3")
                .setComputedAt(now).setNewestSampleTime(now).setReadyPods(3)
                .setAverageKvCacheUtilization(kvCache).setAverageQueueSize(averageQueue).setAverageRunningRequests(4.0)
                .setTotalQueueSize(averageQueue * 3).setTotalRunningRequests(12.0)
                .build();
    }

    private ModelStats modelStats(String model, String target, long requests, long errors) {
        double windowSeconds = Duration.ofMinutes(5).toSeconds();
        return ModelStats.newBuilder()
                .setModelName(model).setTargetModelName(target)
                .setWindowStart(now.minus(Duration.ofMinutes(5))).setWindowEnd(now)
                .setRequestCount(requests).setErrorCount(errors)
                .setRequestRatePerSecond(requests / windowSeconds)
                .setErrorRate(requests == 0 ? null : (double) errors / requests)
                .setLatencyP50Seconds(0.4).setLatencyP90Seconds(1.2).setLatencyP99Seconds(2.5)
                .setInputTokensPerSecond(100.0).setOutputTokensPerSecond(300.0)
                .build();
    }

    /** Alertmanager's LabelSet fingerprint, written out here as the oracle: FNV-1a 64 over name, 0xff, value, 0xff in name order. */
    static String alertmanagerFingerprint(Map<String, String> labels) {
        long hash = 0xcbf29ce484222325L;
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            for (String part : List.of(label.getKey(), label.getValue())) {
                for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
                    hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
                }
                hash = (hash ^ 0xff) * 0x100000001b3L;
            }
        }
        return String.format("%016x", hash);
    }
}
