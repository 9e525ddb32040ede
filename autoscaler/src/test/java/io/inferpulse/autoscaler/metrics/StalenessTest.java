package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A value older than staleness.max-age is not served as current: an error HPA logs, or the configured fallback. */
class StalenessTest {
    private static final String KV = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/"
            + "inference_pool_average_kv_cache_utilization?labelSelector=name%3Dpool-0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    private final SettableClock clock = new SettableClock(T0);
    private final FixedStats stats = new FixedStats();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private MetricsApiServer server;

    private void start(Staleness staleness) {
        stats.pools.add(pool("c1", "default", "pool-0", T0, 0.5, 3, 2));
        MetricsApiMetrics metrics = new MetricsApiMetrics(meters);
        metrics.watchNewest(stats, clock);
        server = MetricsApiServer.start("127.0.0.1", 0, Optional.empty(), false, new MetricsApi(
                new MetricsQuery(stats, staleness, clock, metrics), new HealthChecks(), AccessControl.insecureLocal()), metrics);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeAValueUpToTheMaximumAgeThenAnswerAnErrorNamingMetricPoolAndAge() throws Exception {
        // given
        start(Staleness.error(Duration.ofSeconds(30)));

        // when: 30 s old, the limit itself
        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> current = get(KV);

        // then
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(current.body()).at("/items/0/value").asText()).isEqualTo("500m");
        assertThat(meters.get("inferpulse_metrics_api_value_age").tag("metric", "inference_pool_average_kv_cache_utilization")
                .summary().max()).isEqualTo(30.0);

        // when: older than the limit
        clock.advance(Duration.ofSeconds(65));
        HttpResponse<String> stale = get(KV);

        // then
        assertThat(stale.statusCode()).isEqualTo(503);
        JsonNode status = JSON.readTree(stale.body());
        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("reason").asText()).isEqualTo("ServiceUnavailable");
        assertThat(status.get("message").asText())
                .contains("inference_pool_average_kv_cache_utilization", "pool c1/default/pool-0", "computed 95s ago",
                        "more than the 30s allowed");
        assertThat(meters.get("inferpulse_metrics_api_stale_values").tag("outcome", "error").counter().count()).isEqualTo(1);
        assertThat(meters.get("inferpulse_metrics_api_newest_pool_stats_age").gauge().value()).isEqualTo(95.0);
    }

    @Test
    void shouldServeTheConfiguredFallbackInsteadOfAStaleValue() throws Exception {
        // given
        start(Staleness.fallback(Duration.ofSeconds(30), 0));

        // when
        clock.advance(Duration.ofMinutes(5));
        HttpResponse<String> response = get(KV);

        // then: the fallback, with the old value's own timestamp so its age stays visible
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode item = JSON.readTree(response.body()).at("/items/0");
        assertThat(item.get("value").asText()).isEqualTo("0");
        assertThat(item.get("timestamp").asText()).isEqualTo(T0.toString());
        assertThat(meters.get("inferpulse_metrics_api_stale_values").tag("outcome", "fallback").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldTimeEachRequestByRouteAndCode() throws Exception {
        start(Staleness.error(Duration.ofSeconds(30)));

        get(KV);
        get("/openapi/v2");

        // Recorded once the answer is written, which the client may see first.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(meters.find("inferpulse_metrics_api_request_duration").tag("route", "metric").tag("code", "200").timer())
                    .isNotNull().extracting(t -> t.count()).isEqualTo(1L);
            assertThat(meters.find("inferpulse_metrics_api_request_duration").tag("route", "openapi").tag("code", "404").timer())
                    .isNotNull().extracting(t -> t.count()).isEqualTo(1L);
        });
    }
}
