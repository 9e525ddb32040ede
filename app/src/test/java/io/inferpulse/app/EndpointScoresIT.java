package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.EndpointTable;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.score.ScoreConfig;
import io.inferpulse.streams.score.ScoreJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing feed end to end on a real KRaft broker and the dev schema registry: pod samples
 * through the endpoint-scores job into the compacted topic and the router-feed endpoint table a
 * picker reads, and a GONE sample taking the endpoint out of it.
 */
class EndpointScoresIT {
    private static final String POOL = "vllm-llama3";
    private static final String POOL_KEY = Topics.poolKey("it", "llm", POOL);

    @Test
    void shouldShowSampledEndpointsWithTheirScoresInThePickersTableAndRemoveAGoneOne(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(
                     new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0))) {
            ScoreConfig config = ScoreConfig.of(Map.of(
                    KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                    KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(),
                    "http.port", "0",
                    ScoreConfig.STATE_DIR.key(), dir.toString(),
                    // Each pod reports once here: a staleness well beyond the test keeps them HEALTHY on a slow machine.
                    ScoreConfig.STALENESS.key(), "60s",
                    "score.cluster-labels.it", "gke.io/zone=europe-west4-a"));
            try (SchemaRegistryClient client = SchemaRegistryClients.create(
                         RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig()));
                 StreamsJob scores = StreamsJob.start(ScoreJob.spec(config, new SimpleMeterRegistry()), new SimpleMeterRegistry(),
                         new HealthChecks());
                 EndpointTable table = EndpointTable.start(config.kafka(), "endpoint-scores-it", new SimpleMeterRegistry(),
                         new HealthChecks())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> scores.state() == KafkaStreams.State.RUNNING && table.ready());
                Topic<String, PodMetrics> podMetrics = new Topics(new AvroSerdes(client)).podMetrics();
                try (KafkaProducer<String, PodMetrics> producer = new KafkaProducer<>(config.kafka().clientConfig("it-pods"),
                        podMetrics.keySerde().serializer(), podMetrics.valueSerde().serializer())) {

                    // when two pods of a pool report, one idle and one with a queue
                    Instant sampled = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                    send(producer, podMetrics, sample("llama-0", "10.8.0.10:8000", 0.25, 0.0, PodStatus.UP, sampled));
                    send(producer, podMetrics, sample("llama-1", "10.8.0.11:8000", 0.75, 8.0, PodStatus.UP, sampled));

                    // then the picker's table holds both, healthy, the idle one with the better score
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        PoolSnapshot pool = table.snapshot(POOL_KEY);
                        assertThat(pool.endpoints()).extracting(Endpoint::key)
                                .containsExactly("it/llm/llama-0:8000", "it/llm/llama-1:8000");
                        Endpoint idle = pool.endpoints().get(0);
                        Endpoint busy = pool.endpoints().get(1);
                        assertThat(idle.address()).isEqualTo("10.8.0.10:8000");
                        assertThat(idle.health()).isEqualTo(Endpoint.Health.HEALTHY);
                        assertThat(idle.parts()).containsExactlyInAnyOrderEntriesOf(Map.of("queue", 1.0, "kv-cache", 0.75));
                        assertThat(idle.score()).isEqualTo(2 * 1.0 + 2 * 0.75);
                        assertThat(busy.score()).isEqualTo(2 * 0.0 + 2 * 0.25);
                        assertThat(idle.sampleTime()).isEqualTo(sampled);
                        assertThat(idle.expiresAt()).isEqualTo(sampled.plusSeconds(60));
                        assertThat(idle.clusterLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                                "gke.io/cluster-name", "it", "gke.io/zone", "europe-west4-a"));
                    });

                    // when llama-0 leaves the pool
                    send(producer, podMetrics, sample("llama-0", "10.8.0.10:8000", 0.0, 0.0, PodStatus.GONE,
                            Instant.now().truncatedTo(ChronoUnit.MILLIS)));

                    // then the table drops it, and llama-1, alone, has the best queue
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        PoolSnapshot pool = table.snapshot(POOL_KEY);
                        assertThat(pool.endpoints()).singleElement().satisfies(e -> {
                            assertThat(e.key()).isEqualTo("it/llm/llama-1:8000");
                            assertThat(e.parts().get("queue")).isEqualTo(1.0);
                        });
                    });
                }
            }
        }
    }

    private static void send(KafkaProducer<String, PodMetrics> producer, Topic<String, PodMetrics> topic, PodMetrics sample)
            throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), POOL_KEY, sample)).get();
    }

    private static PodMetrics sample(String pod, String address, double kv, double waiting, PodStatus status, Instant at) {
        return PodMetrics.newBuilder()
                .setCluster("it")
                .setNamespace("llm")
                .setPool(POOL)
                .setPod(pod)
                .setAddress(address)
                .setEngine("vllm")
                .setStatus(status)
                .setSampleTime(at)
                .setKvCacheUsageRatio(status == PodStatus.UP ? kv : null)
                .setRequestsWaiting(status == PodStatus.UP ? waiting : null)
                .setRequestsRunning(status == PodStatus.UP ? 1.0 : null)
                .build();
    }
}
