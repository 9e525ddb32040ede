package io.inferpulse.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicReference<Optional<String>> kafkaProblem = new AtomicReference<>(Optional.of("no broker reachable"));
    private PrometheusMeterRegistry registry;
    private HealthChecks health;
    private OpsServer server;

    @BeforeEach
    void start() {
        registry = MeterRegistries.prometheus();
        Counter.builder("inferpulse.test.records").description("Records seen by the test").register(registry).increment(3);
        health = new HealthChecks()
                .addLiveness("event-loop", Optional::empty)
                .addReadiness("kafka", kafkaProblem::get)
                .addReadiness("schema-registry", Optional::empty);
        server = OpsServer.start("ops-test", "127.0.0.1", 0, registry, health);
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
        http.close();
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.url().resolve(pathAndQuery)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldListenOnAFreePortOfTheGivenHost() {
        assertThat(server.port()).isPositive();
        assertThat(server.url()).hasToString("http://127.0.0.1:" + server.port());
    }

    @Test
    void shouldServePrometheusTextWithOurCounterAndJvmMetrics() throws Exception {
        // when
        HttpResponse<String> response = get("/metrics");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(response.body())
                .contains("# TYPE inferpulse_test_records_total counter")
                .contains("inferpulse_test_records_total 3.0")
                .contains("jvm_memory_used_bytes")
                .contains("jvm_threads_live_threads")
                .doesNotContain("# EOF");
    }

    @Test
    void shouldServeOpenMetricsWhenAskedFor() throws Exception {
        // when
        HttpResponse<String> response = get("/metrics",
                "Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;version=0.0.4;q=0.5");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
        assertThat(response.body())
                .contains("# TYPE inferpulse_test_records counter")
                .contains("inferpulse_test_records_total 3.0")
                .endsWith("# EOF\n");
    }

    @Test
    void shouldAnswerHealthzOk() throws Exception {
        // when
        HttpResponse<String> healthz = get("/healthz");
        HttpResponse<String> livez = get("/livez");

        // then
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(healthz.body()).isEqualTo("ok\n");
        assertThat(livez.statusCode()).isEqualTo(200);
        assertThat(livez.body()).isEqualTo("ok\n");
    }

    @Test
    void shouldListEachCheckWhenVerbose() throws Exception {
        // when
        HttpResponse<String> response = get("/healthz?verbose");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[+]event-loop ok\ncheck passed\n");
    }

    @Test
    void shouldPassVerboseWithoutChecksWithoutABlankLine() throws Exception {
        // given a service with no checks at all
        server.close();
        server = OpsServer.start("ops-test", "127.0.0.1", 0, registry, new HealthChecks());

        // when
        HttpResponse<String> response = get("/readyz?verbose");

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("check passed\n");
    }

    @Test
    void shouldAnswerReadyz503ListingTheFailingCheckUntilItPasses() throws Exception {
        // when a readiness check fails
        HttpResponse<String> failing = get("/readyz");

        // then
        assertThat(failing.statusCode()).isEqualTo(503);
        assertThat(failing.body()).isEqualTo("[-]kafka failed: no broker reachable\n[+]schema-registry ok\ncheck failed\n");

        // when it passes
        kafkaProblem.set(Optional.empty());
        HttpResponse<String> passing = get("/readyz");
        HttpResponse<String> passingVerbose = get("/readyz?verbose");

        // then
        assertThat(passing.statusCode()).isEqualTo(200);
        assertThat(passing.body()).isEqualTo("ok\n");
        assertThat(passingVerbose.body()).isEqualTo("[+]kafka ok\n[+]schema-registry ok\ncheck passed\n");
    }

    @Test
    void shouldNotLetAFailingReadinessCheckAffectLiveness() throws Exception {
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldReportACheckThatThrowsAsFailed() throws Exception {
        // given
        health.addLiveness("disk", () -> {
            throw new IllegalStateException("disk gone");
        });

        // when
        HttpResponse<String> response = get("/healthz");

        // then
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("[+]event-loop ok\n")
                .contains("[-]disk failed: check threw java.lang.IllegalStateException: disk gone\n")
                .endsWith("check failed\n");
    }

    @Test
    void shouldAnswer404ForAnUnknownPath() throws Exception {
        // when
        HttpResponse<String> response = get("/nope");

        // then
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("/metrics", "/healthz", "/readyz");
        assertThat(get("/").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswer404ForPathsThatOnlyStartLikeAnEndpoint() throws Exception {
        for (String path : new String[] {"/metricsx", "/metrics/extra", "/healthzz", "/healthz/ping", "/readyz/kafka",
                "/livez2"}) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void shouldFreeThePortOnClose() throws Exception {
        // given
        int port = server.port();

        // when
        server.close();

        // then
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
        // and a new ops server can take it over
        server = OpsServer.start("ops-test", "127.0.0.1", port, registry, health);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldSayWhichAddressItCouldNotListenOn() throws Exception {
        // given the port is taken
        int taken = server.port();

        // then
        assertThatThrownBy(() -> OpsServer.start("other", "127.0.0.1", taken, registry, health))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("127.0.0.1:" + taken)
                .hasMessageContaining("other");
    }
}
