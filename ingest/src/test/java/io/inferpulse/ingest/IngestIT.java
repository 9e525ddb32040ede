package io.inferpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.fleet.SimulatedPodEndpoint;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.schemas.Topic;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ingest on a real broker and registry, fed bad input: nothing stops it and nothing is lost. */
class IngestIT {
    private static EmbeddedKafkaBroker broker;
    private static int registryPort;
    private static DevSchemaRegistry registry;
    private static SchemaRegistryClient client;

    @BeforeAll
    static void startKafka() throws IOException {
        broker = EmbeddedKafkaBroker.start();
        registryPort = freePort();
        registry = startRegistry();
        client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(
                Map.of(RegistryClientConfig.URL, registry.url().toString())));
        TopicSetup.ensure(KafkaSettings.local(broker.bootstrapServers(), registry.url().toString()), Topics.SPECS);
    }

    @AfterAll
    static void stopKafka() {
        client.close();
        registry.close();
        broker.close();
    }

    @Test
    void shouldDeadLetterAMalformedMetricsBodyNamingTheTargetAndKeepScraping() throws Exception {
        // given two pods, one of which serves a malformed exposition
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FleetSimulator fleet = fleet("malformed");
             IngestService ingest = ingest(registry.url(), meters);
             Recorded<DeadLetter> deadLetters = record(topics().deadLetter());
             Recorded<PodMetrics> podMetrics = record(topics().podMetrics())) {
            SimulatedPodEndpoint bad = fleet.endpoints().get(0);
            SimulatedPodEndpoint good = fleet.endpoints().get(1);
            fleet.serveRaw(bad.pod(), "vllm:num_requests_waiting{model_name=\"m\" 3\n");

            // when ingest scrapes both
            ingest.setTargets(targets(fleet));

            // then the bad body is on the dead-letter topic with the target and the parse error
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters.records()).anySatisfy(r -> {
                assertThat(r.key()).isEqualTo("scrape:" + bad.metricsUri());
                assertThat(r.value().getStage()).isEqualTo("scrape.parse");
                assertThat(r.value().getReason()).contains("line 1");
                assertThat(r.value().getAttributes()).containsEntry("target", bad.metricsUri().toString())
                        .containsEntry("pod", bad.pod());
                assertThat(StandardCharsets.UTF_8.decode(r.value().getRaw()).toString())
                        .isEqualTo("vllm:num_requests_waiting{model_name=\"m\" 3\n");
            }));
            assertThat(meters.find("inferpulse_scrape_errors").tag("reason", "parse").counter().count()).isPositive();
            // and the good pod's samples keep flowing, and the bad pod's resume once it is repaired
            fleet.serveNormal(bad.pod());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(podMetrics.records())
                    .extracting(r -> r.value().getPod()).contains(good.pod(), bad.pod()));
        }
    }

    @Test
    void shouldCountAnUnreachableTargetAsAScrapeError() throws Exception {
        // given a target on a port where nothing listens
        URI nowhere = URI.create("http://127.0.0.1:" + freePort() + "/metrics");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (IngestService ingest = ingest(registry.url(), meters)) {
            // when ingest scrapes it
            ingest.setTargets(List.of(new ScrapeTarget(
                    new PodIdentity("it", "default", "unreachable-0", "ghost", nowhere.getAuthority(), Map.of()), nowhere)));

            // then each attempt counts as a connect error and no sample is accepted
            await().atMost(Duration.ofSeconds(10)).until(() -> count(meters.find("inferpulse_scrape_errors")
                    .tag("reason", "connect").counter()) >= 3);
            assertThat(count(meters.find("inferpulse_ingest_samples_accepted").counter())).isZero();
        }
    }

    @Test
    void shouldKeepEverySampleAcceptedDuringARegistryOutage() throws Exception {
        // given ingest starting while the schema registry is down
        URI registryUrl = registry.url();
        registry.close();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FleetSimulator fleet = fleet("outage");
             IngestService ingest = ingest(registryUrl, meters);
             Recorded<PodMetrics> podMetrics = record(topics().podMetrics())) {
            ingest.setTargets(targets(fleet));

            // when samples are accepted while it is down
            await().atMost(Duration.ofSeconds(10)).until(() -> count(meters.find("inferpulse_ingest_samples_accepted").counter()) >= 5);
            assertThat(podMetrics.records()).noneMatch(r -> r.value().getPool().startsWith("outage"));
            assertThat(count(meters.find("inferpulse_ingest_publish_retries").counter())).isPositive();

            // and the registry comes back on its address, and scraping then stops
            registry = startRegistry();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    podMetrics.records().stream().anyMatch(r -> r.value().getPool().startsWith("outage")));
            ingest.setTargets(List.of());

            // then every accepted sample is acknowledged and reaches the topic
            await().atMost(Duration.ofSeconds(30)).until(() -> ingest.pendingSamples() == 0);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(podMetrics.records().stream()
                    .filter(r -> r.value().getPool().startsWith("outage")).count())
                    .isEqualTo((long) count(meters.find("inferpulse_ingest_samples_accepted").counter())));
        }
    }

    /** Every record of a topic from its beginning, as they arrive. */
    private record Recorded<V>(List<ConsumerRecord<String, V>> records, TopicTail<String, V> tail) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            tail.close();
        }
    }

    private static <V> Recorded<V> record(Topic<String, V> topic) {
        List<ConsumerRecord<String, V>> records = new CopyOnWriteArrayList<>();
        return new Recorded<>(records, TopicTail.start(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), topic, TopicTail.From.BEGINNING, records::add));
    }

    private static DevSchemaRegistry startRegistry() {
        return DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", registryPort));
    }

    private static IngestService ingest(URI registryUrl, SimpleMeterRegistry meters) {
        Map<String, String> settings = new HashMap<>();
        settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
        settings.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), registryUrl.toString());
        settings.put("schema.registry.retry.max.attempts", "2");
        settings.put(IngestConfig.CLUSTER.key(), "it");
        settings.put(IngestConfig.SCRAPE_INTERVAL.key(), "200ms");
        settings.put(IngestConfig.PUBLISH_MAX_BACKOFF.key(), "500ms");
        return IngestService.start(IngestConfig.of(settings), meters, new HealthChecks(),
                Clock.systemUTC());
    }

    private static FleetSimulator fleet(String pool) {
        FleetSimulator fleet = new FleetSimulator(FleetConfig.builder().poolNames(List.of(pool + "-0")).podsPerPool(2)
                .manualTime().build(), line -> { });
        fleet.start();
        return fleet;
    }

    private static List<ScrapeTarget> targets(FleetSimulator fleet) {
        return fleet.endpoints().stream().map(e -> new ScrapeTarget(
                new PodIdentity("it", e.namespace(), e.pool(), e.pod(), e.address(), Map.of()), e.metricsUri())).toList();
    }

    private static Topics topics() {
        return new Topics(new AvroSerdes(client));
    }

    private static double count(Counter counter) {
        return counter == null ? 0 : counter.count();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

}
