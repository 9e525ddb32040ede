package io.inferpulse.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.devstack.prometheus.EppRequestSeries;
import io.inferpulse.devstack.prometheus.EppRequestSeries.Request;
import io.inferpulse.devstack.prometheus.GaugeTimeline;
import io.inferpulse.devstack.prometheus.Promtool;
import io.inferpulse.devstack.prometheus.RuleTestFile;
import io.inferpulse.devstack.prometheus.RuleTestFile.AlertRuleTest;
import io.inferpulse.devstack.prometheus.RuleTestFile.ExpectedAlert;
import io.inferpulse.devstack.prometheus.RuleTestFile.ExpectedSample;
import io.inferpulse.devstack.prometheus.RuleTestFile.InputSeries;
import io.inferpulse.devstack.prometheus.RuleTestFile.PromqlExprTest;
import io.inferpulse.devstack.prometheus.RuleTestFile.TestGroup;
import io.inferpulse.devstack.prometheus.ScrapeSchedule;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.pool.PoolStatsSettings;
import io.inferpulse.streams.pool.PoolStatsTopology;
import io.inferpulse.streams.request.RequestStatsSettings;
import io.inferpulse.streams.rules.AlertingRule;
import io.inferpulse.streams.rules.RuleFiles;
import io.inferpulse.streams.rules.RuleGroup;
import io.inferpulse.streams.rules.RuleSettings;
import io.inferpulse.streams.rules.StatSeries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' four alert rules through our whole chain, with Prometheus's own rule engine as the
 * oracle. Each scenario takes one rule from inactive through pending and firing to resolved. The
 * same requests or pod samples go through pool and request statistics and alert evaluation on the
 * test drivers' wall clocks and, as the series the EPP would have exported, through
 * {@code promtool test rules} with the seed file unmodified. At every evaluation more than one
 * interval away from one of our transitions, Prometheus must hold exactly the alerts we hold, with
 * the same labels and annotations, pending or firing; so each of our transitions is within one
 * interval of Prometheus's, and every rule that stays quiet stays quiet in both. (Pool rules agree
 * to the evaluation. Request rules trail by one: a request window closes only after its grace, so
 * the window ending at T is first read at T + 15 s.)
 */
class SeedRulesOracleIT {
    /** Prometheus's time 0 and our drivers' start: a multiple of the interval, so both evaluate at the same instants. */
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(15);
    /** The drivers' wall-clock step: every punctuator of both topologies runs at each step. */
    private static final Duration STEP = Duration.ofSeconds(1);
    private static final Duration RUN = Duration.ofMinutes(21);
    /**
     * Inputs are bad from here until {@link #BAD_UNTIL}. After the first five minutes, so that every
     * EPP series covers a whole rate() range and Prometheus has nothing to extrapolate; 7 s past a
     * scrape, so that no scrape or window edge falls next to a change.
     */
    private static final Instant BAD_FROM = T0.plus(Duration.parse("PT5M37S"));
    private static final Instant BAD_UNTIL = T0.plus(Duration.parse("PT13M37S"));
    private static final String RULE_FILE = "alerts.yaml";
    private static final String CLUSTER = "gke-eu-1";
    private static final String NAMESPACE = "llm";
    private static final String POOL = "vllm-llama3";
    private static final String POOL_KEY = Topics.poolKey(CLUSTER, NAMESPACE, POOL);
    private static final String STATS_APPLICATION_ID = "seed-rules-oracle-stats";
    private static final String ALERT_APPLICATION_ID = "seed-rules-oracle-alerts";
    private static final RuleSettings RULE_SETTINGS = new RuleSettings(INTERVAL, Duration.ofMinutes(5),
            "http://prometheus.example:9090");
    private static final List<RuleGroup> SEED_RULES = RuleFiles.loadDefault(RULE_SETTINGS);

    @TempDir
    Path dir;

