package io.inferpulse.streams.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.ErrorDetail;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.job.InputHealth;
import io.inferpulse.streams.pool.PoolStatsSettings;
import io.inferpulse.streams.pool.PoolStatsTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestStatsTopologyTest {
    private static final String APPLICATION_ID = "request-stats-topology-test";
    /** A multiple of the 15 s interval and of the 1 m error window. */
    private static final long T0 = Instant.parse("2025-06-02T10:00:00Z").toEpochMilli();
    private static final long INTERVAL = 15_000;
    private static final long WINDOW = 300_000;
    private static final long GRACE = 5_000;
    private static final long STALL = 30_000;
    private static final String CLUSTER = "gke-eu-1";
    private static final String NAMESPACE = "llm";
    private static final String LLAMA_POOL = "vllm-llama3";
    private static final String OTHER_POOL = "sglang-qwen";
    private static final String LLAMA_KEY = Topics.poolKey(CLUSTER, NAMESPACE, LLAMA_POOL);
    private static final String LLAMA = "meta-llama/Llama-3.1-8B";
    private static final String LORA = "llama-support-lora";

    @TempDir
    Path stateDir;

    private final Topics topics = new Topics(new AvroSerdes(InMemorySchemaRegistryClient.forScope(APPLICATION_ID)));
    private TopologyTestDriver driver;
    private TestInputTopic<String, AccessLog> accessLogs;
    private TestInputTopic<String, PodMetrics> podMetrics;
    private TestOutputTopic<String, ModelStats> modelStats;
    private TestOutputTopic<String, PoolStats> poolStats;
    private TestOutputTopic<String, ErrorDetail> errorDetails;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void startDriver() {
        startDriver(new Properties(), 1);
    }

    private void startDriver(Properties props, int accessLogPartitions) {
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(PoolStatsTopology.build(topics, PoolStatsSettings.defaults(),
                RequestStatsSettings.defaults(), APPLICATION_ID, accessLogPartitions), props, Instant.ofEpochMilli(T0));
        accessLogs = driver.createInputTopic(Topics.ACCESS_LOGS, topics.accessLogs().keySerde().serializer(),
                topics.accessLogs().valueSerde().serializer());
        podMetrics = driver.createInputTopic(Topics.POD_METRICS, topics.podMetrics().keySerde().serializer(),
                topics.podMetrics().valueSerde().serializer());
        modelStats = driver.createOutputTopic(Topics.MODEL_STATS, topics.modelStats().keySerde().deserializer(),
                topics.modelStats().valueSerde().deserializer());
        poolStats = driver.createOutputTopic(Topics.POOL_STATS, topics.poolStats().keySerde().deserializer(),
                topics.poolStats().valueSerde().deserializer());
        errorDetails = driver.createOutputTopic(Topics.ERROR_DETAILS, topics.errorDetails().keySerde().deserializer(),
                topics.errorDetails().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTER, topics.deadLetter().keySerde().deserializer(),
                topics.deadLetter().valueSerde().deserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldReportCountsRatesAndErrorRatePerModelAndPerTarget() {
        // given six requests in the first interval: four to the base model, two split to a LoRA target
        pipe(log(LLAMA, "", T0 + 1_000, 200, 0.5, 100L, 10L));
        pipe(log(LLAMA, "", T0 + 2_000, 503, 0.1, 50L, null));
        pipe(log(LLAMA, LLAMA, T0 + 3_000, 404, 0.2, 20L, 5L));
        pipe(log(LLAMA, "", T0 + 4_000, 0, 3.0, null, null));
        pipe(log(LLAMA, LORA, T0 + 5_000, 429, 0.3, 30L, 0L));
        pipe(log(LLAMA, LORA, T0 + 6_000, 200, 0.4, 60L, 300L));

        // when stream time passes the end of the interval plus the grace
        tick(T0 + INTERVAL + GRACE);

        // then one record per series for the instant T0 + 15 s, over (T0 + 15 s - 5 m, T0 + 15 s]
        Map<String, ModelStats> at = resultsAt(T0 + INTERVAL);
        // (the tick's own interval is not closed yet)
        assertThat(at).containsOnlyKeys(LLAMA, LLAMA + "/" + LLAMA, LLAMA + "/" + LORA);
        ModelStats total = at.get(LLAMA);
        assertThat(total.getTargetModelName()).isEmpty();
        assertThat(total.getRequestCount()).isEqualTo(6);
        // 503, status 0 and 429 are errors; 404 is the client's
        assertThat(total.getErrorCount()).isEqualTo(3);
        assertThat(total.getErrorRate()).isEqualTo(0.5);
        assertThat(total.getRequestRatePerSecond()).isEqualTo(6 / 300.0);
        assertThat(total.getInputTokensPerSecond()).isEqualTo(260 / 300.0);
        assertThat(total.getOutputTokensPerSecond()).isEqualTo(315 / 300.0);
        assertThat(total.getLatencyP50Seconds()).isCloseTo(0.3, withinPercentage(1));
        assertThat(total.getLatencyP90Seconds()).isCloseTo(0.5, withinPercentage(1));
        assertThat(total.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0 + INTERVAL - WINDOW));
        assertThat(total.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + INTERVAL));

        // and an empty target means no split: those requests count for the model as its own target
        ModelStats base = at.get(LLAMA + "/" + LLAMA);
        assertThat(base.getModelName()).isEqualTo(LLAMA);
        assertThat(base.getTargetModelName()).isEqualTo(LLAMA);
        assertThat(base.getRequestCount()).isEqualTo(4);
        assertThat(base.getErrorCount()).isEqualTo(2);
        ModelStats lora = at.get(LLAMA + "/" + LORA);
        assertThat(lora.getTargetModelName()).isEqualTo(LORA);
        assertThat(lora.getRequestCount()).isEqualTo(2);
        assertThat(lora.getErrorRate()).isEqualTo(0.5);
        assertThat(lora.getLatencyP50Seconds()).isCloseTo(0.3, withinPercentage(1));
        assertThat(lora.getLatencyP99Seconds()).isCloseTo(0.3, withinPercentage(1));
    }

    @Test
    void shouldComputeLatencyQuantilesWithinOnePercent() {
        // given 2,000 log-normal latencies of requests completing evenly over the window
        Random random = new Random(42);
        double[] latencies = new double[2_000];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = Math.exp(random.nextGaussian() - 1);
            long completedAt = T0 + 1 + i * (WINDOW - 1) / latencies.length;
            pipe(log(LLAMA, "", completedAt - Math.round(latencies[i] * 1000), 200, latencies[i], null, null));
        }

        // when the window that holds all of them is evaluated
        tick(T0 + WINDOW + GRACE);

        // then each quantile is within 1 % of the exact one (the value at rank q * (n - 1))
        ModelStats stats = resultsAt(T0 + WINDOW).get(LLAMA);
        assertThat(stats.getRequestCount()).isEqualTo(2_000);
        Arrays.sort(latencies);
        assertThat(stats.getLatencyP50Seconds()).isCloseTo(exact(latencies, 0.5), withinPercentage(1));
        assertThat(stats.getLatencyP90Seconds()).isCloseTo(exact(latencies, 0.9), withinPercentage(1));
        assertThat(stats.getLatencyP99Seconds()).isCloseTo(exact(latencies, 0.99), withinPercentage(1));
    }

    @Test
    void shouldIncludeTheEvaluationInstantAndExcludeTheWindowStart() {
        // given one request completing exactly at T0 and one a millisecond later
        pipe(log(LLAMA, "", T0 - 1_000, 500, 1.0, null, null));
        pipe(log(LLAMA, "", T0 - 999, 200, 1.0, null, null));

        // when stream time passes T0 + 5 m + 15 s
        tick(T0 + WINDOW + INTERVAL + GRACE);

        // then (T0 - 5 m, T0] holds the first; (T0, T0 + 5 m] only the second; then none is left
        List<ModelStats> series = modelStats.readValuesToList().stream().filter(s -> s.getModelName().equals(LLAMA)
                && s.getTargetModelName().isEmpty()).toList();
        assertThat(series.getFirst().getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(series.getFirst().getRequestCount()).isEqualTo(1);
        assertThat(series.getFirst().getErrorCount()).isEqualTo(1);
        assertThat(series).extracting(s -> s.getWindowEnd().toEpochMilli() - T0).containsExactly(
                java.util.stream.LongStream.rangeClosed(0, (WINDOW + INTERVAL) / INTERVAL).map(i -> i * INTERVAL).boxed()
                        .toArray(Long[]::new));
        ModelStats beforeEnd = series.get((int) ((WINDOW - INTERVAL) / INTERVAL));
        assertThat(beforeEnd.getRequestCount()).isEqualTo(2);
        ModelStats atEnd = series.get((int) (WINDOW / INTERVAL));
        assertThat(atEnd.getRequestCount()).isEqualTo(1);
        assertThat(atEnd.getErrorCount()).isZero();
        ModelStats empty = series.getLast();
        assertThat(empty.getRequestCount()).isZero();
        assertThat(empty.getRequestRatePerSecond()).isZero();
        assertThat(empty.getErrorRate()).isNull();
        assertThat(empty.getLatencyP99Seconds()).isNull();
    }

    @Test
    void shouldCountRecordsWithinGraceAndDeadLetterLaterOnes() {
        // given a request in the first interval and stream time 4 s past its end, within the grace
        pipe(log(LLAMA, "", T0 + 10_000, 200, 1.0, null, null));
        tick(T0 + INTERVAL + GRACE - 1_000);
        // when a request of that interval arrives, then stream time passes the grace, then another arrives
        pipe(log(LLAMA, "", T0 + 13_000, 500, 1.0, null, null));
        tick(T0 + INTERVAL + GRACE);
        pipe(log(LLAMA, "", T0 + 12_000, 500, 1.0, null, null));

        // then the first two are counted, the last is dead-lettered with the lateness named
        ModelStats stats = resultsAt(T0 + INTERVAL).get(LLAMA);
        assertThat(stats.getRequestCount()).isEqualTo(2);
        assertThat(stats.getErrorCount()).isEqualTo(1);
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.getSource()).isEqualTo(Topics.ACCESS_LOGS);
            assertThat(letter.getStage()).isEqualTo(PoolRequestProcessor.STAGE);
            assertThat(letter.getReason()).startsWith("late: completed at 2025-06-02T10:00:13Z")
                    .contains("evaluated at 2025-06-02T10:00:15Z");
            AccessLog raw = topics.accessLogs().valueSerde().deserializer()
                    .deserialize(Topics.ACCESS_LOGS, letter.getRaw().array());
            assertThat(raw.getRequestTime().toEpochMilli()).isEqualTo(T0 + 12_000);
        });
        // and it changed nothing: no instant was evaluated again
        assertThat(modelStats.readValuesToList()).isEmpty();
    }

    @Test
    void shouldCountASlowRequestInTheWindowItCompletesIn() {
        // given quick requests received every second from T0 + 2 s, and one received at T0 + 1 s that takes 30 s
        for (long t = T0 + 2_000; t <= T0 + 31_000; t += 1_000) {
            pipe(log(LLAMA, "", t, 200, 0.2, null, null));
        }
        // when its log arrives as the gateway writes it, once it completed and after the quick ones
        pipe(log(LLAMA, "", T0 + 1_000, 200, 30.0, null, null));
        tick(T0 + 3 * INTERVAL + GRACE);

        // then it is counted where the EPP would count it, at its completion (T0 + 31 s), not dead-lettered as late
        assertThat(deadLetters.readValuesToList()).isEmpty();
        List<ModelStats> totals = modelStats.readValuesToList().stream().filter(s -> s.getModelName().equals(LLAMA)
                && s.getTargetModelName().isEmpty()).toList();
        assertThat(totals).extracting(s -> s.getWindowEnd().toEpochMilli() - T0, ModelStats::getRequestCount)
                .containsExactly(tuple(15_000L, 13L), tuple(30_000L, 28L), tuple(45_000L, 31L));
    }

    @Test
    void shouldCloseWindowsOnTheWallClockOnceTrafficHasStoppedForTheStallTimeout() {
        // given requests while the wall clock follows event time, then silence
        pipe(log(LLAMA, "", T0 + 1_000, 200, 0.5, null, null));

        // when the wall clock passes the end of the interval plus the grace: the silence may still be a stall
        driver.advanceWallClockTime(Duration.ofMillis(INTERVAL + GRACE));
        assertThat(modelStats.readValuesToList()).isEmpty();
        // and then the stall timeout since the last log, and the end of the window
        driver.advanceWallClockTime(Duration.ofMillis(STALL - INTERVAL - GRACE));
        Map<String, ModelStats> first = resultsAt(T0 + INTERVAL);
        driver.advanceWallClockTime(Duration.ofMillis(WINDOW));
        List<ModelStats> rest = modelStats.readValuesToList().stream().filter(s -> s.getTargetModelName().isEmpty()).toList();
        driver.advanceWallClockTime(Duration.ofMinutes(5));

        // then the window is evaluated without new records: once counted, rate 0 and no ratio once empty, then nothing
        assertThat(first.get(LLAMA).getRequestCount()).isEqualTo(1);
        assertThat(rest).hasSize((int) (WINDOW / INTERVAL));
        assertThat(rest.getLast().getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + INTERVAL + WINDOW));
        assertThat(rest.getLast().getRequestRatePerSecond()).isZero();
        assertThat(rest.getLast().getErrorRate()).isNull();
        assertThat(rest.getLast().getLatencyP50Seconds()).isNull();
        assertThat(modelStats.readValuesToList()).isEmpty();
        // and the pool side forgot the series too: its store holds no bucket, only the last instant closed
        assertThat(driver.getKeyValueStore(RequestStatsTopology.POOL_REQUEST_STORE).approximateNumEntries()).isEqualTo(1);
        assertThat(driver.getKeyValueStore(RequestStatsTopology.MODEL_REQUEST_STORE).approximateNumEntries()).isEqualTo(1);
    }

    @Test
    void shouldNotCloseWindowsOnTheWallClockWhileTheBrokerIsAwayAndCountWhatItHeldUp() {
        // given a job whose broker last answered at the start
        AtomicLong brokerAnsweredMs = new AtomicLong(T0);
        driver.close();
        Properties props = new Properties();
        props.put(InputHealth.CONFIG, new InputHealth(brokerAnsweredMs::get, () -> T0, () -> 0));
        startDriver(props, 1);
        pipe(log(LLAMA, "", T0 + 1_000, 200, 0.5, null, null));

        // when the wall clock passes the stall timeout with no input, as it does in a long outage
        driver.advanceWallClockTime(Duration.ofMillis(STALL + 10_000));

        // then nothing is closed, and the logs written during the outage count when they arrive
        assertThat(modelStats.readValuesToList()).isEmpty();
        pipe(log(LLAMA, "", T0 + 2_000, 200, 0.5, null, null));
        assertThat(deadLetters.readValuesToList()).isEmpty();

        // and once the broker answers again, the logs' resumption holds the windows open for the stall timeout
        brokerAnsweredMs.set(Long.MAX_VALUE);
        driver.advanceWallClockTime(Duration.ofMillis(STALL - 1_000));
        assertThat(modelStats.readValuesToList()).isEmpty();
        driver.advanceWallClockTime(Duration.ofMillis(1_000));
        Map<String, ModelStats> first = resultsAt(T0 + INTERVAL);
        assertThat(first.get(LLAMA).getRequestCount()).isEqualTo(2);
    }

    @Test
    void shouldCountTheLogsOfAStallWhateverOrderItsBacklogArrivesIn() {
        // given instant requests every second, their logs read as they are written
        for (long t = T0 + 1_000; t <= T0 + 10_000; t += 1_000) {
            driver.advanceWallClockTime(Duration.ofMillis(1_000));
            pipe(log(LLAMA, "", t, 200, 0.0, null, null));
        }

        // when the partition stalls for 12 s, and then one writer's backlog (up to now) arrives before the other's
        driver.advanceWallClockTime(Duration.ofMillis(12_000));
        for (long t = T0 + 11_000; t <= T0 + 22_000; t += 2_000) {
            pipe(log(LLAMA, "", t, 200, 0.0, null, null));
        }
        driver.advanceWallClockTime(Duration.ofMillis(3_000));
        for (long t = T0 + 12_000; t <= T0 + 22_000; t += 2_000) {
            pipe(log(LLAMA, "", t, 200, 0.0, null, null));
        }

        // then nothing is late, and once the stall timeout has passed since the logs resumed every window holds them all
        assertThat(deadLetters.readValuesToList()).isEmpty();
        driver.advanceWallClockTime(Duration.ofMillis(STALL));
        assertThat(resultsAt(T0 + INTERVAL).get(LLAMA).getRequestCount()).isEqualTo(15);
        assertThat(deadLetters.readValuesToList()).isEmpty();
    }

    @Test
    void shouldCloseModelWindowsOnlyOnceEveryAccessLogPartitionHasClosedThem() {
        // given a job over two access-log partitions; this driver runs the first stage of partition 0 only
        driver.close();
        startDriver(new Properties(), 2);
        TestInputTopic<String, AccessLog> repartition = driver.createInputTopic(
                Topics.modelRequests(APPLICATION_ID), topics.accessLogs().keySerde().serializer(),
                topics.accessLogs().valueSerde().serializer());
        pipe(log(LLAMA, "", T0 + 1_000, 200, 0.5, null, null));

        // when partition 0 closes the first interval, and partition 1's task forwards one of its logs of it, late by
        // partition 0's stream time, then its own marker
        tick(T0 + INTERVAL + GRACE);
        assertThat(modelStats.readValuesToList()).isEmpty();
        repartition.pipeInput(LLAMA, log(LLAMA, "", T0 + 2_000, 500, 0.5, null, null), T0 + 2_000);
        repartition.pipeInput(new TestRecord<String, AccessLog>(null, null, new org.apache.kafka.common.header.internals.RecordHeaders()
                .add(FeedProgress.PARTITION_HEADER, "1".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .add(FeedProgress.CLOSED_UP_TO_HEADER, Long.toString(T0 + INTERVAL).getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                Instant.ofEpochMilli(T0 + INTERVAL)));

        // then the model window closes with both partitions' logs, and nothing is late
        ModelStats stats = resultsAt(T0 + INTERVAL).get(LLAMA);
        assertThat(stats.getRequestCount()).isEqualTo(2);
        assertThat(stats.getErrorCount()).isEqualTo(1);
        assertThat(deadLetters.readValuesToList()).isEmpty();
        // and the progress is kept for a restart
        assertThat(driver.<String, Long>getKeyValueStore(RequestStatsTopology.MODEL_FEED_PROGRESS_STORE).get("1"))
                .isEqualTo(T0 + INTERVAL);
    }

    @Test
    void shouldMergeTheRequestWindowIntoPoolStatsWithoutClobberingGauges() {
        // given a fresh pod of the pool
        podMetrics.pipeInput(LLAMA_KEY, pod(T0, 0.5, 4.0, 6.0), T0);
        // when its requests' first interval closes
        pipe(log(LLAMA, "", T0 + 1_000, 200, 0.2, 30L, 60L));
        pipe(log(LLAMA, "", T0 + 2_000, 500, 0.4, 30L, 0L));
        accessLogs.pipeInput(Topics.poolKey(CLUSTER, NAMESPACE, OTHER_POOL),
                log(OTHER_POOL, LLAMA, "", T0 + INTERVAL + GRACE, 200, 0.1, null, null), T0 + INTERVAL + GRACE);

        // then the pool's record carries both its gauges and its request window
        PoolStats stats = poolStats.readKeyValuesToMap().get(LLAMA_KEY);
        assertThat(stats.getReadyPods()).isEqualTo(1);
        assertThat(stats.getAverageKvCacheUtilization()).isEqualTo(0.5);
        assertThat(stats.getTotalQueueSize()).isEqualTo(4.0);
        assertThat(stats.getRequestRatePerSecond()).isEqualTo(2 / 300.0);
        assertThat(stats.getErrorRate()).isEqualTo(0.5);
        assertThat(stats.getLatencyP50Seconds()).isCloseTo(0.2, withinPercentage(1));
        assertThat(stats.getLatencyP99Seconds()).isCloseTo(0.2, withinPercentage(1)); // rank floor(0.99 * 1) = 0
        assertThat(stats.getInputTokensPerSecond()).isCloseTo(60 / 300.0, within(1e-12));
        assertThat(stats.getOutputTokensPerSecond()).isCloseTo(60 / 300.0, within(1e-12));

        // and a later pod sample keeps the request fields
        podMetrics.pipeInput(LLAMA_KEY, pod(T0 + 100, 0.7, 4.0, 6.0), T0 + 100);
        PoolStats next = poolStats.readKeyValuesToMap().get(LLAMA_KEY);
        assertThat(next.getAverageKvCacheUtilization()).isEqualTo(0.7);
        assertThat(next.getRequestRatePerSecond()).isEqualTo(2 / 300.0);
    }

    @Test
    void shouldCountErrorDetailsPerPoolAndTumblingWindow() {
        // given requests of the first minute with each kind of detail, and some without any
        pipe(detailed(T0 + 1_000, 503, "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"", null, null));
        pipe(detailed(T0 + 2_000, 503, "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"", null, null));
        pipe(detailed(T0 + 3_000, 502, null, "failed_to_connect_to_backend", null));
        pipe(detailed(T0 + 4_000, 503, null, null, "UF"));
        pipe(detailed(T0 + 5_000, 200, null, "response_sent_by_backend", "-"));
        pipe(detailed(T0 + 6_000, 200, null, null, "-"));
        // and one in the next minute
        pipe(detailed(T0 + 61_000, 503, null, null, "URX"));

        // when stream time passes the end of the first minute plus the grace
        tick(T0 + 60_000 + GRACE);

        // then that window's counts are out, keyed by pool and detail, with their sources
        List<TestRecord<String, ErrorDetail>> records = errorDetails.readRecordsToList();
        Map<String, ErrorDetail> byKey = records.stream().collect(
                java.util.stream.Collectors.toMap(TestRecord::key, TestRecord::value));
        String proxy = "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"";
        assertThat(byKey).containsOnlyKeys(LLAMA_KEY + "/" + proxy, LLAMA_KEY + "/failed_to_connect_to_backend",
                LLAMA_KEY + "/UF");
        assertThat(byKey.get(LLAMA_KEY + "/" + proxy).getCount()).isEqualTo(2);
        assertThat(byKey.get(LLAMA_KEY + "/" + proxy).getDetailSource()).isEqualTo("proxy_status");
        assertThat(byKey.get(LLAMA_KEY + "/failed_to_connect_to_backend").getDetailSource()).isEqualTo("status_details");
        ErrorDetail flags = byKey.get(LLAMA_KEY + "/UF");
        assertThat(flags.getDetailSource()).isEqualTo("response_flags");
        assertThat(flags.getCount()).isEqualTo(1);
        assertThat(List.of(flags.getCluster(), flags.getNamespace(), flags.getPool())).containsExactly(CLUSTER, NAMESPACE, LLAMA_POOL);
        assertThat(flags.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(flags.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + 60_000));

        // and the next minute follows when its window closes
        tick(T0 + 120_000 + GRACE);
        assertThat(errorDetails.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(LLAMA_KEY + "/URX");
            assertThat(r.value().getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0 + 60_000));
        });
    }

    @Test
    void shouldDeadLetterLogsThatCannotBeCounted() {
        // when a log with a negative latency and one whose key is not a pool arrive
        pipe(log(LLAMA, "", T0 + 1_000, 200, -1.0, null, null));
        accessLogs.pipeInput("not-a-pool", log(LLAMA_POOL, LLAMA, "", T0 + 1_000, 200, 1.0, null, null), T0 + 1_000);
        tick(T0 + INTERVAL + GRACE);

        // then both are dead-lettered with the reason, and neither counts
        assertThat(deadLetters.readValuesToList()).extracting(l -> l.getReason().toString()).containsExactly(
                "latency_seconds is -1.0; it must be a finite number of seconds >= 0",
                "access log key 'not-a-pool' is not cluster/namespace/pool");
        assertThat(resultsAt(T0 + INTERVAL)).doesNotContainKey(LLAMA);
    }

    private static double exact(double[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    private Map<String, ModelStats> resultsAt(long windowEndMs) {
        Map<String, ModelStats> at = new java.util.HashMap<>();
        for (TestRecord<String, ModelStats> record : modelStats.readRecordsToList()) {
            if (record.value().getWindowEnd().toEpochMilli() == windowEndMs) {
                assertThat(at.put(record.key(), record.value())).as("one result per key and instant").isNull();
                assertThat(record.getRecordTime().toEpochMilli()).isEqualTo(windowEndMs);
            }
        }
        return at;
    }

    /** Moves stream time with an instant request of another model and pool. */
    private void tick(long eventTimeMs) {
        accessLogs.pipeInput(Topics.poolKey(CLUSTER, NAMESPACE, OTHER_POOL),
                log(OTHER_POOL, "tick", "", eventTimeMs, 200, 0.0, null, null), eventTimeMs);
    }

    private void pipe(AccessLog log) {
        accessLogs.pipeInput(Topics.poolKey(log.getCluster(), log.getNamespace(), log.getPool()), log,
                log.getRequestTime().toEpochMilli());
    }

    private static AccessLog log(String model, String target, long timeMs, int status, double latency, Long in, Long out) {
        return log(LLAMA_POOL, model, target, timeMs, status, latency, in, out);
    }

    private static AccessLog log(String pool, String model, String target, long timeMs, int status, double latency,
                                 Long in, Long out) {
        return AccessLog.newBuilder()
                .setRequestTime(Instant.ofEpochMilli(timeMs))
                .setCluster(CLUSTER)
                .setNamespace(NAMESPACE)
                .setPool(pool)
                .setModelName(model)
                .setTargetModelName(target)
                .setStatus(status)
                .setLatencySeconds(latency)
                .setInputTokens(in)
                .setOutputTokens(out)
                .setSourceFormat("gcp-lb")
                .build();
    }

    private static AccessLog detailed(long timeMs, int status, String proxyStatus, String statusDetails, String flags) {
        AccessLog log = log(LLAMA, "", timeMs, status, 0.1, null, null);
        log.setProxyStatus(proxyStatus);
        log.setStatusDetails(statusDetails);
        log.setResponseFlags(flags);
        return log;
    }

    private static PodMetrics pod(long sampleTimeMs, double kv, double waiting, double running) {
        return PodMetrics.newBuilder()
                .setCluster(CLUSTER)
                .setNamespace(NAMESPACE)
                .setPool(LLAMA_POOL)
                .setPod("llama-0")
                .setAddress("10.0.0.7:8000")
                .setEngine("vllm")
                .setStatus(PodStatus.UP)
                .setSampleTime(Instant.ofEpochMilli(sampleTimeMs))
                .setKvCacheUsageRatio(kv)
                .setRequestsWaiting(waiting)
                .setRequestsRunning(running)
                .build();
    }
}
