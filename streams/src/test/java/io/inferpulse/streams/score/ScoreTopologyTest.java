package io.inferpulse.streams.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.EndpointHealth;
import io.inferpulse.avro.EndpointScore;
import io.inferpulse.avro.LoraInfo;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreTopologyTest {
    private static final String APPLICATION_ID = "score-topology-test";
    private static final Instant T0 = Instant.parse("2025-06-02T10:00:00Z");
    private static final String CLUSTER = "gke-eu-1";
    private static final String NAMESPACE = "llm";
    private static final String LLAMA = "vllm-llama3";
    private static final String QWEN = "sglang-qwen";
    private static final Map<String, String> KAFKA = Map.of("kafka.bootstrap.servers", "127.0.0.1:9092",
            "schema.registry.url", "http://127.0.0.1:8081");

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new AvroSerdes(InMemorySchemaRegistryClient.forScope(APPLICATION_ID)));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, PodMetrics> podMetrics;
    private TestInputTopic<String, AccessLog> accessLogs;
    private TestOutputTopic<String, EndpointScore> scores;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private final Map<String, EndpointScore> table = new HashMap<>();
    private ScoreSettings settings;
    private Instant now = T0;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void shouldScoreQueueByMinMaxAcrossThePoolAndKvCacheAsItsFreeShare() {
        start(ScoreSettings.defaults());

        // given three fresh pods with queues 0, 5 and 10
        pipe(up(LLAMA, "llama-0", now, 0.2, 0.0));
        pipe(up(LLAMA, "llama-1", now, 0.5, 5.0));
        // when
        pipe(up(LLAMA, "llama-2", now, 0.8, 10.0));

        // then the shortest queue scores 1, the longest 0, the middle one between; KV cache is 1 - kv
        Map<String, EndpointScore> latest = latest();
        assertThat(latest.get(key("llama-0")).getParts()).containsExactlyInAnyOrderEntriesOf(Map.of("queue", 1.0, "kv-cache", 0.8));
        assertThat(latest.get(key("llama-1")).getParts()).containsExactlyInAnyOrderEntriesOf(Map.of("queue", 0.5, "kv-cache", 0.5));
        assertThat(latest.get(key("llama-2")).getParts().get("queue")).isZero();
        assertThat(latest.get(key("llama-2")).getParts().get("kv-cache")).isCloseTo(0.2, within(1e-9));
        // and the score is the EPP's weighted sum: queue 2, kv-cache 2
        assertThat(latest.get(key("llama-0")).getScore()).isCloseTo(3.6, within(1e-9));
        assertThat(latest.get(key("llama-1")).getScore()).isCloseTo(2.0, within(1e-9));
        assertThat(latest.get(key("llama-2")).getScore()).isCloseTo(0.4, within(1e-9));
        EndpointScore first = latest.get(key("llama-0"));
        assertThat(first.getHealth()).isEqualTo(EndpointHealth.HEALTHY);
        assertThat(List.of(first.getCluster(), first.getNamespace(), first.getPool(), first.getPod(), first.getAddress()))
                .containsExactly(CLUSTER, NAMESPACE, LLAMA, "llama-0", address("llama-0"));
        assertThat(first.getSampleTime()).isEqualTo(T0);
        assertThat(first.getExpiresAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(first.getClusterLabels()).containsExactlyEntriesOf(Map.of("gke.io/cluster-name", CLUSTER));
    }

    @Test
    void shouldScoreEveryQueueOneWhenAllAreEqual() {
        start(ScoreSettings.defaults());

        pipe(up(LLAMA, "llama-0", now, 0.5, 7.0));
        pipe(up(LLAMA, "llama-1", now, 0.5, 7.0));

        assertThat(latest().values()).hasSize(2).allSatisfy(s -> {
            assertThat(s.getParts().get("queue")).isEqualTo(1.0);
            assertThat(s.getScore()).isEqualTo(3.0);
        });
    }

    @Test
    void shouldLowerAPodsScoreWhenItsQueueGrows() {
        start(ScoreSettings.defaults());
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        pipe(up(LLAMA, "llama-1", now, 0.5, 4.0));
        pipe(up(LLAMA, "llama-2", now, 0.5, 8.0));
        double before = latest().get(key("llama-1")).getScore();

        // when llama-1's queue grows to 6 in its next sample
        advanceWallClock(Duration.ofMillis(100));
        pipe(up(LLAMA, "llama-1", now, 0.5, 6.0));

        // then one record for llama-1 only: (8 - 6) / 8 = 0.25 of the queue part
        List<TestRecord<String, EndpointScore>> records = read();
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(key("llama-1"));
            assertThat(r.value().getParts().get("queue")).isEqualTo(0.25);
            assertThat(r.value().getScore()).isLessThan(before).isEqualTo(2 * 0.25 + 2 * 0.5);
            assertThat(r.value().getRequestsWaiting()).isEqualTo(6.0);
            assertThat(r.value().getSampleTime()).isEqualTo(T0.plusMillis(100));
        });
    }

    @Test
    void shouldPublishNothingForAnIdenticalSampleUntilTheLastRecordIsAboutToExpire() {
        start(ScoreSettings.defaults());
        pipe(up(LLAMA, "llama-0", now, 0.3, 2.0));
        assertThat(read()).hasSize(1);

        // when the same values arrive half a second later
        advanceWallClock(Duration.ofMillis(500));
        pipe(up(LLAMA, "llama-0", now, 0.3, 2.0));

        // then no record: a reader would see nothing new
        assertThat(read()).isEmpty();

        // when the record comes within half the staleness (1 s) of its expiry, with a newer sample held
        advanceWallClock(Duration.ofMillis(500));

        // then it is renewed from that sample, so a picker checking expires_at never sees a healthy endpoint expire
        assertThat(read()).singleElement().satisfies(r -> {
            assertThat(r.value().getSampleTime()).isEqualTo(T0.plusMillis(500));
            assertThat(r.value().getExpiresAt()).isEqualTo(T0.plusMillis(2500));
            assertThat(r.value().getHealth()).isEqualTo(EndpointHealth.HEALTHY);
        });

        // and the next identical sample is again not worth a record
        pipe(up(LLAMA, "llama-0", now, 0.3, 2.0));
        assertThat(read()).isEmpty();
    }

    @Test
    void shouldTakeWeightsAndClusterLabelsFromTheConfiguration() {
        Map<String, String> settings = new HashMap<>(KAFKA);
        settings.put("score.weight.queue", "0");
        settings.put("score.weight.kv-cache", "1");
        settings.put("score.weight.running-requests", "3");
        settings.put("score.cluster-labels." + CLUSTER, "gke.io/region=europe-west4, gke.io/zone=europe-west4-a");
        start(ScoreConfig.of(settings).score());

        pipe(PodMetrics.newBuilder(up(LLAMA, "llama-0", now, 0.25, 9.0)).setRequestsRunning(2.0).build());
        pipe(PodMetrics.newBuilder(up(LLAMA, "llama-1", now, 0.75, 0.0)).setRequestsRunning(4.0).build());

        // then only the weighted scorers are parts, and the score weighs them so
        EndpointScore busy = latest().get(key("llama-1"));
        assertThat(busy.getParts()).containsOnlyKeys("kv-cache", "running-requests");
        assertThat(busy.getParts().get("running-requests")).isZero();
        assertThat(busy.getScore()).isEqualTo(1 * 0.25 + 3 * 0.0);
        EndpointScore idle = latest().get(key("llama-0"));
        assertThat(idle.getScore()).isEqualTo(1 * 0.75 + 3 * 1.0);
        assertThat(idle.getClusterLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("gke.io/cluster-name", CLUSTER,
                "gke.io/region", "europe-west4", "gke.io/zone", "europe-west4-a"));
    }

    @Test
    void shouldScoreLoraHeadroomAndListTheAdapters() {
        start(ScoreSettings.defaults().withWeights(Map.of("lora", 1.0)));

        pipe(PodMetrics.newBuilder(up(LLAMA, "llama-0", now, 0.5, 0.0))
                .setLora(new LoraInfo(4, List.of("sql-lora"), List.of("chat-lora", "sql-lora"))).build());
        pipe(up(LLAMA, "llama-1", now, 0.5, 0.0));

        Map<String, EndpointScore> latest = latest();
        assertThat(latest.get(key("llama-0")).getParts()).containsExactlyEntriesOf(Map.of("lora", 0.5));
        assertThat(latest.get(key("llama-0")).getLoraAdapters()).containsExactly("sql-lora", "chat-lora");
        assertThat(latest.get(key("llama-1")).getParts()).containsExactlyEntriesOf(Map.of("lora", 1.0));
    }

    @Test
    void shouldTombstoneAGonePodAndRenormaliseTheRest() {
        start(ScoreSettings.defaults());
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        pipe(up(LLAMA, "llama-1", now, 0.5, 10.0));
        read();

        // when llama-0 leaves its pool
        advanceWallClock(Duration.ofMillis(100));
        pipe(gone(LLAMA, "llama-0", now));

        // then its key gets a tombstone, and llama-1, alone now, has the best queue
        List<TestRecord<String, EndpointScore>> records = read();
        assertThat(records).hasSize(2);
        assertThat(records.get(0).key()).isEqualTo(key("llama-0"));
        assertThat(records.get(0).value()).isNull();
        assertThat(records.get(1).key()).isEqualTo(key("llama-1"));
        assertThat(records.get(1).value().getParts().get("queue")).isEqualTo(1.0);
        assertThat(driver.<String, EndpointSample>getKeyValueStore(ScoreTopology.SAMPLE_STORE).approximateNumEntries()).isEqualTo(1);
        assertThat(meters.get("inferpulse_endpoint_score_tombstones").tag("reason", "gone").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldMarkAnEndpointStaleOnTheWallClockAndLeaveItOutOfTheNormalisation() {
        start(ScoreSettings.defaults());
        // given a pod sampled 1.5 s ago with the shortest queue, and one just sampled
        pipe(up(LLAMA, "llama-0", now.minusMillis(1500), 0.5, 0.0));
        pipe(up(LLAMA, "llama-1", now, 0.5, 10.0));
        assertThat(latest().get(key("llama-1")).getParts().get("queue")).isZero();

        // when the wall clock moves the first pod's sample past the 2 s staleness, with no new record
        advanceWallClock(Duration.ofMillis(750));

        // then it is republished STALE, with no score, and the other is scored as if alone
        Map<String, EndpointScore> latest = latest();
        EndpointScore stale = latest.get(key("llama-0"));
        assertThat(stale.getHealth()).isEqualTo(EndpointHealth.STALE);
        assertThat(stale.getScore()).isZero();
        assertThat(stale.getParts()).isEmpty();
        assertThat(stale.getExpiresAt()).isEqualTo(T0.plusMillis(500));
        assertThat(latest.get(key("llama-1")).getParts().get("queue")).isEqualTo(1.0);
        assertThat(latest.get(key("llama-1")).getHealth()).isEqualTo(EndpointHealth.HEALTHY);

        // and nothing more while nothing changes
        advanceWallClock(Duration.ofMillis(500));
        assertThat(read()).isEmpty();

        // and a fresh sample makes it healthy again
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        assertThat(latest().get(key("llama-0")).getHealth()).isEqualTo(EndpointHealth.HEALTHY);
    }

    @Test
    void shouldTombstoneAnEndpointNotHeardFromForTheRetention() {
        ScoreSettings defaults = ScoreSettings.defaults();
        start(new ScoreSettings(defaults.staleness(), defaults.evaluationInterval(), Duration.ofSeconds(5),
                defaults.requestWindow(), defaults.requestBucket(), defaults.minRequests(), defaults.failingErrorRatio(),
                defaults.publishEpsilon(), defaults.weights(), Map.of()));
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));

        // when its pod stops answering for the 5 s retention
        advanceWallClock(Duration.ofMillis(4750));
        assertThat(read()).extracting(r -> r.value().getHealth()).containsExactly(
                EndpointHealth.HEALTHY, EndpointHealth.STALE);
        advanceWallClock(Duration.ofMillis(500));

        // then its key is tombstoned and the job forgets it
        assertThat(read()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(key("llama-0"));
            assertThat(r.value()).isNull();
        });
        assertThat(driver.<String, EndpointSample>getKeyValueStore(ScoreTopology.SAMPLE_STORE).approximateNumEntries()).isZero();
        advanceWallClock(Duration.ofSeconds(1));
        assertThat(read()).isEmpty();
    }

    @Test
    void shouldMarkAnEndpointFailingFromItsAccessLogsOnceThereAreEnoughRequests() {
        start(ScoreSettings.defaults());
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        pipe(up(LLAMA, "llama-1", now, 0.5, 10.0));
        read();

        // given nine failed requests to llama-0: fewer than the 10 that count
        for (int i = 0; i < 9; i++) {
            pipe(request(LLAMA, address("llama-0"), now.minusMillis(200), 503));
        }
        advanceWallClock(Duration.ofMillis(250));
        assertThat(read()).isEmpty();

        // when the tenth fails too (one of them a connection that never got a status)
        pipe(request(LLAMA, address("llama-0"), now.minusMillis(100), 0));
        advanceWallClock(Duration.ofMillis(250));

        // then llama-0 is FAILING and left out, so llama-1 now has the best queue
        Map<String, EndpointScore> latest = latest();
        assertThat(latest.get(key("llama-0")).getHealth()).isEqualTo(EndpointHealth.FAILING);
        assertThat(latest.get(key("llama-0")).getScore()).isZero();
        assertThat(latest.get(key("llama-1")).getParts().get("queue")).isEqualTo(1.0);
    }

    @Test
    void shouldCountRequestsLoggedWithoutAPortForTheEndpointOfThatIp() {
        start(ScoreSettings.defaults());
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        read();

        // when the global load balancer logs ten failures to llama-0's IP, without the port
        String ip = address("llama-0").substring(0, address("llama-0").indexOf(':'));
        for (int i = 0; i < 10; i++) {
            pipe(request(LLAMA, ip, now, 502));
        }
        advanceWallClock(Duration.ofMillis(250));

        // then they count for the endpoint at that IP
        assertThat(latest().get(key("llama-0")).getHealth()).isEqualTo(EndpointHealth.FAILING);
    }

    @Test
    void shouldRecoverAFailingEndpointOnceItsErrorsLeaveTheWindow() {
        ScoreSettings defaults = ScoreSettings.defaults();
        start(new ScoreSettings(defaults.staleness(), defaults.evaluationInterval(), defaults.retention(),
                Duration.ofSeconds(4), Duration.ofSeconds(1), 2, defaults.failingErrorRatio(), defaults.publishEpsilon(),
                defaults.weights(), Map.of()));
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        pipe(request(LLAMA, address("llama-0"), now, 500));
        pipe(request(LLAMA, address("llama-0"), now, 200));
        advanceWallClock(Duration.ofMillis(250));
        assertThat(latest().get(key("llama-0")).getHealth()).isEqualTo(EndpointHealth.FAILING);

        // when samples keep coming and the failures grow older than the 4 s window
        for (int i = 0; i < 5; i++) {
            advanceWallClock(Duration.ofSeconds(1));
            pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        }

        // then it is healthy again, and the outcome store is empty
        assertThat(latest().get(key("llama-0")).getHealth()).isEqualTo(EndpointHealth.HEALTHY);
        assertThat(driver.<String, RecentOutcomes>getKeyValueStore(ScoreTopology.OUTCOME_STORE).approximateNumEntries()).isZero();
    }

    @Test
    void shouldScoreErrorRateAndLatencyWhenWeighted() {
        start(ScoreSettings.defaults().withWeights(Map.of("error-rate", 1.0, "latency", 1.0)));
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        pipe(up(LLAMA, "llama-1", now, 0.5, 0.0));
        pipe(up(LLAMA, "llama-2", now, 0.5, 0.0));

        // given llama-0: 10 requests, 2 failed, 1 s each; llama-1: 10 requests of 3 s; llama-2: none
        for (int i = 0; i < 10; i++) {
            pipe(request(LLAMA, address("llama-0"), now, i < 2 ? 503 : 200, 1.0));
            pipe(request(LLAMA, address("llama-1"), now, 200, 3.0));
        }
        advanceWallClock(Duration.ofMillis(250));

        Map<String, EndpointScore> latest = latest();
        assertThat(latest.get(key("llama-0")).getParts()).containsExactlyInAnyOrderEntriesOf(Map.of("error-rate", 0.8, "latency", 1.0));
        assertThat(latest.get(key("llama-1")).getParts()).containsExactlyInAnyOrderEntriesOf(Map.of("error-rate", 1.0, "latency", 0.0));
        // without requests nothing says it is slow or failing
        assertThat(latest.get(key("llama-2")).getParts()).containsExactlyInAnyOrderEntriesOf(Map.of("error-rate", 1.0, "latency", 1.0));
    }

    @Test
    void shouldTombstoneAnEndpointThatMovesToAnotherPoolBeforeItsFirstRecordThere() {
        start(ScoreSettings.defaults());
        pipe(up(LLAMA, "shared-0", now, 0.5, 0.0));
        read();

        // when the same pod and port report for another pool
        advanceWallClock(Duration.ofMillis(100));
        pipe(up(QWEN, "shared-0", now, 0.5, 0.0));

        // then the key is tombstoned, then written with the new pool, in this order on one partition
        List<TestRecord<String, EndpointScore>> records = read();
        assertThat(records).extracting(TestRecord::key).containsOnly(key("shared-0"));
        assertThat(records).hasSize(2);
        assertThat(records.get(0).value()).isNull();
        assertThat(records.get(1).value().getPool()).isEqualTo(QWEN);
        assertThat(meters.get("inferpulse_endpoint_score_tombstones").tag("reason", "moved").counter().count()).isEqualTo(1);

        // and a late GONE from the old pool does not remove it
        pipe(gone(LLAMA, "shared-0", now));
        assertThat(read()).isEmpty();
    }

    @Test
    void shouldIgnoreASampleOlderThanTheEndpointsLatest() {
        start(ScoreSettings.defaults());
        pipe(up(LLAMA, "llama-0", now, 0.5, 0.0));
        read();

        pipe(up(LLAMA, "llama-0", now.minusMillis(50), 0.9, 30.0));

        assertThat(read()).isEmpty();
        assertThat(meters.get("inferpulse_endpoint_score_samples_ignored").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterSamplesThatCannotBeScoredWithTheReason() {
        start(ScoreSettings.defaults());

        // a sample keyed by another pool, one whose address has no port, and a keyless access log
        podMetrics.pipeInput(Topics.poolKey(CLUSTER, NAMESPACE, QWEN), up(LLAMA, "llama-0", now, 0.5, 0.0), now);
        pipe(PodMetrics.newBuilder(up(LLAMA, "llama-1", now, 0.5, 0.0)).setAddress("10.0.0.9").build());
        accessLogs.pipeInput(null, request(LLAMA, address("llama-0"), now, 200), now);

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReason).satisfiesExactly(
                reason -> assertThat(reason).contains("keyed 'gke-eu-1/llm/sglang-qwen' is of pool 'gke-eu-1/llm/vllm-llama3'"),
                reason -> assertThat(reason).contains("address '10.0.0.9' of pod llama-1 is not ip:port"),
                reason -> assertThat(reason).contains("access log without a key"));
        assertThat(letters).extracting(DeadLetter::getStage).containsOnly(ScoreProcessor.STAGE);
        assertThat(letters).extracting(DeadLetter::getSource).containsExactly(Topics.POD_METRICS, Topics.POD_METRICS,
                Topics.ACCESS_LOGS);
        assertThat(read()).isEmpty();
    }

    private void start(ScoreSettings settings) {
        this.settings = settings;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(ScoreTopology.build(topics, settings, new ScoreMetrics(meters)), props, now);
        podMetrics = driver.createInputTopic(Topics.POD_METRICS, topics.podMetrics().keySerde().serializer(),
                topics.podMetrics().valueSerde().serializer());
        accessLogs = driver.createInputTopic(Topics.ACCESS_LOGS, topics.accessLogs().keySerde().serializer(),
                topics.accessLogs().valueSerde().serializer());
        scores = driver.createOutputTopic(Topics.ENDPOINT_SCORES, topics.endpointScores().keySerde().deserializer(),
                topics.endpointScores().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER, topics.deadLetter().keySerde().deserializer(),
                topics.deadLetter().valueSerde().deserializer());
    }

    /** Moves the wall clock in evaluation-interval steps, as a running instance would punctuate. */
    private void advanceWallClock(Duration by) {
        long step = settings.evaluationInterval().toMillis();
        for (long left = by.toMillis(); left > 0; left -= step) {
            Duration d = Duration.ofMillis(Math.min(left, step));
            driver.advanceWallClockTime(d);
            now = now.plus(d);
        }
    }

    /** Reads what was published since the last read, applying it to {@link #table} as a reader of the topic would. */
    private List<TestRecord<String, EndpointScore>> read() {
        List<TestRecord<String, EndpointScore>> records = scores.readRecordsToList();
        for (TestRecord<String, EndpointScore> r : records) {
            if (r.value() == null) {
                table.remove(r.key());
            } else {
                table.put(r.key(), r.value());
            }
        }
        return records;
    }

    /** The latest record per endpoint key, as a reader of the compacted topic holds them. */
    private Map<String, EndpointScore> latest() {
        read();
        return new HashMap<>(table);
    }

    private void pipe(PodMetrics sample) {
        podMetrics.pipeInput(Topics.poolKey(sample.getCluster(), sample.getNamespace(), sample.getPool()), sample,
                sample.getSampleTime().plusMillis(5));
    }

    private void pipe(AccessLog log) {
        accessLogs.pipeInput(Topics.poolKey(log.getCluster(), log.getNamespace(), log.getPool()), log,
                log.getRequestTime());
    }

    private static String key(String pod) {
        return CLUSTER + "/" + NAMESPACE + "/" + pod + ":8000";
    }

    private static String address(String pod) {
        return "10.0.0." + Math.abs(pod.hashCode() % 250) + ":8000";
    }

    private static PodMetrics up(String pool, String pod, Instant sampleTime, double kv, double waiting) {
        return sample(pool, pod, sampleTime, PodStatus.UP).setKvCacheUsageRatio(kv).setRequestsWaiting(waiting)
                .setRequestsRunning(1.0).build();
    }

    private static PodMetrics gone(String pool, String pod, Instant sampleTime) {
        return sample(pool, pod, sampleTime, PodStatus.GONE).build();
    }

    private static PodMetrics.Builder sample(String pool, String pod, Instant sampleTime, PodStatus status) {
        return PodMetrics.newBuilder()
                .setCluster(CLUSTER)
                .setNamespace(NAMESPACE)
                .setPool(pool)
                .setPod(pod)
                .setAddress(address(pod))
                .setEngine("vllm")
                .setStatus(status)
                .setSampleTime(sampleTime);
    }

    private static AccessLog request(String pool, String endpoint, Instant completedAt, int status) {
        return request(pool, endpoint, completedAt, status, 0.5);
    }

    private static AccessLog request(String pool, String endpoint, Instant completedAt, int status, double latency) {
        return AccessLog.newBuilder()
                .setRequestTime(completedAt.minusMillis(Math.round(latency * 1000)))
                .setCluster(CLUSTER)
                .setNamespace(NAMESPACE)
                .setPool(pool)
                .setStatus(status)
                .setLatencySeconds(latency)
                .setEndpoint(endpoint)
                .build();
    }
}