    @Test
    void shouldRaiseAndResolveHighInferenceRequestLatencyP99AsPrometheusDoes() throws IOException {
        // given a model's two targets, one request to each every 500 ms: the LoRA target's take 30 s
        // instead of 1.2 s while bad (P99 far above 10 s), the base target's always 0.8 s. A whole number
        // of intervals, 30 s keeps the slow requests' completions, too, 7 s past a scrape.
        List<Request> requests = new ArrayList<>();
        requests.addAll(traffic((at, i) -> new Request(at, "llama-3-8b", "llama-3-8b", 200, 0.8, false)));
        requests.addAll(traffic((at, i) -> new Request(at, "llama-3-8b", "llama-3-8b-support-lora", 200,
                bad(at) ? 30.0 : 1.2, false)));

        // when our chain and Prometheus read them
        List<Instance> ours = runOurChain(requests, List.of());

        // then our one alert, for the LoRA target, went through every state, and Prometheus agrees
        assertWentThroughEveryState(ours, "HighInferenceRequestLatencyP99");
        assertPrometheusAgrees(EppRequestSeries.scrape(requests, scrapes()), ours);
    }

    @Test
    void shouldRaiseAndResolveHighInferenceErrorRateAsPrometheusDoes() throws IOException {
        // given a model's two targets, one request to each every 500 ms, 0.5 s each: while bad, every
        // request to the second target fails (50 % of the model's), otherwise none does but its first
        List<Request> requests = new ArrayList<>();
        requests.addAll(traffic((at, i) -> new Request(at, "qwen-2-7b", "qwen-2-7b-a", 200, 0.5, false)));
        // The first one fails so that the error counter exists long before the bad period: rate()
        // cannot count a counter's increase up to its first sample, and the oracle should not hinge on that.
        requests.addAll(traffic((at, i) -> bad(at) || i == 0
                ? new Request(at, "qwen-2-7b", "qwen-2-7b-b", 503, 0.5, true)
                : new Request(at, "qwen-2-7b", "qwen-2-7b-b", 200, 0.5, false)));

        // when our chain and Prometheus read them
        List<Instance> ours = runOurChain(requests, List.of());

        // then our one alert, for the model, went through every state, and Prometheus agrees
        assertWentThroughEveryState(ours, "HighInferenceErrorRate");
        assertPrometheusAgrees(EppRequestSeries.scrape(requests, scrapes()), ours);
    }

    @Test
    void shouldRaiseAndResolveHighInferencePoolAvgQueueSizeAsPrometheusDoes() throws IOException {
        // given three pods scraped every second, queueing 70, 80 and 90 requests while bad, else 8, 10 and 12
        List<PodMetrics> samples = queueingPods();

        // when our chain and Prometheus read them
        List<Instance> ours = runOurChain(List.of(), samples);

        // then our one alert, for the pool, went through every state, and Prometheus agrees
        assertWentThroughEveryState(ours, "HighInferencePoolAvgQueueSize");
        assertPrometheusAgrees(eppPoolGauges(samples), ours);
    }

    @Test
    void shouldRaiseAndResolveHighInferencePoolAvgKVCacheUtilizationAsPrometheusDoes() throws IOException {
        // given three pods scraped every second, their KV caches 96 to 98 % full while bad, else 40 to 60 %
        List<PodMetrics> samples = podSamples(at -> new double[] {1, 2, 3},
                at -> bad(at) ? new double[] {0.96, 0.97, 0.98} : new double[] {0.4, 0.5, 0.6});

        // when our chain and Prometheus read them
        List<Instance> ours = runOurChain(List.of(), samples);

        // then our one alert, for the pool, went through every state, and Prometheus agrees
        assertWentThroughEveryState(ours, "HighInferencePoolAvgKVCacheUtilization");
        assertPrometheusAgrees(eppPoolGauges(samples), ours);
    }

