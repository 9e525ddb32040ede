package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvoyJsonLogParserTest {

    private static final AccessLogParser PARSER = Samples.parser("envoy-json");
    private static final String ROUTE_RULE = "httproute/llm/llama-route/rule/0";

    @Test
    void shouldParseEnvoyGatewayDefaultJsonLines() {
        // given typed lines of current Envoy Gateway, the first extended with the model header
        List<String> lines = Samples.lines("envoy/gateway-default.jsonl");

        // when
        List<AccessLogEntry> entries = lines.subList(0, 3).stream().map(PARSER::parse).toList();

        // then the route rule is the pool, and names the namespace
        assertThat(entries).containsExactly(
                entry("2025-08-20T23:21:58.905Z", "llama3-8b", 200, 0.845, 412, 1024, "10.244.0.19:8000",
                        "via_upstream", null, "4000a69d-3db6-404c-8892-4f8023e008f0"),
                entry("2025-08-20T23:22:01.004Z", "", 503, 0.030, 388, 91, "10.244.0.21:8000",
                        "upstream_reset_before_response_started{connection_failure}", "UF,URX",
                        "0d2e4b6a-8c1f-4e3d-b5a7-9c0e2f4a6b8d"),
                entry("2025-08-20T23:22:02.513Z", "", 503, 0.0, 0, 19, null, "no_healthy_upstream", "UH",
                        "e52f5442-5bb7-47bb-97e1-652f56bb6ad6"));
    }

    @Test
    void shouldParseOlderEnvoyGatewayLinesWithStringValuesAndDashes() {
        // given everything a string and "-" for unset, as Envoy Gateway wrote before typed values
        String line = Samples.line("envoy/gateway-default.jsonl", 3);

        // when
        AccessLogEntry entry = PARSER.parse(line);

        // then
        assertThat(entry).isEqualTo(entry("2024-08-08T00:21:14.929Z", "", 429, 0.001, 0, 0, null,
                "request_rate_limited", "RL", "04186347-7203-41d0-8b56-965bc32ef60a"));
    }

    private static AccessLogEntry entry(String time, String model, int status, double latency, long received,
                                        long sent, String upstreamHost, String details, String flags,
                                        String requestId) {
        return new AccessLogEntry(Instant.parse(time), Samples.CLUSTER, "llm", ROUTE_RULE, model, "", status, latency,
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(received), OptionalLong.of(sent),
                Optional.ofNullable(upstreamHost), Optional.empty(), Optional.ofNullable(details),
                Optional.ofNullable(flags), Optional.ofNullable(requestId), "envoy-json");
    }

    @Test
    void shouldMapHeadersAndDynamicMetadataKeysFromSettings() {
        // given a format extended with the picked model, token counts and the pool in route metadata
        String line = "{\"start_time\":\"2025-08-20T23:21:58.905Z\",\"response_code\":200,\"duration\":845,"
                + "\"X-Gateway-Model-Name\":\"sql-lora\",\"target_model\":\"llama3-8b\","
                + "\"ai\":{\"input_tokens\":\"312\",\"output_tokens\":64},"
                + "\"route_metadata\":{\"inference.networking.k8s.io/pool\":\"llama-pool\"}}";
        AccessLogParser parser = Samples.parser("envoy-json", Map.of(
                "accesslog.model.from", "header:x-gateway-model-name",
                "accesslog.target-model.from", "target_model",
                "accesslog.input-tokens.from", "ai.input_tokens",
                "accesslog.output-tokens.from", "ai.output_tokens",
                "accesslog.pool.from", "route_metadata.inference.networking.k8s.io/pool",
                "accesslog.namespace.value", "llm"));

        // when
        AccessLogEntry entry = parser.parse(line);

        // then
        assertThat(entry.modelName()).isEqualTo("sql-lora");
        assertThat(entry.targetModelName()).isEqualTo("llama3-8b");
        assertThat(entry.inputTokens()).hasValue(312);
        assertThat(entry.outputTokens()).hasValue(64);
        assertThat(entry.pool()).isEqualTo("llama-pool");
        assertThat(entry.namespace()).isEqualTo("llm");
    }

    @Test
    void shouldRejectRequestWithoutRouteForWantOfPool() {
        // given a 404 that matched no route, so Envoy picked no cluster
        String line = "{\"start_time\":\"2025-08-20T23:21:58.905Z\",\"response_code\":404,\"duration\":0,"
                + "\"response_flags\":\"NR\",\"response_code_details\":\"route_not_found\",\"upstream_cluster\":null}";

        // when / then
        assertThatThrownBy(() -> PARSER.parse(line))
                .isInstanceOf(AccessLogParseException.class)
                .hasMessage("no pool: upstream_cluster is absent");
    }

    @Test
    void shouldReadTheRecordInsideLogShipperRecords() {
        // given the line as Fluent Bit's log string and as Vector's parsed message object
        String line = Samples.line("envoy/gateway-default.jsonl", 0);
        String asString = "{\"stream\":\"stdout\",\"log\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsString(line)) + "\"}";
        String asObject = "{\"message\":" + line + ",\"source_type\":\"kubernetes_logs\"}";

        // when / then
        assertThat(PARSER.parse(asString)).isEqualTo(PARSER.parse(line));
        assertThat(PARSER.parse(asObject)).isEqualTo(PARSER.parse(line));
    }
}
