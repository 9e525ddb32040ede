package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.model;
import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The routes of external.metrics.k8s.io/v1beta1 over a real HTTP server on loopback, as HPA and the aggregator call them. */
class MetricsApiTest {
    private static final String BASE = "/apis/external.metrics.k8s.io/v1beta1/namespaces/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final FixedStats STATS = new FixedStats();
    private static MetricsApiServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        STATS.pools.add(pool("c1", "default", "pool-0", NOW, 0.5, 12, 3));
        STATS.pools.add(pool("c1", "default", "pool-1", NOW, 0.25, 1.5, 2));
        STATS.pools.add(pool("c2", "default", "pool-0", NOW, 0.75, 0, 1));
        STATS.pools.add(pool("c1", "team-b", "pool-0", NOW, 0.9, 4, 4));
        STATS.models.add(model("llama", "", NOW, 2.5, 0.02));
        STATS.models.add(model("llama", "llama-lora-a", NOW, 3.0, 0.1));
        STATS.models.add(model("qwen", "", NOW, 0.75, null));
        HealthChecks health = new HealthChecks().addReadiness("stats", () -> Optional.empty());
        MetricsApiMetrics metrics = new MetricsApiMetrics(new SimpleMeterRegistry());
        server = MetricsApiServer.start("127.0.0.1", 0, Optional.empty(), false, new MetricsApi(
                new MetricsQuery(STATS, Staleness.error(Duration.ofMinutes(10)), Clock.systemUTC(), metrics), health,
                AccessControl.insecureLocal()), metrics);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String path, int expectedCode) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(expectedCode);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(response.body());
    }

    private static List<String> values(JsonNode list) {
        return list.get("items").findValuesAsText("value");
    }

    @Test
    void shouldServeTheDiscoveryDocumentsTheAggregatorReads() throws Exception {
        JsonNode groups = json("/apis", 200);
        assertThat(groups.get("kind").asText()).isEqualTo("APIGroupList");
        assertThat(groups.at("/groups/0/name").asText()).isEqualTo("external.metrics.k8s.io");
        assertThat(groups.at("/groups/0/preferredVersion/groupVersion").asText()).isEqualTo("external.metrics.k8s.io/v1beta1");

        JsonNode group = json("/apis/external.metrics.k8s.io", 200);
        assertThat(group.get("kind").asText()).isEqualTo("APIGroup");
        assertThat(group.at("/versions/0/version").asText()).isEqualTo("v1beta1");

        JsonNode resources = json("/apis/external.metrics.k8s.io/v1beta1", 200);
        assertThat(resources.get("kind").asText()).isEqualTo("APIResourceList");
        assertThat(resources.get("groupVersion").asText()).isEqualTo("external.metrics.k8s.io/v1beta1");
        assertThat(resources.get("resources").findValuesAsText("name")).contains("inference_pool_average_kv_cache_utilization",
                "inference_pool_average_queue_size", "inference_pool_average_running_requests", "inference_pool_ready_pods",
                "inference_pool_total_queue_size", "inference_pool_total_running_requests",
                "inference_objective_request_duration_p99_seconds", "inference_objective_request_error_ratio");
        for (JsonNode r : resources.get("resources")) {
            assertThat(r.get("namespaced").asBoolean()).isTrue();
            assertThat(r.get("verbs")).hasSize(1);
            assertThat(r.at("/verbs/0").asText()).isEqualTo("get");
        }
    }

    @Test
    void shouldServeAPoolGaugeSelectedByNameAsAnExternalMetricValueList() throws Exception {
        JsonNode list = json(BASE + "default/inference_pool_average_kv_cache_utilization?labelSelector=name%3Dpool-1", 200);

        assertThat(list.get("kind").asText()).isEqualTo("ExternalMetricValueList");
        assertThat(list.get("apiVersion").asText()).isEqualTo("external.metrics.k8s.io/v1beta1");
        assertThat(list.get("metadata").isObject()).isTrue();
        assertThat(list.get("items")).hasSize(1);
        JsonNode item = list.at("/items/0");
        assertThat(item.get("metricName").asText()).isEqualTo("inference_pool_average_kv_cache_utilization");
        assertThat(item.at("/metricLabels/name").asText()).isEqualTo("pool-1");
        assertThat(item.at("/metricLabels/namespace").asText()).isEqualTo("default");
        assertThat(item.at("/metricLabels/cluster").asText()).isEqualTo("c1");
        assertThat(item.get("timestamp").asText()).isEqualTo(NOW.toString());
        assertThat(item.get("value").asText()).isEqualTo("250m");
    }

    @Test
    void shouldServeEveryPoolGaugeAndSumAsQuantities() throws Exception {
        String pool = "?labelSelector=name%3Dpool-0,cluster%3Dc1";
        assertThat(values(json(BASE + "default/inference_pool_average_queue_size" + pool, 200))).containsExactly("12");
        assertThat(values(json(BASE + "default/inference_pool_average_running_requests" + pool, 200))).containsExactly("2500m");
        assertThat(values(json(BASE + "default/inference_pool_ready_pods" + pool, 200))).containsExactly("3");
        assertThat(values(json(BASE + "default/inference_pool_total_queue_size" + pool, 200))).containsExactly("36");
        assertThat(values(json(BASE + "default/inference_pool_total_running_requests" + pool, 200))).containsExactly("7500m");
    }

    @Test
    void shouldServeOnlyThePoolsOfTheNamespaceInThePath() throws Exception {
        assertThat(values(json(BASE + "default/inference_pool_average_kv_cache_utilization", 200)))
                .containsExactlyInAnyOrder("500m", "250m", "750m");
        assertThat(values(json(BASE + "team-b/inference_pool_average_kv_cache_utilization", 200))).containsExactly("900m");
        assertThat(json(BASE + "nobody/inference_pool_average_kv_cache_utilization", 200).get("items")).isEmpty();
    }

    @Test
    void shouldApplyEverySelectorOperator() throws Exception {
        String metric = BASE + "default/inference_pool_average_kv_cache_utilization?labelSelector=";
        assertThat(values(json(metric + "name%3D%3Dpool-0", 200))).containsExactly("500m", "750m");
        assertThat(values(json(metric + "cluster!%3Dc1", 200))).containsExactly("750m");
        assertThat(values(json(metric + "name+in+(pool-1,pool-9)", 200))).containsExactly("250m");
        assertThat(values(json(metric + "name%20notin%20(pool-1)", 200))).containsExactly("500m", "750m");
        assertThat(values(json(metric + "cluster", 200))).hasSize(3);
        assertThat(values(json(metric + "!cluster", 200))).isEmpty();
    }

    @Test
    void shouldAnswerTheSeedsStackdriverNameAndSelectorsUnchanged() throws Exception {
        // As the seed's HPA asks: the '|' of the name arrives percent-encoded.
        JsonNode list = json(BASE + "default/prometheus.googleapis.com%7Cinference_pool_average_kv_cache_utilization%7Cgauge"
                + "?labelSelector=metric.labels.name%3Dpool-0,resource.labels.cluster%3Dc2,resource.labels.namespace%3Ddefault", 200);

        assertThat(list.get("items")).hasSize(1);
        JsonNode item = list.at("/items/0");
        assertThat(item.get("metricName").asText()).isEqualTo("prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge");
        assertThat(item.at("/metricLabels/metric.labels.name").asText()).isEqualTo("pool-0");
        assertThat(item.at("/metricLabels/resource.labels.cluster").asText()).isEqualTo("c2");
        assertThat(item.get("value").asText()).isEqualTo("750m");
    }

    @Test
    void shouldServeModelMetricsInAnyNamespaceWithTargetsOnlyWhenSelected() throws Exception {
        String p99 = "/inference_objective_request_duration_p99_seconds?labelSelector=model_name%3Dllama";
        assertThat(values(json(BASE + "default" + p99, 200))).as("the model total only").containsExactly("2500m");
        assertThat(values(json(BASE + "anywhere" + p99, 200))).containsExactly("2500m");
        assertThat(values(json(BASE + "default" + p99 + ",target_model_name%3Dllama-lora-a", 200))).containsExactly("3");
        assertThat(values(json(BASE + "default/inference_objective_request_error_ratio?labelSelector=model_name%3Dllama", 200)))
                .containsExactly("20m");
        assertThat(json(BASE + "default/inference_objective_request_error_ratio?labelSelector=model_name%3Dqwen", 200)
                .get("items")).as("no requests, no error ratio").isEmpty();
    }

    @Test
    void shouldAnswerABadSelectorWith400Status() throws Exception {
        JsonNode status = json(BASE + "default/inference_pool_ready_pods?labelSelector=name+in+(a", 400);

        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("apiVersion").asText()).isEqualTo("v1");
        assertThat(status.get("status").asText()).isEqualTo("Failure");
        assertThat(status.get("reason").asText()).isEqualTo("BadRequest");
        assertThat(status.get("code").asInt()).isEqualTo(400);
        assertThat(status.get("message").asText()).contains("unable to parse label selector \"name in (a\"");
    }

    @Test
    void shouldAnswerAnUnknownMetricWith404NamingTheServedOnes() throws Exception {
        JsonNode status = json(BASE + "default/inference_pool_average_kv_cache", 404);
        assertThat(status.get("reason").asText()).isEqualTo("NotFound");
        assertThat(status.get("message").asText()).contains("inference_pool_average_kv_cache_utilization");

        assertThat(json(BASE + "default/prometheus.googleapis.com%7Cinference_pool_ready_pods%7Ccounter", 404)
                .get("code").asInt()).isEqualTo(404);
    }

    @Test
    void shouldAnswerOpenApiAndUnknownPathsWithA404Status() throws Exception {
        assertThat(json("/openapi/v2", 404).get("reason").asText()).isEqualTo("NotFound");
        assertThat(json("/openapi/v3", 404).get("reason").asText()).isEqualTo("NotFound");
        assertThat(json("/apis/custom.metrics.k8s.io/v1beta1", 404).get("kind").asText()).isEqualTo("Status");
    }

    @Test
    void shouldRefuseWrites() throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url() + BASE
                + "default/inference_pool_ready_pods")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(response.body()).get("reason").asText()).isEqualTo("MethodNotAllowed");
    }

    @Test
    void shouldAnswerHealthPaths() throws Exception {
        assertThat(get("/healthz").body()).isEqualTo("ok");
        assertThat(get("/livez").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/readyz?verbose");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("[+]stats ok");
    }
}
