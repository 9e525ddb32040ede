package io.inferpulse.streams.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.request.RequestStatsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolStatsTopologyTest {
    private static final String APPLICATION_ID = "pool-stats-topology-test";
    private static final Instant T0 = Instant.parse("2025-06-02T10:00:00Z");
    private static final String CLUSTER = "gke-eu-1";
    private static final String NAMESPACE = "llm";
    private static final String LLAMA = "vllm-llama3";
    private static final String QWEN = "sglang-qwen";
    private static final String LLAMA_KEY = Topics.poolKey(CLUSTER, NAMESPACE, LLAMA);
    private static final String QWEN_KEY = Topics.poolKey(CLUSTER, NAMESPACE, QWEN);
    private static final Duration EVALUATION_STEP = PoolStatsSettings.defaults().evaluationInterval();

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new AvroSerdes(InMemorySchemaRegistryClient.forScope(APPLICATION_ID)));
    private TopologyTestDriver driver;
    private TestInputTopic<String, PodMetrics> podMetrics;
    private TestOutputTopic<String, PoolStats> poolStats;
    private Instant now = T0;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void shouldAverageFreshPodsOfAPool() {
        start(PoolStatsSettings.defaults());

        // given three fresh pods; the third does not report its queue
        pipe(up(LLAMA, "llama-0", T0.minusMillis(300), 0.25, 1.0, 3.0));
        pipe(up(LLAMA, "llama-1", T0.minusMillis(100), 0.5, 2.0, 4.0));
        // when
        pipe(up(LLAMA, "llama-2", T0.minusMillis(200), 0.75, null, 4.0));

        // then: float means over the pods that reported each gauge, as the EPP computes them
        TestRecord<String, PoolStats> last = last(poolStats.readRecordsToList());
        assertThat(last.key()).isEqualTo(LLAMA_KEY);
        PoolStats stats = last.value();
        assertThat(stats.getReadyPods()).isEqualTo(3);
        assertThat(stats.getAverageKvCacheUtilization()).isEqualTo(0.5);
        assertThat(stats.getAverageQueueSize()).isEqualTo(1.5);
        assertThat(stats.getAverageRunningRequests()).isEqualTo(11.0 / 3);
        assertThat(stats.getTotalQueueSize()).isEqualTo(3.0);
        assertThat(stats.getTotalRunningRequests()).isEqualTo(11.0);
        assertThat(stats.getNewestSampleTime()).isEqualTo(T0.minusMillis(100));
        assertThat(stats.getComputedAt()).isEqualTo(T0);
        assertThat(last.getRecordTime()).isEqualTo(T0);
        assertThat(List.of(stats.getCluster(), stats.getNamespace(), stats.getPool()))
                .containsExactly(CLUSTER, NAMESPACE, LLAMA);
    }

    @Test
    void shouldDropStalePodFromPoolAverage() {
        start(PoolStatsSettings.defaults());

        // given a pod 1.5 s old and a pod just sampled
        pipe(up(LLAMA, "llama-0", T0.minusMillis(1500), 0.2, 2.0, 2.0));
        pipe(up(LLAMA, "llama-1", T0, 0.6, 4.0, 6.0));
        assertThat(last(poolStats.readRecordsToList()).value().getReadyPods()).isEqualTo(2);

        // when the wall clock moves the first pod past the 2 s staleness
        advanceWallClock(Duration.ofMillis(600));

        // then the next record counts only the second pod
        List<TestRecord<String, PoolStats>> records = poolStats.readRecordsToList();
        assertThat(records).hasSize(1);
        PoolStats stats = records.get(0).value();
        assertThat(stats.getReadyPods()).isEqualTo(1);
        assertThat(stats.getAverageKvCacheUtilization()).isEqualTo(0.6);
        assertThat(stats.getAverageQueueSize()).isEqualTo(4.0);
        assertThat(stats.getAverageRunningRequests()).isEqualTo(6.0);
        assertThat(stats.getTotalQueueSize()).isEqualTo(4.0);
        assertThat(stats.getNewestSampleTime()).isEqualTo(T0);
        assertThat(records.get(0).getRecordTime()).isEqualTo(T0.plusMillis(600));
    }

    @Test
    void shouldReportZeroReadyPodsWhenNoPodIsFresh() {
        start(PoolStatsSettings.defaults());

        // given a single pod that stops reporting
        pipe(up(LLAMA, "llama-0", T0, 0.4, 3.0, 5.0));

        // when its sample becomes older than the staleness
        advanceWallClock(Duration.ofMillis(2200));

        // then the pool is still reported, with no ready pod and no averages
        PoolStats stats = last(poolStats.readRecordsToList()).value();
        assertThat(stats.getReadyPods()).isZero();
        assertThat(stats.getAverageKvCacheUtilization()).isNull();
        assertThat(stats.getAverageQueueSize()).isNull();
        assertThat(stats.getAverageRunningRequests()).isNull();
        assertThat(stats.getTotalQueueSize()).isZero();
        assertThat(stats.getTotalRunningRequests()).isZero();
        assertThat(stats.getNewestSampleTime()).isNull();
        assertThat(stats.getComputedAt()).isEqualTo(T0.plusMillis(2200));
        assertThat(stats.getPool()).isEqualTo(LLAMA);

        advanceWallClock(Duration.ofSeconds(1));
        assertThat(poolStats.readValuesToList()).extracting(PoolStats::getReadyPods).containsOnly(0).isNotEmpty();
    }

    @Test
    void shouldDropGonePodAtOnce() {
        start(PoolStatsSettings.defaults());

        // given two fresh pods
        pipe(up(LLAMA, "llama-0", T0, 0.2, 1.0, 2.0));
        pipe(up(LLAMA, "llama-1", T0, 0.8, 5.0, 6.0));
        poolStats.readRecordsToList();

        // when one leaves the pool, with no time passing
        pipe(gone(LLAMA, "llama-1", T0.plusMillis(10)));

        // then it is out of the very next record and out of the store
        List<TestRecord<String, PoolStats>> records = poolStats.readRecordsToList();
        assertThat(records).hasSize(1);
        PoolStats stats = records.get(0).value();
        assertThat(stats.getReadyPods()).isEqualTo(1);
        assertThat(stats.getAverageKvCacheUtilization()).isEqualTo(0.2);
        assertThat(stats.getTotalRunningRequests()).isEqualTo(2.0);
        assertThat(records.get(0).getRecordTime()).isEqualTo(T0);
        assertThat(podStore().get(PoolStatsProcessor.storeKey(LLAMA_KEY, "llama-1"))).isNull();
        assertThat(podStore().get(PoolStatsProcessor.storeKey(LLAMA_KEY, "llama-0"))).isNotNull();
    }

    @Test
    void shouldEmitAHeartbeatAtLeastEverySecondWithoutChanges() {
        start(PoolStatsSettings.defaults());

        // given a pod that keeps reporting the same gauges every 400 ms
        pipe(up(LLAMA, "llama-0", T0, 0.3, 2.0, 4.0));
        // when five seconds pass
        for (int step = 1; step <= 25; step++) {
            advanceWallClock(EVALUATION_STEP);
            if (step % 2 == 0) {
                pipe(up(LLAMA, "llama-0", now, 0.3, 2.0, 4.0));
            }
        }

        // then the pool was sent at the start and then never stayed silent for more than a second
        List<TestRecord<String, PoolStats>> records = poolStats.readRecordsToList();
        assertThat(records).hasSizeGreaterThanOrEqualTo(5);
        assertThat(records.get(0).getRecordTime()).isEqualTo(T0);
        for (int i = 1; i < records.size(); i++) {
            assertThat(Duration.between(records.get(i - 1).getRecordTime(), records.get(i).getRecordTime()))
                    .isLessThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(Duration.between(last(records).getRecordTime(), now)).isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(records).allSatisfy(r -> {
            assertThat(r.value().getReadyPods()).isEqualTo(1);
            assertThat(r.value().getAverageQueueSize()).isEqualTo(2.0);
            assertThat(r.value().getComputedAt()).isEqualTo(r.getRecordTime());
        });
        assertThat(last(records).value().getNewestSampleTime()).isAfter(T0);
    }

    @Test
    void shouldNotEmitWhenNothingChanged() {
        start(PoolStatsSettings.defaults());

        // given a pool just sent
        pipe(up(LLAMA, "llama-0", T0, 0.3, 2.0, 4.0));
        assertThat(poolStats.readRecordsToList()).hasSize(1);

        // when a newer sample repeats the gauges and the clock stays short of the heartbeat
        advanceWallClock(EVALUATION_STEP);
        pipe(up(LLAMA, "llama-0", now, 0.3, 2.0, 4.0));
        advanceWallClock(Duration.ofMillis(600));

        // then nothing is sent: a newer sample time alone is no change
        assertThat(poolStats.isEmpty()).isTrue();

        // and the heartbeat, when due, carries the newer sample time
        advanceWallClock(EVALUATION_STEP);
        List<TestRecord<String, PoolStats>> records = poolStats.readRecordsToList();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getRecordTime()).isEqualTo(T0.plusSeconds(1));
        assertThat(records.get(0).value().getNewestSampleTime()).isEqualTo(T0.plus(EVALUATION_STEP));
    }

    @Test
    void shouldIgnoreOutOfOrderSamples() {
        start(PoolStatsSettings.defaults());

        // given a pod's sample at T0
        pipe(up(LLAMA, "llama-0", T0, 0.5, 1.0, 1.0));
        poolStats.readRecordsToList();

        // when an older sample, and an older GONE, of the same pod arrive late
        pipe(up(LLAMA, "llama-0", T0.minusMillis(100), 0.9, 9.0, 9.0));
        pipe(gone(LLAMA, "llama-0", T0.minusMillis(50)));

        // then neither changes the pool or the store
        assertThat(poolStats.isEmpty()).isTrue();
        PodGauges stored = podStore().get(PoolStatsProcessor.storeKey(LLAMA_KEY, "llama-0"));
        assertThat(stored.sampleTimeMs()).isEqualTo(T0.toEpochMilli());
        assertThat(stored.kv()).isEqualTo(0.5);
        advanceWallClock(Duration.ofSeconds(1));
        assertThat(poolStats.readValuesToList()).singleElement().satisfies(stats -> {
            assertThat(stats.getReadyPods()).isEqualTo(1);
            assertThat(stats.getAverageKvCacheUtilization()).isEqualTo(0.5);
        });
    }

    @Test
    void shouldKeepPoolsApart() {
        start(PoolStatsSettings.defaults());

        // given two pools, each with a pod of the same name
        pipe(up(LLAMA, "server-0", T0, 0.2, 1.0, 2.0));
        pipe(up(QWEN, "server-0", T0, 0.8, 7.0, 3.0));
        Map<String, PoolStats> latest = poolStats.readKeyValuesToMap();
        assertThat(latest.get(LLAMA_KEY).getAverageKvCacheUtilization()).isEqualTo(0.2);
        assertThat(latest.get(LLAMA_KEY).getPool()).isEqualTo(LLAMA);
        assertThat(latest.get(QWEN_KEY).getAverageKvCacheUtilization()).isEqualTo(0.8);
        assertThat(latest.get(QWEN_KEY).getPool()).isEqualTo(QWEN);

        // when the pod leaves one pool
        pipe(gone(QWEN, "server-0", T0));

        // then only that pool changes
        List<TestRecord<String, PoolStats>> records = poolStats.readRecordsToList();
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(QWEN_KEY);
            assertThat(r.value().getReadyPods()).isZero();
        });
        assertThat(podStore().get(PoolStatsProcessor.storeKey(LLAMA_KEY, "server-0"))).isNotNull();
    }

    @Test
    void shouldReportAnEmptiedPoolAsZeroForPodRetentionThenForgetIt() {
        PoolStatsSettings settings = new PoolStatsSettings(Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMillis(200), Duration.ofSeconds(3));
        start(settings);

        // given a pool whose only pod left at T0
        pipe(up(LLAMA, "llama-0", T0, 0.2, 1.0, 2.0));
        pipe(gone(LLAMA, "llama-0", T0));
        poolStats.readRecordsToList();

        // when the pod retention passes
        advanceWallClock(Duration.ofMillis(2800));
        List<PoolStats> whileRetained = poolStats.readValuesToList();
        advanceWallClock(Duration.ofSeconds(3));

        // then the pool was reported with zero ready pods until then, and not after
        assertThat(whileRetained).isNotEmpty().extracting(PoolStats::getReadyPods).containsOnly(0);
        assertThat(poolStats.readValuesToList()).isEmpty();
    }

    @Test
    void shouldDeletePodsNotSeenForPodRetention() {
        PoolStatsSettings settings = new PoolStatsSettings(Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMillis(200), Duration.ofSeconds(3));
        start(settings);

        // given a pod that stops reporting, beside one that keeps reporting
        pipe(up(LLAMA, "llama-0", T0, 0.2, 1.0, 2.0));
        // when more than the pod retention passes
        for (int step = 1; step <= 20; step++) {
            advanceWallClock(EVALUATION_STEP);
            pipe(up(LLAMA, "llama-1", now, 0.4, 1.0, 1.0));
        }

        // then the silent pod is gone from the store, the other is kept
        assertThat(podStore().get(PoolStatsProcessor.storeKey(LLAMA_KEY, "llama-0"))).isNull();
        assertThat(podStore().get(PoolStatsProcessor.storeKey(LLAMA_KEY, "llama-1"))).isNotNull();
        assertThat(last(poolStats.readRecordsToList()).value().getReadyPods()).isEqualTo(1);
    }

    @Test
    void shouldRepartitionOnlyForModelTotals() {
        // given
        Topology topology = PoolStatsTopology.build(topics, PoolStatsSettings.defaults(), RequestStatsSettings.defaults(), APPLICATION_ID, 1);

        // when
        TopologyDescription description = topology.describe();

        // then pod metrics and access logs meet in one sub-topology, which alone writes pool stats,
        // and only the model totals read a second, repartitioned input
        assertThat(description.subtopologies()).hasSize(2);
        assertThat(description.globalStores()).isEmpty();
        String repartition = Topics.modelRequests(APPLICATION_ID);
        Map<Set<String>, Set<String>> sinksBySources = new java.util.HashMap<>();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            Set<String> sources = new HashSet<>();
            Set<String> sinks = new HashSet<>();
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Source source) {
                    sources.addAll(source.topicSet());
                } else if (node instanceof TopologyDescription.Sink sink) {
                    sinks.add(sink.topic());
                } else if (node instanceof TopologyDescription.Processor processor
                        && processor.name().equals(PoolStatsTopology.PROCESSOR)) {
                    assertThat(processor.stores()).containsExactly(PoolStatsTopology.POD_STORE);
                }
            }
            sinksBySources.put(sources, sinks);
        }
        assertThat(sinksBySources).containsOnly(
                Map.entry(Set.of(Topics.POD_METRICS, Topics.ACCESS_LOGS),
                        Set.of(Topics.POOL_STATS, Topics.ERROR_DETAILS, Topics.DEAD_LETTER, repartition)),
                Map.entry(Set.of(repartition), Set.of(Topics.MODEL_STATS, Topics.DEAD_LETTER)));

        // and pod metrics alone write only the output and the pod store's changelog
        start(PoolStatsSettings.defaults());
        pipe(up(LLAMA, "llama-0", T0, 0.2, 1.0, 2.0));
        assertThat(driver.producedTopicNames()).containsExactlyInAnyOrder(
                Topics.POOL_STATS, APPLICATION_ID + "-" + PoolStatsTopology.POD_STORE + "-changelog");
    }

    private void start(PoolStatsSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(PoolStatsTopology.build(topics, settings, RequestStatsSettings.defaults(), APPLICATION_ID, 1), props, T0);
        podMetrics = driver.createInputTopic(Topics.POD_METRICS, topics.podMetrics().keySerde().serializer(),
                topics.podMetrics().valueSerde().serializer());
        poolStats = driver.createOutputTopic(Topics.POOL_STATS, topics.poolStats().keySerde().deserializer(),
                topics.poolStats().valueSerde().deserializer());
    }

    /** Moves the wall clock in evaluation-interval steps, as a running instance would punctuate. */
    private void advanceWallClock(Duration by) {
        for (long left = by.toMillis(); left > 0; left -= EVALUATION_STEP.toMillis()) {
            Duration step = Duration.ofMillis(Math.min(left, EVALUATION_STEP.toMillis()));
            driver.advanceWallClockTime(step);
            now = now.plus(step);
        }
    }

    /** Pipes a sample as ingest would produce it: keyed by pool, a few ms after the scrape. */
    private void pipe(PodMetrics sample) {
        String key = Topics.poolKey(sample.getCluster(), sample.getNamespace(), sample.getPool());
        podMetrics.pipeInput(key, sample, sample.getSampleTime().plusMillis(5));
    }

    private KeyValueStore<String, PodGauges> podStore() {
        return driver.getKeyValueStore(PoolStatsTopology.POD_STORE);
    }

    private static PodMetrics up(String pool, String pod, Instant sampleTime, Double kv, Double waiting, Double running) {
        return sample(pool, pod, sampleTime, PodStatus.UP).setKvCacheUsageRatio(kv).setRequestsWaiting(waiting)
                .setRequestsRunning(running).build();
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
                .setAddress("10.0.0." + Math.abs(pod.hashCode() % 250) + ":8000")
                .setEngine("vllm")
                .setStatus(status)
                .setSampleTime(sampleTime);
    }

    private static <T> T last(List<T> items) {
        assertThat(items).isNotEmpty();
        return items.get(items.size() - 1);
    }
}
