package io.inferpulse.routerfeed.epp;

import static io.inferpulse.routerfeed.epp.ExtProcClient.requestBody;
import static io.inferpulse.routerfeed.epp.ExtProcClient.requestHeaders;
import static io.inferpulse.routerfeed.epp.ExtProcClient.requestHeadersWithSubset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.inferpulse.avro.EndpointHealth;
import io.inferpulse.avro.EndpointScore;
import io.inferpulse.routerfeed.ScoresStack;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path a gateway relies on: endpoint scores produced to the real broker, read by the
 * endpoint table, picked by the score picker and answered over ext_proc on a real gRPC channel.
 * Each test serves its own pool, as an EPP is deployed per InferencePool.
 */
class EppServerIT {
    private static final String CHAT = "{\"model\":\"llama-3-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static ScoresStack stack;
    private static KafkaProducer<String, EndpointScore> producer;

    private PickerService service;
    private ManagedChannel channel;

    @BeforeAll
    static void startStack() {
        stack = ScoresStack.start();
        Topic<String, EndpointScore> scores = stack.topics().endpointScores();
        producer = new KafkaProducer<>(stack.kafka().clientConfig("it-epp-scores"), scores.keySerde().serializer(),
                scores.valueSerde().serializer());
    }

    @AfterAll
    static void stopStack() throws Exception {
        producer.close();
        stack.close();
    }

    @AfterEach
    void stopService() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (service != null) {
            service.close();
        }
    }

    /** An endpoint of {@code pool} in cluster {@code it}, namespace {@code llm}, fresh for an hour. */
    private static void publish(String pool, int host, double score, EndpointHealth health, double waiting) {
        Instant now = Instant.now();
        EndpointScore s = EndpointScore.newBuilder().setCluster("it").setNamespace("llm").setPool(pool)
                .setPod(pool + "-pod-" + host).setAddress(address(host)).setScore(score)
                .setParts(Map.of("queue", score)).setHealth(health).setClusterLabels(Map.of())
                .setRequestsWaiting(waiting).setRequestsRunning(1).setKvCacheUsageRatio(0.3).setLoraAdapters(List.of())
                .setSampleTime(now).setExpiresAt(now.plus(Duration.ofHours(1))).build();
        producer.send(new ProducerRecord<>(Topics.ENDPOINT_SCORES, "it/llm/" + s.getPod() + ":8000", s));
    }

    private static String address(int host) {
        return "10.2.0." + host + ":8000";
    }

    /** Serves {@code pool} once its table has read what the topic holds, as health says. */
    private void serve(String pool) {
        producer.flush();
        EppSettings settings = EppSettings.of(Map.of(KafkaSettings.BOOTSTRAP_SERVERS.key(), stack.bootstrapServers(),
                KafkaSettings.SCHEMA_REGISTRY_URL.key(), stack.registryUrl(), "epp.host", "127.0.0.1", "epp.port", "0",
                "epp.health-port", "0", "pool.cluster", "it", "pool.namespace", "llm", "pool.name", pool,
                "objectives", "batch=-1", "epp.client-id", "it-epp-" + pool));
        service = PickerService.start(settings, PickerSettings.defaults(), () -> {
            throw new AssertionError("no policy source asks for a Kubernetes client here");
        }, new SimpleMeterRegistry(), new HealthChecks());
        ManagedChannel health = NettyChannelBuilder.forAddress("127.0.0.1", service.healthPort()).usePlaintext().build();
        try {
            HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(health);
            await().atMost(DEADLINE).until(() -> stub.check(HealthCheckRequest.newBuilder()
                    .setService("envoy.service.ext_proc.v3.ExternalProcessor").build()).getStatus() == ServingStatus.SERVING);
        } finally {
            health.shutdownNow();
        }
        channel = NettyChannelBuilder.forAddress("127.0.0.1", service.port()).usePlaintext().build();
    }

    private ProcessingResponse ask(Map<String, String> headers) throws Exception {
        return new ExtProcClient(channel).send(requestHeaders(headers)).send(requestBody(CHAT, true)).next();
    }

    private static String destination(ProcessingResponse answer) {
        assertThat(answer.hasRequestHeaders()).as("a destination, not %s", answer).isTrue();
        return answer.getDynamicMetadata().getFieldsOrThrow("envoy.lb").getStructValue()
                .getFieldsOrThrow("x-gateway-destination-endpoint").getStringValue();
    }

    @Test
    void shouldRouteToTheBestScoredEndpointWithTheNextBestAsFallbacks() throws Exception {
        publish("best", 1, 0.5, EndpointHealth.HEALTHY, 0);
        publish("best", 2, 0.9, EndpointHealth.HEALTHY, 0);
        publish("best", 3, 0.7, EndpointHealth.HEALTHY, 0);
        publish("best", 4, 0.99, EndpointHealth.FAILING, 0);
        serve("best");

        String endpoints = destination(ask(Map.of(":method", "POST")));

        assertThat(endpoints).as("best first, two fallbacks (picker.fallbacks), never the failing one")
                .isEqualTo(address(2) + "," + address(3) + "," + address(1));
    }

    @Test
    void shouldPickOnlyFromTheGatewaysSubsetHint() throws Exception {
        publish("subset", 1, 0.9, EndpointHealth.HEALTHY, 0);
        publish("subset", 2, 0.2, EndpointHealth.HEALTHY, 0);
        publish("subset", 3, 0.5, EndpointHealth.HEALTHY, 0);
        serve("subset");

        ProcessingResponse answer = new ExtProcClient(channel)
                .send(requestHeadersWithSubset(List.of(Value.newBuilder().setStringValue(address(2)).build(),
                        Value.newBuilder().setStringValue(address(3)).build())))
                .send(requestBody(CHAT, true)).next();

        assertThat(destination(answer)).isEqualTo(address(3) + "," + address(2));
    }

    @Test
    void shouldShedASheddableRequestWith429WhenThePoolIsSaturated() throws Exception {
        // Five or more waiting is the EPP's queue threshold: no endpoint has capacity.
        publish("saturated", 1, 0.6, EndpointHealth.HEALTHY, 12);
        publish("saturated", 2, 0.4, EndpointHealth.HEALTHY, 9);
        serve("saturated");

        ImmediateResponse shed = ask(Map.of(":method", "POST", "x-gateway-inference-objective", "batch")).getImmediateResponse();
        String critical = destination(ask(Map.of(":method", "POST")));

        assertThat(shed.getStatus().getCodeValue()).isEqualTo(429);
        assertThat(shed.getBody().toStringUtf8()).contains("saturated");
        assertThat(critical).as("priority 0 is not sheddable: it queues on the best saturated endpoint")
                .startsWith(address(1));
    }

    @Test
    void shouldAnswer503WhenNoEndpointOfThePoolMayTakeTheRequest() throws Exception {
        publish("unhealthy", 1, 0.9, EndpointHealth.FAILING, 0);
        publish("unhealthy", 2, 0.8, EndpointHealth.STALE, 0);
        serve("unhealthy");

        ImmediateResponse unavailable = ask(Map.of(":method", "POST")).getImmediateResponse();
        service.close();
        service = null;
        channel.shutdownNow();
        serve("empty");
        ImmediateResponse empty = ask(Map.of(":method", "POST")).getImmediateResponse();

        assertThat(unavailable.getStatus().getCodeValue()).isEqualTo(503);
        assertThat(empty.getStatus().getCodeValue()).isEqualTo(503);
        assertThat(empty.getBody().toStringUtf8()).contains("it/llm/empty");
    }
}
