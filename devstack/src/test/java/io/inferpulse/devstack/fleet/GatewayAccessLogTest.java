package io.inferpulse.devstack.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.inferpulse.devstack.fleet.FleetFixtures.START;
import static io.inferpulse.devstack.fleet.FleetFixtures.completed;
import static io.inferpulse.devstack.fleet.FleetFixtures.manualFleet;
import static org.assertj.core.api.Assertions.assertThat;

class GatewayAccessLogTest {

    private static final List<String> RESOURCE_LABELS = List.of("backend_target_name", "forwarding_rule_name",
            "network_name", "project_id", "region", "url_map_name", "backend_name", "backend_type", "backend_scope",
            "backend_scope_type", "matched_url_path_rule", "target_proxy_name");

    @Test
    void everyCompletedRequestEmitsExactlyOneAccessLogLine() {
        // given
        List<String> lines = new ArrayList<>();
        FleetConfig config = manualFleet()
                .podsPerPool(2)
                .arrivalProfile(ArrivalProfile.constant(10))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, lines::add)) {

            // when load runs for a while and then drains
            fleet.advance(Duration.ofSeconds(10));
            fleet.setArrivalRate("pool-0", 0);
            fleet.advance(Duration.ofSeconds(120));

            // then
            fleet.endpoints().forEach(endpoint -> assertThat(fleet.snapshot(endpoint.pod()))
                    .extracting(PodState::running, PodState::waiting).containsExactly(0, 0));
            assertThat(lines).hasSizeGreaterThan(50).hasSize((int) completed(fleet));
            assertThat(AccessLogLine.parseAll(lines)).allSatisfy(line -> assertThat(line.status()).isEqualTo(200));
        }
    }

    @Test
    void accessLogLinesAreGoogleCloudLoadBalancerLogEntries() {
        // given a pool whose requests partly name LoRA adapters
        List<String> lines = new ArrayList<>();
        FleetConfig config = manualFleet()
                .cluster("dev-cluster")
                .namespace("inference")
                .poolNames(List.of("llama-pool"))
                .podsPerPool(2)
                .workload(new FleetConfig.Workload(500, 0.6, 100, 0.5, List.of("sql-lora", "tweet-summary"), 0.5))
                .arrivalProfile(ArrivalProfile.constant(10))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, lines::add)) {
            Set<String> podAddresses = fleet.endpoints().stream()
                    .map(SimulatedPodEndpoint::address).collect(Collectors.toSet());

            // when
            fleet.advance(Duration.ofSeconds(20));

            // then
            List<AccessLogLine> entries = AccessLogLine.parseAll(lines);
            assertThat(entries).hasSizeGreaterThan(50).allSatisfy(entry -> {
                assertThat(entry.text("insertId")).matches("[a-z0-9]{14}");
                assertThat(entry.text("severity")).isEqualTo("INFO");
                assertThat(entry.text("logName")).isEqualTo("projects/inferpulse-dev/logs/"
                        + "loadbalancing.googleapis.com%2Fexternal_regional_lb_rule_requests");
                assertThat(entry.text("trace")).matches("projects/inferpulse-dev/traces/[0-9a-f]{32}");
                assertThat(entry.text("labels", "cluster_name")).isEqualTo("dev-cluster");
                assertThat(entry.text("labels", "namespace_name")).isEqualTo("inference");

                assertThat(entry.text("jsonPayload", "@type"))
                        .isEqualTo("type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry");
                assertThat(entry.text("jsonPayload", "backendTargetProjectNumber"))
                        .isEqualTo("projects/123456789012");
                assertThat(entry.text("jsonPayload", "statusDetails")).isEqualTo("response_sent_by_backend");
                assertThat(entry.text("jsonPayload", "modelName")).isIn("llama3-8b", "sql-lora", "tweet-summary");
                assertThat(entry.text("jsonPayload", "targetModelName"))
                        .isEqualTo(entry.text("jsonPayload", "modelName"));
                assertThat(entry.node().path("jsonPayload").path("inputTokens").isInt()).isTrue();
                assertThat(entry.node().path("jsonPayload").path("outputTokens").asInt()).isPositive();

                JsonNode http = entry.node().path("httpRequest");
                assertThat(http.path("requestMethod").asText()).isEqualTo("POST");
                assertThat(http.path("requestUrl").asText()).isEqualTo("http://llm.example.com/v1/completions");
                assertThat(http.path("requestSize").isTextual()).isTrue();
                assertThat(http.path("requestSize").asText()).matches("\\d+");
                assertThat(http.path("responseSize").isTextual()).isTrue();
                assertThat(http.path("responseSize").asText()).matches("\\d+");
                assertThat(http.path("status").isInt()).isTrue();
                assertThat(http.path("userAgent").asText()).isNotBlank();
                assertThat(http.path("remoteIp").asText()).startsWith("203.0.113.");
                assertThat(http.path("serverIp").asText()).isIn(podAddresses);
                assertThat(http.path("latency").asText()).matches("\\d+\\.\\d{6}s");
                assertThat(http.path("protocol").asText()).isEqualTo("HTTP/1.1");

                assertThat(entry.text("resource", "type")).isEqualTo("http_external_regional_lb_rule");
                RESOURCE_LABELS.forEach(label ->
                        assertThat(entry.node().path("resource").path("labels").has(label)).as(label).isTrue());
                assertThat(entry.text("resource", "labels", "backend_target_name")).isEqualTo("llama-pool");
                assertThat(entry.text("resource", "labels", "project_id")).isEqualTo("inferpulse-dev");
                assertThat(entry.text("resource", "labels", "region")).isEqualTo("us-central1");

                String rfc3339Nanos = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{9}Z";
                assertThat(entry.text("timestamp")).matches(rfc3339Nanos);
                assertThat(entry.text("receiveTimestamp")).matches(rfc3339Nanos);
                Instant received = Instant.parse(entry.text("timestamp"));
                double latencySeconds = Double.parseDouble(http.path("latency").asText().replace("s", ""));
                assertThat(received).isBetween(START, START.plusSeconds(20));
                assertThat(latencySeconds).isPositive();
                assertThat(Instant.parse(entry.text("receiveTimestamp")))
                        .isAfter(received.plusNanos((long) (latencySeconds * 1e9) - 1_000));
            });
            assertThat(entries).extracting(entry -> entry.text("jsonPayload", "modelName"))
                    .contains("llama3-8b", "sql-lora", "tweet-summary");
            assertThat(entries).extracting(entry -> entry.text("insertId")).doesNotHaveDuplicates();
        }
    }
}