    @Test
    void shouldTellAFiringTwoIntervalsLateFromPrometheus() throws IOException {
        // given the queue scenario's alert as our chain raises it
        List<PodMetrics> samples = queueingPods();
        Instance alert = assertWentThroughEveryState(runOurChain(List.of(), samples), "HighInferencePoolAvgQueueSize");
        Instant firedAt = alert.changes().get(1).at();

        // when promtool is asked to confirm it firing two intervals later than it did
        Promtool.Result result = promtool(eppPoolGauges(samples), List.of(alert.withFiringShiftedBy(INTERVAL.multipliedBy(2))));

        // then it refuses, at the instant our chain really fired
        assertThat(result.passed()).as(result.output()).isFalse();
        assertThat(result.output()).contains("alertname: HighInferencePoolAvgQueueSize, time: "
                + promtoolTime(Duration.between(T0, firedAt)));
    }

    /** An evaluation time as promtool prints it, e.g. 10m45s or 11m. */
    private static String promtoolTime(Duration sinceStart) {
        return (sinceStart.toMinutes() > 0 ? sinceStart.toMinutes() + "m" : "")
                + (sinceStart.toSecondsPart() > 0 ? sinceStart.toSecondsPart() + "s" : "");
    }

    /** Whether inputs are bad at {@code at}. */
    private static boolean bad(Instant at) {
        return !at.isBefore(BAD_FROM) && at.isBefore(BAD_UNTIL);
    }

