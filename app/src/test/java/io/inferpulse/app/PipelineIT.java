package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.PoolStats;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.fleet.SimulatedPodEndpoint;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.IngestService;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pod-metrics path on real parts: simulated vLLM servers on HTTP, ingest scraping them,
 * a real KRaft broker and dev schema registry, the pool-stats Kafka Streams job, and a consumer of
 * the pool-stats topic.
 */
class PipelineIT {
    private static final String CLUSTER = "it";
    private static final Duration STALENESS = Duration.ofSeconds(2);

    private static EmbeddedKafkaBroker broker;
    private static DevSchemaRegistry registry;
    private static SchemaRegistryClient client;
    private static IngestService ingest;
    private static StreamsJob streams;
    private static final Map<String, PoolStats> poolStats = new ConcurrentHashMap<>();
    private static TopicTail<String, PoolStats> poolStatsTail;

    private final List<FleetSimulator> fleets = new ArrayList<>();

    @BeforeAll
    static void startPipeline(@TempDir Path dir) {
        broker = EmbeddedKafkaBroker.start();
        registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0));
        Map<String, String> kafka = Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(),
                "http.port", "0");
        Map<String, String> ingestSettings = new HashMap<>(kafka);
        ingestSettings.put(IngestConfig.CLUSTER.key(), CLUSTER);
        ingestSettings.put(IngestConfig.SCRAPE_INTERVAL.key(), "200ms");
        Map<String, String> streamsSettings = new HashMap<>(kafka);
        streamsSettings.put(PoolStatsConfig.STALENESS.key(), STALENESS.toMillis() + "ms");
        streamsSettings.put(PoolStatsConfig.STATE_DIR.key(), dir.toString());
        IngestConfig ingestConfig = IngestConfig.of(ingestSettings);
        PoolStatsConfig streamsConfig = PoolStatsConfig.of(streamsSettings);
        ingest = IngestService.start(ingestConfig, new SimpleMeterRegistry(), new HealthChecks(), Clock.systemUTC());
        streams = StreamsJob.start(PoolStatsJob.spec(streamsConfig), new SimpleMeterRegistry(), new HealthChecks());
        client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(ingestConfig.kafka().registryConfig()));
        poolStatsTail = TopicTail.start(ingestConfig.kafka().clientConfig("pipeline-it"),
                new Topics(new AvroSerdes(client)).poolStats(), TopicTail.From.BEGINNING, r -> poolStats.put(r.key(), r.value()));
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        poolStatsTail.close();
        streams.close();
        ingest.close();
        client.close();
        registry.close();
        broker.close();
    }

    @AfterEach
    void stopFleets() {
        fleets.forEach(FleetSimulator::close);
    }

    @Test
    void shouldPublishTheAveragesOfAPoolsPodsWithKnownValues() {
        // given a pool of three pods reporting known values
        FleetSimulator fleet = fleet("known");
        List<SimulatedPodEndpoint> pods = fleet.endpoints();
        fleet.pinMetrics(pods.get(0).pod(), 0.2, 1, 4);
        fleet.pinMetrics(pods.get(1).pod(), 0.5, 2, 6);
        fleet.pinMetrics(pods.get(2).pod(), 0.9, 6, 9);

        // when ingest scrapes them
        scrape(fleet);

        // then pool-stats holds the float means (not integer division) over the three pods
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PoolStats stats = latest(key("known-0")).orElseThrow(() -> new AssertionError("no pool-stats record for known-0 yet"));
            assertThat(stats.getReadyPods()).isEqualTo(3);
            assertThat(stats.getAverageKvCacheUtilization()).isCloseTo(1.6 / 3, within(1e-9));
            assertThat(stats.getAverageQueueSize()).isCloseTo(3.0, within(1e-9));
            assertThat(stats.getAverageRunningRequests()).isCloseTo(19.0 / 3, within(1e-9));
            assertThat(stats.getTotalQueueSize()).isEqualTo(9.0);
        });
    }

    @Test
    void shouldDropAStoppedPodAfterTheStalenessThreshold() {
        // given a pool of three pods with known values, all counted
        FleetSimulator fleet = fleet("stop");
        List<SimulatedPodEndpoint> pods = fleet.endpoints();
        fleet.pinMetrics(pods.get(0).pod(), 0.1, 2, 3);
        fleet.pinMetrics(pods.get(1).pod(), 0.3, 4, 5);
        fleet.pinMetrics(pods.get(2).pod(), 0.8, 9, 7);
        scrape(fleet);
        await().atMost(Duration.ofSeconds(30)).until(() -> readyPods("stop-0") == 3);

        // when one pod's endpoint stops answering
        Instant stopped = Instant.now();
        fleet.stop(pods.get(2).pod());

        // then it leaves ready pods and the averages once its last sample is older than the threshold
        await().atMost(STALENESS.plusSeconds(10)).untilAsserted(() -> {
            PoolStats stats = latest(key("stop-0")).orElseThrow(() -> new AssertionError("no pool-stats record for stop-0 yet"));
            assertThat(stats.getReadyPods()).isEqualTo(2);
            assertThat(stats.getAverageKvCacheUtilization()).isCloseTo(0.2, within(1e-9));
            assertThat(stats.getAverageQueueSize()).isCloseTo(3.0, within(1e-9));
            assertThat(stats.getAverageRunningRequests()).isCloseTo(4.0, within(1e-9));
        });
        // and not before: its last sample was taken at most one scrape interval before the stop
        assertThat(Duration.between(stopped, Instant.now())).isGreaterThan(STALENESS.minusMillis(400));
    }

    @Test
    void shouldReportZeroReadyPodsWhenNoPodOfAPoolIsFresh() {
        // given a pool whose pods are counted
        FleetSimulator fleet = fleet("empty");
        scrape(fleet);
        await().atMost(Duration.ofSeconds(30)).until(() -> readyPods("empty-0") == 3);

        // when every pod stops answering
        fleet.endpoints().forEach(p -> fleet.stop(p.pod()));

        // then the pool is still reported, with zero ready pods and no averages
        await().atMost(STALENESS.plusSeconds(10)).untilAsserted(() -> {
            PoolStats stats = latest(key("empty-0")).orElseThrow(() -> new AssertionError("no pool-stats record for empty-0 yet"));
            assertThat(stats.getReadyPods()).isZero();
            assertThat(stats.getAverageKvCacheUtilization()).isNull();
            assertThat(stats.getAverageQueueSize()).isNull();
            assertThat(stats.getAverageRunningRequests()).isNull();
        });
    }

    private FleetSimulator fleet(String prefix) {
        FleetSimulator fleet = new FleetSimulator(FleetConfig.builder().poolNames(List.of(prefix + "-0")).podsPerPool(3)
                .manualTime().build(), line -> { });
        fleets.add(fleet);
        fleet.start();
        return fleet;
    }

    private static void scrape(FleetSimulator fleet) {
        ingest.setTargets(fleet.endpoints().stream().map(e -> new ScrapeTarget(
                new PodIdentity(CLUSTER, e.namespace(), e.pool(), e.pod(), e.address(), Map.of()), e.metricsUri())).toList());
    }

    private static Optional<PoolStats> latest(String key) {
        return Optional.ofNullable(poolStats.get(key));
    }

    private static int readyPods(String pool) {
        return latest(key(pool)).map(PoolStats::getReadyPods).orElse(-1);
    }

    private static String key(String pool) {
        return Topics.poolKey(CLUSTER, "default", pool);
    }
}
