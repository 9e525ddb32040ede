package io.inferpulse.streams.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.ErrorDetail;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request-statistics path of the streams service on a real KRaft broker and dev schema
 * registry: access logs in; model stats, pool stats with the request fields and error details out,
 * through the model repartition topic the service creates.
 */
class RequestStatsServiceIT {
    private static final String POOL_KEY = Topics.poolKey("it", "llm", "vllm-llama3");
    private static final String MODEL = "meta-llama/Llama-3.1-8B";
    private static final String PROXY_STATUS = "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"";

    @Test
    void shouldTurnAccessLogsIntoModelStatsPoolStatsAndErrorDetails(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(
                     new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0))) {
            // given the service with a short window, so that results come within seconds
            PoolStatsConfig config = PoolStatsConfig.of(Map.of(
                    KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                    KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(),
                    "http.port", "0",
                    PoolStatsConfig.STATE_DIR.key(), dir.toString(),
                    RequestStatsSettings.WINDOW.key(), "4s",
                    RequestStatsSettings.EVALUATION_INTERVAL.key(), "1s",
                    RequestStatsSettings.GRACE.key(), "2s",
                    RequestStatsSettings.ERROR_WINDOW.key(), "2s"));
            List<ModelStats> modelStats = new CopyOnWriteArrayList<>();
            List<PoolStats> poolStats = new CopyOnWriteArrayList<>();
            List<ErrorDetail> errorDetails = new CopyOnWriteArrayList<>();
            try (SchemaRegistryClient client = SchemaRegistryClients.create(
                         RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig()));
                 StreamsJob service = StreamsJob.start(PoolStatsJob.spec(config), new SimpleMeterRegistry(),
                         new HealthChecks())) {
                Topics topics = new Topics(new AvroSerdes(client));
                Map<String, Object> clients = config.kafka().clientConfig("request-stats-it");
                await().atMost(Duration.ofSeconds(60)).until(() -> service.state() == KafkaStreams.State.RUNNING);
                try (TopicTail<String, ModelStats> models = TopicTail.start(clients, topics.modelStats(),
                             TopicTail.From.BEGINNING, r -> modelStats.add(r.value()));
                     TopicTail<String, PoolStats> pools = TopicTail.start(clients, topics.poolStats(),
                             TopicTail.From.BEGINNING, r -> poolStats.add(r.value()));
                     TopicTail<String, ErrorDetail> errors = TopicTail.start(clients, topics.errorDetails(),
                             TopicTail.From.BEGINNING, r -> errorDetails.add(r.value()))) {

                    // when ten requests completing at one instant arrive, two of them failed picks
                    Instant now = Instant.now();
                    Topic<String, AccessLog> accessLogs = topics.accessLogs();
                    try (KafkaProducer<String, AccessLog> producer = new KafkaProducer<>(clients,
                            accessLogs.keySerde().serializer(), accessLogs.valueSerde().serializer())) {
                        for (int i = 0; i < 10; i++) {
                            producer.send(new ProducerRecord<>(accessLogs.name(), POOL_KEY, log(now, i < 2, 0.1 * (i + 1))));
                        }
                        producer.flush();
                    }

                    // then the model's window counts them, and empties again once they leave it
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        ModelStats total = modelStats.stream()
                                .filter(s -> s.getTargetModelName().isEmpty() && s.getRequestCount() == 10)
                                .findFirst().orElse(null);
                        assertThat(total).as("model total over the ten requests, in %s", modelStats).isNotNull();
                        assertThat(total.getModelName()).isEqualTo(MODEL);
                        assertThat(total.getErrorCount()).isEqualTo(2);
                        assertThat(total.getErrorRate()).isEqualTo(0.2);
                        assertThat(total.getRequestRatePerSecond()).isEqualTo(2.5);
                        assertThat(total.getLatencyP50Seconds()).isCloseTo(0.5, withinPercentage(1));
                        assertThat(modelStats).anySatisfy(s -> {
                            assertThat(s.getTargetModelName()).isEqualTo(MODEL);
                            assertThat(s.getRequestCount()).isEqualTo(10);
                        });
                        assertThat(modelStats).last().satisfies(s -> assertThat(s.getRequestCount()).isZero());
                    });
                    // and the pool's record carries the same window
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        assertThat(poolStats).anySatisfy(p -> {
                            assertThat(p.getPool()).isEqualTo("vllm-llama3");
                            assertThat(p.getReadyPods()).isZero();
                            assertThat(p.getRequestRatePerSecond()).isEqualTo(2.5);
                            assertThat(p.getErrorRate()).isEqualTo(0.2);
                        });
                    });
                    // and the failed picks are counted by their proxyStatus
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(errorDetails).singleElement()
                            .satisfies(d -> {
                                assertThat(d.getDetail()).isEqualTo(PROXY_STATUS);
                                assertThat(d.getDetailSource()).isEqualTo("proxy_status");
                                assertThat(d.getCount()).isEqualTo(2);
                            }));
                }
            }
        }
    }

    /** A request that completed at {@code completedAt}, after {@code latency} seconds. */
    private static AccessLog log(Instant completedAt, boolean failedPick, double latency) {
        return AccessLog.newBuilder()
                .setRequestTime(completedAt.minusMillis(Math.round(latency * 1000)))
                .setCluster("it")
                .setNamespace("llm")
                .setPool("vllm-llama3")
                .setModelName(MODEL)
                .setStatus(failedPick ? 503 : 200)
                .setLatencySeconds(latency)
                .setProxyStatus(failedPick ? PROXY_STATUS : null)
                .setSourceFormat("gcp-lb")
                .build();
    }
}