    /**
     * One request every 500 ms for the whole run, received 250 ms into its slot so that none
     * completes on a scrape; {@code request} gets the receipt time and the request's index.
     */
    private static List<Request> traffic(BiFunction<Instant, Integer, Request> request) {
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < RUN.toMillis() / 500; i++) {
            requests.add(request.apply(T0.plusMillis(i * 500L + 250), i));
        }
        return requests;
    }

    /** The queue scenario's pods: queueing 70, 80 and 90 requests while bad, else 8, 10 and 12. */
    private static List<PodMetrics> queueingPods() {
        return podSamples(at -> bad(at) ? new double[] {70, 80, 90} : new double[] {8, 10, 12},
                at -> new double[] {0.4, 0.5, 0.6});
    }

    /** Three pods of the pool scraped every second, half a second off the grid, with the given queues and KV caches. */
    private static List<PodMetrics> podSamples(Function<Instant, double[]> waiting, Function<Instant, double[]> kvCache) {
        List<PodMetrics> samples = new ArrayList<>();
        for (Instant at = T0.plusMillis(500); at.isBefore(T0.plus(RUN)); at = at.plus(STEP)) {
            double[] queues = waiting.apply(at);
            double[] kv = kvCache.apply(at);
            for (int pod = 0; pod < queues.length; pod++) {
                samples.add(PodMetrics.newBuilder()
                        .setCluster(CLUSTER).setNamespace(NAMESPACE).setPool(POOL)
                        .setPod(POOL + "-" + pod).setAddress("10.0.0." + (10 + pod) + ":8000").setEngine("vllm")
                        .setStatus(PodStatus.UP).setSampleTime(at)
                        .setKvCacheUsageRatio(kv[pod]).setRequestsWaiting(queues[pod]).setRequestsRunning(4.0)
                        .build());
            }
        }
        return samples;
    }

    private static ScrapeSchedule scrapes() {
        return new ScrapeSchedule(T0, INTERVAL, (int) (RUN.toSeconds() / INTERVAL.toSeconds()) + 1);
    }

    /**
     * The pool gauges the EPP would have exported: the average over the pool's pods of their latest
     * samples, labelled as a scrape config that names each target's cluster and namespace would
     * label them (the labels our pool series carry).
     */
    private static List<InputSeries> eppPoolGauges(List<PodMetrics> samples) {
        Map<String, String> labels = Map.of("cluster", CLUSTER, "namespace", NAMESPACE, "name", POOL);
        SortedMap<Instant, List<PodMetrics>> byTime = new TreeMap<>();
        samples.forEach(s -> byTime.computeIfAbsent(s.getSampleTime(), t -> new ArrayList<>()).add(s));
        GaugeTimeline queue = GaugeTimeline.of(StatSeries.POOL_QUEUE_SIZE, labels);
        GaugeTimeline kvCache = GaugeTimeline.of(StatSeries.POOL_KV_CACHE_UTILIZATION, labels);
        double lastQueue = Double.NaN;
        double lastKvCache = Double.NaN;
        for (Map.Entry<Instant, List<PodMetrics>> scrape : byTime.entrySet()) {
            double averageQueue = scrape.getValue().stream().mapToDouble(PodMetrics::getRequestsWaiting).average().orElseThrow();
            double averageKvCache = scrape.getValue().stream().mapToDouble(PodMetrics::getKvCacheUsageRatio).average().orElseThrow();
            if (averageQueue != lastQueue) {
                queue = queue.set(scrape.getKey(), averageQueue);
                lastQueue = averageQueue;
            }
            if (averageKvCache != lastKvCache) {
                kvCache = kvCache.set(scrape.getKey(), averageKvCache);
                lastKvCache = averageKvCache;
            }
        }
        return List.of(queue.scrape(scrapes()), kvCache.scrape(scrapes()));
    }

    /**
     * Runs the inputs through pool/request statistics, whose outputs go on into alert evaluation,
     * both drivers stepping the wall clock together. An access log arrives when its request
     * completes, as the gateway writes it; a pod sample when it was scraped. Returns our alerts.
     */
    private List<Instance> runOurChain(List<Request> requests, List<PodMetrics> podSamples) {
        Topics topics = new Topics(new AvroSerdes(InMemorySchemaRegistryClient.forScope(STATS_APPLICATION_ID)));
        try (TopologyTestDriver stats = new TopologyTestDriver(PoolStatsTopology.build(topics, PoolStatsSettings.defaults(),
                     RequestStatsSettings.defaults(), STATS_APPLICATION_ID, 1), properties(STATS_APPLICATION_ID), T0);
             TopologyTestDriver alerting = new TopologyTestDriver(AlertTopology.build(topics, SEED_RULES,
                     AlertSettings.defaults(), new AlertMetrics(new SimpleMeterRegistry())), properties(ALERT_APPLICATION_ID), T0)) {
            TestInputTopic<String, AccessLog> accessLogs = stats.createInputTopic(Topics.ACCESS_LOGS,
                    topics.accessLogs().keySerde().serializer(), topics.accessLogs().valueSerde().serializer());
            TestInputTopic<String, PodMetrics> podMetrics = stats.createInputTopic(Topics.POD_METRICS,
                    topics.podMetrics().keySerde().serializer(), topics.podMetrics().valueSerde().serializer());
            TestOutputTopic<String, PoolStats> poolStatsOut = stats.createOutputTopic(Topics.POOL_STATS,
                    topics.poolStats().keySerde().deserializer(), topics.poolStats().valueSerde().deserializer());
            TestOutputTopic<String, ModelStats> modelStatsOut = stats.createOutputTopic(Topics.MODEL_STATS,
                    topics.modelStats().keySerde().deserializer(), topics.modelStats().valueSerde().deserializer());
            TestOutputTopic<String, DeadLetter> deadLetters = stats.createOutputTopic(Topics.DEAD_LETTER,
                    topics.deadLetter().keySerde().deserializer(), topics.deadLetter().valueSerde().deserializer());
            TestInputTopic<String, PoolStats> poolStatsIn = alerting.createInputTopic(Topics.POOL_STATS,
                    topics.poolStats().keySerde().serializer(), topics.poolStats().valueSerde().serializer());
            TestInputTopic<String, ModelStats> modelStatsIn = alerting.createInputTopic(Topics.MODEL_STATS,
                    topics.modelStats().keySerde().serializer(), topics.modelStats().valueSerde().serializer());
            TestOutputTopic<String, AlertEvent> alerts = alerting.createOutputTopic(Topics.ALERTS,
                    topics.alerts().keySerde().deserializer(), topics.alerts().valueSerde().deserializer());

            List<Arrival> arrivals = new ArrayList<>();
            // ingest sets the record timestamp to request_time
            requests.forEach(r -> arrivals.add(new Arrival(r.completedAt(),
                    () -> accessLogs.pipeInput(POOL_KEY, accessLog(r), r.receivedAt()))));
            podSamples.forEach(s -> arrivals.add(new Arrival(s.getSampleTime(),
                    () -> podMetrics.pipeInput(POOL_KEY, s, s.getSampleTime()))));
            arrivals.sort(Comparator.comparing(Arrival::at));

            int next = 0;
            for (Instant now = T0.plus(STEP); !now.isAfter(T0.plus(RUN)); now = now.plus(STEP)) {
                stats.advanceWallClockTime(STEP);
                while (next < arrivals.size() && !arrivals.get(next).at().isAfter(now)) {
                    arrivals.get(next++).pipe().run();
                }
                poolStatsOut.readRecordsToList().forEach(poolStatsIn::pipeInput);
                modelStatsOut.readRecordsToList().forEach(modelStatsIn::pipeInput);
                // the alert topology evaluates at this instant with everything computed up to it
                alerting.advanceWallClockTime(STEP);
            }
            assertThat(deadLetters.readValuesToList()).as("dead letters: our chain did not count these").isEmpty();
            return instances(alerts.readRecordsToList());
        }
    }

    private record Arrival(Instant at, Runnable pipe) {
    }

    private Properties properties(String applicationId) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(applicationId).toString());
        return props;
    }

    private static AccessLog accessLog(Request request) {
        return AccessLog.newBuilder()
                .setRequestTime(request.receivedAt())
                .setCluster(CLUSTER).setNamespace(NAMESPACE).setPool(POOL)
                .setModelName(request.modelName()).setTargetModelName(request.targetModelName())
                .setStatus(request.status()).setLatencySeconds(request.latencySeconds())
                .setSourceFormat("gcp-lb")
                .build();
    }

    /** One of our alert instances: its labels, its latest annotations and each change of its state, in order. */
    private record Instance(String alertname, SortedMap<String, String> labels, Map<String, String> annotations,
                            List<Change> changes) {

        /** Where it stood after the evaluation at {@code at}: null when inactive, resolved or forgotten. */
        AlertState stateAt(Instant at) {
            AlertState state = null;
            for (Change change : changes) {
                if (!change.at().isAfter(at)) {
                    state = change.state() == AlertState.RESOLVED ? null : change.state();
                }
            }
            return state;
        }

        /** Whether it changed within one interval of {@code at}, where Prometheus may stand on either side. */
        boolean changesNear(Instant at) {
            return changes.stream().anyMatch(c -> Duration.between(c.at(), at).abs().compareTo(INTERVAL) <= 0);
        }

        Instance withFiringShiftedBy(Duration shift) {
            return new Instance(alertname, labels, annotations, changes.stream()
                    .map(c -> c.state() == AlertState.FIRING ? new Change(c.at().plus(shift), c.state()) : c).toList());
        }
    }

    /** From this evaluation on, the instance is in {@code state}; null when it was forgotten (a tombstone). */
    private record Change(Instant at, AlertState state) {
    }

    /** Our alert instances, from the alerts topic by fingerprint: state changes only, re-sends folded away. */
    private static List<Instance> instances(List<TestRecord<String, AlertEvent>> records) {
        Map<String, AlertEvent> latest = new LinkedHashMap<>();
        Map<String, List<Change>> changes = new LinkedHashMap<>();
        for (TestRecord<String, AlertEvent> record : records) {
            AlertEvent event = record.value();
            List<Change> known = changes.computeIfAbsent(record.key(), k -> new ArrayList<>());
            AlertState state = event == null ? null : event.getState();
            if (event != null) {
                latest.put(record.key(), event);
            }
            if (known.isEmpty() ? state != null : known.getLast().state() != state) {
                known.add(new Change(event == null ? record.getRecordTime() : event.getEvaluatedAt(), state));
            }
        }
        return latest.entrySet().stream().map(e -> new Instance(e.getValue().getAlertName(),
                new TreeMap<>(e.getValue().getLabels()), e.getValue().getAnnotations(), List.copyOf(changes.get(e.getKey()))))
                .toList();
    }

    /**
     * Our only alert is of {@code rule}: pending, firing once pending for the rule's 5 m, then
     * resolved; each state long enough, and early enough in the run, for Prometheus to be asked about it.
     */
    private static Instance assertWentThroughEveryState(List<Instance> ours, String rule) {
        assertThat(ours).as("our alerts").hasSize(1);
        Instance alert = ours.getFirst();
        assertThat(alert.alertname()).isEqualTo(rule);
        assertThat(alert.changes()).extracting(Change::state)
                .containsExactly(AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED);
        Instant pendingAt = alert.changes().get(0).at();
        Instant firingAt = alert.changes().get(1).at();
        Instant resolvedAt = alert.changes().get(2).at();
        assertThat(pendingAt).isAfter(T0.plus(INTERVAL.multipliedBy(2)));
        assertThat(Duration.between(pendingAt, firingAt)).isEqualTo(Duration.ofMinutes(5));
        assertThat(resolvedAt).isAfter(firingAt.plus(INTERVAL.multipliedBy(2)))
                .isBefore(T0.plus(RUN).minus(INTERVAL.multipliedBy(2)));
        return alert;
    }

    private void assertPrometheusAgrees(List<InputSeries> series, List<Instance> ours) throws IOException {
        Promtool.Result result = promtool(series, ours);
        assertThat(result.passed()).as("promtool on our alert states %s:%n%s", ours, result.output()).isTrue();
    }

    /**
     * promtool on the seed rules over {@code series}, expecting at every evaluation of the run
     * further than one interval from a change of ours, for each rule, exactly our firing alerts
     * (alert_rule_test, which lists firing alerts only) and exactly our pending ones (as
     * {@code ALERTS} series, the only place Prometheus shows them).
     */
    private Promtool.Result promtool(List<InputSeries> series, List<Instance> ours) throws IOException {
        try (InputStream seed = RuleFiles.class.getResourceAsStream(RuleFiles.DEFAULT_RESOURCE)) {
            Files.copy(seed, dir.resolve(RULE_FILE));
        }
        List<AlertRuleTest> alertTests = new ArrayList<>();
        List<PromqlExprTest> pendingTests = new ArrayList<>();
        for (AlertingRule rule : SEED_RULES.getFirst().rules()) {
            List<Instance> alerts = ours.stream().filter(a -> a.alertname().equals(rule.name())).toList();
            for (Instant at = T0; !at.isAfter(T0.plus(RUN)); at = at.plus(INTERVAL)) {
                Instant t = at;
                if (alerts.stream().anyMatch(a -> a.changesNear(t))) {
                    continue;
                }
                Duration evalTime = Duration.between(T0, t);
                alertTests.add(new AlertRuleTest(evalTime, rule.name(), alerts.stream()
                        .filter(a -> a.stateAt(t) == AlertState.FIRING)
                        .map(a -> new ExpectedAlert(withoutAlertname(a.labels()), a.annotations())).toList()));
                pendingTests.add(new PromqlExprTest("ALERTS{alertname=\"" + rule.name() + "\",alertstate=\"pending\"}",
                        evalTime, alerts.stream()
                                .filter(a -> a.stateAt(t) == AlertState.PENDING)
                                .map(a -> ExpectedSample.of("ALERTS", withPending(a.labels()), 1)).toList()));
            }
        }
        return Promtool.locate().testRules(dir, new RuleTestFile(List.of(RULE_FILE), INTERVAL,
                List.of(new TestGroup(INTERVAL, series, alertTests, pendingTests))));
    }

    private static Map<String, String> withoutAlertname(Map<String, String> labels) {
        Map<String, String> copy = new TreeMap<>(labels);
        copy.remove("alertname");
        return copy;
    }

    private static Map<String, String> withPending(Map<String, String> labels) {
        Map<String, String> copy = new TreeMap<>(labels);
        copy.put("alertstate", "pending");
        return copy;
    }
}
