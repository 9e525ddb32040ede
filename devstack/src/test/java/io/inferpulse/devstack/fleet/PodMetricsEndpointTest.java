package io.inferpulse.devstack.fleet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static io.inferpulse.devstack.fleet.FleetFixtures.fixedSizes;
import static io.inferpulse.devstack.fleet.FleetFixtures.manualFleet;
import static io.inferpulse.devstack.fleet.FleetFixtures.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodMetricsEndpointTest {

    private static final String MODEL = "model_name=\"llama3-8b\"";

    private FleetSimulator fleet;
    private SimulatedPodEndpoint endpoint;
    private HttpClient http;

    @BeforeEach
    void startFleet() {
        FleetConfig config = manualFleet()
                .workload(fixedSizes(500, 100))
                .arrivalProfile(ArrivalProfile.constant(5))
                .build();
        fleet = new FleetSimulator(config, line -> { });
        fleet.start();
        endpoint = fleet.endpoints().getFirst();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stopFleet() {
        http.close();
        fleet.close();
    }

    @Test
    void metricsEndpointServesVllmMetricsMatchingThePodState() throws Exception {
        // given a pod that has been busy for a while
        fleet.advance(Duration.ofSeconds(30));
        PodState state = fleet.snapshot(endpoint.pod());

        // when
        HttpResponse<String> response = get(endpoint.metricsUri());

        // then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValue("text/plain; version=0.0.4; charset=utf-8");
        String body = response.body();
        assertThat(body)
                .contains("# HELP vllm:num_requests_running ", "# TYPE vllm:num_requests_running gauge")
                .contains("# TYPE vllm:kv_cache_usage_perc gauge")
                .contains("# TYPE vllm:prompt_tokens_total counter", "# TYPE vllm:generation_tokens_total counter")
                .contains("# TYPE vllm:e2e_request_latency_seconds histogram")
                .contains("vllm:cache_config_info{block_size=\"16\",", "num_gpu_blocks=\"2048\"")
                .doesNotContain("vllm:gpu_cache_usage_perc");
        Map<String, Double> samples = samples(body);
        assertThat(samples)
                .containsEntry("vllm:num_requests_running{" + MODEL + "}", (double) state.running())
                .containsEntry("vllm:num_requests_waiting{" + MODEL + "}", (double) state.waiting())
                .containsEntry("vllm:kv_cache_usage_perc{" + MODEL + "}", state.kvCacheUsage())
                .containsEntry("vllm:request_success_total{finished_reason=\"stop\"," + MODEL + "}",
                        (double) state.completed())
                .containsEntry("vllm:e2e_request_latency_seconds_count{" + MODEL + "}", (double) state.completed())
                .containsEntry("vllm:e2e_request_latency_seconds_bucket{" + MODEL + ",le=\"+Inf\"}",
                        (double) state.completed())
                .containsKey("vllm:e2e_request_latency_seconds_sum{" + MODEL + "}")
                .containsKey("vllm:prompt_tokens_total{" + MODEL + "}");
        assertThat(state.completed()).isPositive();
        assertThat(samples.get("vllm:generation_tokens_total{" + MODEL + "}"))
                .isGreaterThanOrEqualTo(state.completed() * 100.0);
        assertThat(samples.get("vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\","
                + "enable_prefix_caching=\"True\",gpu_memory_utilization=\"0.9\",num_cpu_blocks=\"None\","
                + "num_gpu_blocks=\"2048\"}")).isEqualTo(1.0);
        assertThat(samples).hasEntrySatisfying(
                "vllm:lora_requests_info{max_lora=\"4\",running_lora_adapters=\"\",waiting_lora_adapters=\"\"}",
                timestamp -> assertThat(timestamp).isEqualTo(FleetFixtures.START.getEpochSecond() + 30.0));
    }

    @Test
    void pinnedGaugesAreReportedExactlyUntilUnpinned() throws Exception {
        // given
        fleet.advance(Duration.ofSeconds(5));

        // when
        fleet.pinMetrics(endpoint.pod(), 0.875, 17, 42);

        // then
        assertThat(samples(get(endpoint.metricsUri()).body()))
                .containsEntry("vllm:kv_cache_usage_perc{" + MODEL + "}", 0.875)
                .containsEntry("vllm:num_requests_waiting{" + MODEL + "}", 17.0)
                .containsEntry("vllm:num_requests_running{" + MODEL + "}", 42.0);

        // when
        fleet.unpin(endpoint.pod());

        // then
        PodState state = fleet.snapshot(endpoint.pod());
        assertThat(samples(get(endpoint.metricsUri()).body()))
                .containsEntry("vllm:kv_cache_usage_perc{" + MODEL + "}", state.kvCacheUsage())
                .containsEntry("vllm:num_requests_running{" + MODEL + "}", (double) state.running());
    }

    @Test
    void aStoppedPodRefusesConnectionsAndComesBackOnTheSamePort() throws Exception {
        // given
        assertThat(get(endpoint.metricsUri()).statusCode()).isEqualTo(200);

        // when
        fleet.stop(endpoint.pod());

        // then
        assertThatThrownBy(() -> connect(endpoint.metricsUri())).isInstanceOf(ConnectException.class);

        // when
        fleet.start(endpoint.pod());

        // then
        assertThat(fleet.endpoints().getFirst().metricsUri()).isEqualTo(endpoint.metricsUri());
        assertThat(get(endpoint.metricsUri()).statusCode()).isEqualTo(200);
    }

    @Test
    void serveRawReturnsTheBodyVerbatimUntilServeNormal() throws Exception {
        // given
        String malformed = "vllm:num_requests_running{model_name=\"llama3-8b\" 3\nnot a metric at all\n";

        // when
        fleet.serveRaw(endpoint.pod(), malformed);

        // then
        assertThat(get(endpoint.metricsUri()).body()).isEqualTo(malformed);

        // when
        fleet.serveNormal(endpoint.pod());

        // then
        assertThat(get(endpoint.metricsUri()).body()).startsWith("# HELP vllm:");
    }

    @Test
    void otherPathsAreNotFoundAndOtherMethodsNotAllowed() throws Exception {
        // when
        HttpResponse<String> otherPath = get(endpoint.metricsUri().resolve("/healthz"));
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(endpoint.metricsUri())
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        // then
        assertThat(otherPath.statusCode()).isEqualTo(404);
        assertThat(post.statusCode()).isEqualTo(405);
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void connect(URI uri) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
        }
    }
}
