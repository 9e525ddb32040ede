package io.inferpulse.ingest.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.fleet.SimulatedPodEndpoint;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.IngestService;
import io.inferpulse.ingest.engine.Engines;
import io.inferpulse.kube.InferencePoolApi;
import io.inferpulse.kube.MockApiServer;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ingest following the Kubernetes API: an InferencePool and its pod on fabric8's mock server (CRUD
 * mode) point at a simulated vLLM server on 127.0.0.1; its samples reach the real broker, and
 * deleting the pod publishes a GONE sample at once.
 */
class DiscoveredPodsIngestIT {
    private static final Map<String, String> LABELS = Map.of("app", "llama", Engines.ENGINE_LABEL, "vllm");

    private static EmbeddedKafkaBroker broker;
    private static DevSchemaRegistry registry;
    private static SchemaRegistryClient registryClient;

    @RegisterExtension
    final MockApiServer kube = MockApiServer.crud();

    @BeforeAll
    static void startKafka() {
        broker = EmbeddedKafkaBroker.start();
        registry = DevSchemaRegistry.start(DevSchemaRegistry.Settings.forBroker(broker.bootstrapServers()));
        registryClient = SchemaRegistryClients.create(RegistryClientConfig.of(registry.url()));
    }

    @AfterAll
    static void stopKafka() {
        registryClient.close();
        registry.close();
        broker.close();
    }

    @Test
    void shouldScrapeADiscoveredPodAndReportItGoneWhenItIsDeleted() throws Exception {
        // given a model server, and an InferencePool whose ready pod is that server
        try (FleetSimulator fleet = new FleetSimulator(FleetConfig.builder().poolNames(List.of("sim")).podsPerPool(1)
                .manualTime().build(), line -> { })) {
            fleet.start();
            SimulatedPodEndpoint server = fleet.endpoints().getFirst();
            fleet.pinMetrics(server.pod(), 0.25, 3, 7);
            int port = URI.create("http://" + server.address()).getPort();
            kube.serve(InferencePoolApi.V1);
            kube.client().genericKubernetesResources(InferencePoolApi.V1.context()).inNamespace("default")
                    .resource(TestObjects.v1Pool("default", "llama", Map.of("app", "llama"), port)).create();
            kube.client().pods().inNamespace("default").resource(TestObjects.pod("default", "llama-0", LABELS, "127.0.0.1", true)).create();

            List<PodMetrics> samples = new CopyOnWriteArrayList<>();
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
            try (IngestService ingest = IngestService.start(IngestConfig.of(Map.of(
                            KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                            KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(),
                            IngestConfig.CLUSTER.key(), "it",
                            IngestConfig.SCRAPE_INTERVAL.key(), "200ms",
                            IngestConfig.DISCOVERY_ENABLED.key(), "true")),
                    new SimpleMeterRegistry(), new HealthChecks(), Clock.systemUTC(), kube::client);
                 TopicTail<String, PodMetrics> tail = TopicTail.start(kafka.clientConfig("discovery-it"),
                         new Topics(new AvroSerdes(registryClient)).podMetrics(), TopicTail.From.BEGINNING,
                         r -> samples.add(r.value()))) {

                // when ingest discovers it, then its samples are published under the pool's name, with its engine
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(samples).anySatisfy(s -> {
                    assertThat(s.getPool()).isEqualTo("llama");
                    assertThat(s.getPod()).isEqualTo("llama-0");
                    assertThat(s.getAddress()).isEqualTo("127.0.0.1:" + port);
                    assertThat(s.getEngine()).isEqualTo("vllm");
                    assertThat(s.getStatus()).isEqualTo(PodStatus.UP);
                    assertThat(s.getKvCacheUsageRatio()).isEqualTo(0.25);
                    assertThat(s.getRequestsWaiting()).isEqualTo(3.0);
                    assertThat(s.getRequestsRunning()).isEqualTo(7.0);
                    assertThat(s.getLabels()).containsEntry("app", "llama");
                }));

                // when the pod is deleted, then a GONE sample says so without waiting for staleness
                kube.client().pods().inNamespace("default").withName("llama-0").delete();
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(samples).anySatisfy(s -> {
                    assertThat(s.getPod()).isEqualTo("llama-0");
                    assertThat(s.getStatus()).isEqualTo(PodStatus.GONE);
                }));
            }
        }
    }
}
