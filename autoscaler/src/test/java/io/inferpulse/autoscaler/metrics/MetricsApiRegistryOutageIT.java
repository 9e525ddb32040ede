package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The external metrics API started during a schema registry outage, on a real broker and the dev
 * registry, seen as the kube-aggregator sees it over HTTPS: the pool-stats view pauses on the record
 * it cannot decode instead of skipping it, /readyz answers 503 naming the registry, and the value is
 * served once the registry is back, without being written again.
 */
class MetricsApiRegistryOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KV_CACHE = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/"
            + "inference_pool_average_kv_cache_utilization?labelSelector=name%3Dpool-0";

    private StatsStack stack;

    @BeforeEach
    void start() {
        stack = new StatsStack();
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void shouldPauseOnPoolStatsWhileTheRegistryIsAwayAndServeThemWhenItReturns() throws Exception {
        // given pool stats on the topic, their schema registered, and then the registry gone
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        stack.send(pool("c1", "default", "pool-0", now, 0.625, 7, 4));
        stack.stopRegistry();

        // when a metrics API that has never seen the schema starts
        Map<String, String> settings = stack.settings();
        settings.put(MetricsApiConfig.HOST.key(), "127.0.0.1");
        settings.put(MetricsApiConfig.PORT_PARAMETER.key(), "0");
        settings.put(MetricsApiConfig.AUTH_MODE.key(), "insecure-local");
        // The value must not age into staleness while the test keeps the registry away.
        settings.put(MetricsApiConfig.STALENESS_MAX_AGE.key(), "10m");
        try (MetricsApiService service = MetricsApiService.start(MetricsApiConfig.of(settings), new SimpleMeterRegistry(),
                new HealthChecks())) {
            HttpClient http = HttpClient.newBuilder().sslContext(trusting(service)).build();

            // then /readyz answers 503 naming the registry
            await().atMost(Duration.ofSeconds(30)).until(() -> get(http, service, "/readyz").body()
                    .contains("[-]schema-registry failed: schema registry unreachable since"));
            HttpResponse<String> readyz = get(http, service, "/readyz");
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(readyz.body()).contains("[+]kafka ok");
            // and it stays paused on that record, serving no value yet: a view that skipped it would call itself loaded
            String paused = "[-]stats-tables failed: still reading " + Topics.POOL_STATS + " from the beginning";
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() ->
                    get(http, service, "/readyz").body().contains(paused)
                            && JSON.readTree(get(http, service, KV_CACHE).body()).path("items").isEmpty());

            // when the registry is back at the same address
            stack.startRegistry();

            // then the record it paused on is read, not skipped: its value is served, and every readiness check passes
            await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(get(http, service, KV_CACHE).body())
                    .path("items").size() == 1);
            JsonNode value = JSON.readTree(get(http, service, KV_CACHE).body()).path("items").get(0);
            assertThat(value.path("value").asText()).isEqualTo("625m");
            assertThat(value.path("timestamp").asText()).isEqualTo(now.toString());
            await().atMost(Duration.ofSeconds(10)).until(() -> get(http, service, "/readyz?verbose").statusCode() == 200);
        }
    }

    private static HttpResponse<String> get(HttpClient http, MetricsApiService service, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(service.url().resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext trusting(MetricsApiService service) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("serving", service.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
