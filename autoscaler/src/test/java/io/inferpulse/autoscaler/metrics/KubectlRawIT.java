package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl get --raw} against the service on a real broker, as an operator checks an
 * external metrics adapter: discovery, then values under both name forms equal to the pool-stats
 * records produced.
 */
class KubectlRawIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final PoolStats POOL_0 = pool("c1", "default", "pool-0", NOW, 0.625, 7, 4);
    private static final PoolStats POOL_1 = pool("c1", "default", "pool-1", NOW, 0.125, 0.5, 2);

    @TempDir
    static Path dir;
    private static StatsStack stack;
    private static MetricsApiService service;

    @BeforeAll
    static void start() throws Exception {
        stack = new StatsStack();
        stack.send(POOL_0);
        stack.send(POOL_1);
        Map<String, String> settings = stack.settings();
        settings.put(MetricsApiConfig.HOST.key(), "127.0.0.1");
        settings.put(MetricsApiConfig.PORT_PARAMETER.key(), "0");
        settings.put(MetricsApiConfig.AUTH_MODE.key(), "insecure-local");
        HealthChecks health = new HealthChecks();
        service = MetricsApiService.start(MetricsApiConfig.of(settings), new SimpleMeterRegistry(), health);
        await().atMost(Duration.ofSeconds(30)).until(() -> health.ready().stream().allMatch(HealthChecks.Outcome::ok));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        stack.close();
    }

    private static JsonNode kubectl(String path) throws IOException, InterruptedException {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        // Given no credentials for an https server, kubectl asks for a user name on stdin: a placeholder
        // token (insecure-local mode reads no credentials) and an empty stdin keep it from waiting.
        List<String> command = new ArrayList<>(List.of("kubectl", "get", "--raw", path, "--server", service.url().toString(),
                "--insecure-skip-tls-verify", "--kubeconfig", kubeconfig.toString(), "--token", "unused-in-insecure-local-mode"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl did not finish within 30 s: " + String.join(" ", command));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        return JSON.readTree(output);
    }

    @Test
    void shouldServeTheDiscoveryDocumentsToKubectl() throws Exception {
        assertThat(kubectl("/apis").at("/groups/0/name").asText()).isEqualTo("external.metrics.k8s.io");
        assertThat(kubectl("/apis/external.metrics.k8s.io").get("kind").asText()).isEqualTo("APIGroup");
        JsonNode resources = kubectl("/apis/external.metrics.k8s.io/v1beta1");
        assertThat(resources.get("kind").asText()).isEqualTo("APIResourceList");
        assertThat(resources.get("resources").findValuesAsText("name")).contains("inference_pool_average_kv_cache_utilization",
                "inference_pool_total_queue_size");
    }

    @Test
    void shouldServeThePoolStatsProducedUnderTheEppName() throws Exception {
        JsonNode list = kubectl("/apis/external.metrics.k8s.io/v1beta1/namespaces/default/"
                + "inference_pool_average_kv_cache_utilization?labelSelector=name%3Dpool-0");

        assertThat(list.get("kind").asText()).isEqualTo("ExternalMetricValueList");
        assertThat(list.get("items")).hasSize(1);
        assertThat(list.at("/items/0/value").asText()).isEqualTo(Quantities.format(POOL_0.getAverageKvCacheUtilization()))
                .isEqualTo("625m");
        assertThat(list.at("/items/0/timestamp").asText()).isEqualTo(NOW.toString());

        JsonNode total = kubectl("/apis/external.metrics.k8s.io/v1beta1/namespaces/default/"
                + "inference_pool_total_queue_size?labelSelector=name+in+(pool-0,pool-1)");
        assertThat(total.get("items").findValuesAsText("value")).containsExactlyInAnyOrder(
                Quantities.format(POOL_0.getTotalQueueSize()), Quantities.format(POOL_1.getTotalQueueSize()));
    }

    @Test
    void shouldServeThePoolStatsProducedUnderTheSeedsStackdriverName() throws Exception {
        JsonNode list = kubectl("/apis/external.metrics.k8s.io/v1beta1/namespaces/default/"
                + "prometheus.googleapis.com%7Cinference_pool_average_kv_cache_utilization%7Cgauge"
                + "?labelSelector=metric.labels.name%3Dpool-1,resource.labels.cluster%3Dc1,resource.labels.namespace%3Ddefault");

        assertThat(list.get("items")).hasSize(1);
        assertThat(list.at("/items/0/metricName").asText())
                .isEqualTo("prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge");
        assertThat(list.at("/items/0/value").asText()).isEqualTo(Quantities.format(POOL_1.getAverageKvCacheUtilization()))
                .isEqualTo("125m");
    }
}
