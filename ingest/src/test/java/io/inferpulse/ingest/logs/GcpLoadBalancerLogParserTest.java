package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class GcpLoadBalancerLogParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AccessLogParser PARSER = Samples.parser("gcp-lb");
    private static final String FAILED_TO_PICK_BACKEND =
            "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"";
    private static final String REGIONAL_BACKEND = "gkegw1-7k2p-llm-vllm-llama3-8b-instruct-8000-b8cf3a1d";

    @Test
    void shouldParseGlobalExternalLoadBalancerEntriesWithStatusDetails() {
        // given the global load balancer's entries: backend_service_name, statusDetails, no proxyStatus
        List<String> lines = Samples.lines("gcp-lb/http_load_balancer.jsonl");

        // when
        AccessLogEntry served = PARSER.parse(lines.get(0));
        AccessLogEntry timedOut = PARSER.parse(lines.get(1));

        // then
        String pool = "gkegw1-2y13-llm-vllm-llama3-8b-instruct-8000-3brn5xrbyy1w";
        assertThat(served).isEqualTo(new AccessLogEntry(Instant.parse("2024-02-20T15:03:00.867759Z"), Samples.CLUSTER,
                "", pool, "", "", 200, 0.006023, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(1012),
                OptionalLong.of(307), Optional.of("10.8.0.14"), Optional.empty(),
                Optional.of("response_sent_by_backend"), Optional.empty(),
                Optional.of("ff592ffa0c72bac07e758a3851fd44f5"), "gcp-lb"));
        assertThat(timedOut).isEqualTo(new AccessLogEntry(Instant.parse("2024-02-20T15:03:02.5Z"), Samples.CLUSTER,
                "", pool, "", "", 502, 30.001234, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(48211),
                OptionalLong.of(348), Optional.of("10.8.0.15"), Optional.empty(), Optional.of("backend_timeout"),
                Optional.empty(), Optional.of("0a1b2c3d4e5f60718293a4b5c6d7e8f9"), "gcp-lb"));
    }

    @Test
    void shouldParseRegionalExternalLoadBalancerEntriesWithProxyStatusOn503() {
        // given
        List<String> lines = Samples.lines("gcp-lb/http_external_regional_lb_rule.jsonl");

        // when
        AccessLogEntry served = PARSER.parse(lines.get(0));
        AccessLogEntry noBackend = PARSER.parse(lines.get(1));

        // then
        assertThat(served).isEqualTo(regionalServed());
        assertThat(noBackend).isEqualTo(regionalNoBackend());
    }

    @Test
    void shouldParseInternalLoadBalancerEntriesWithProxyStatusOn503() {
        // given
        List<String> lines = Samples.lines("gcp-lb/internal_http_lb_rule.jsonl");

        // when
        AccessLogEntry served = PARSER.parse(lines.get(0));
        AccessLogEntry noBackend = PARSER.parse(lines.get(1));

        // then
        assertThat(served).isEqualTo(regionalServed());
        assertThat(noBackend).isEqualTo(regionalNoBackend());
    }

    private static AccessLogEntry regionalServed() {
        return new AccessLogEntry(Instant.parse("2025-03-11T08:15:02.000000001Z"), Samples.CLUSTER, "",
                REGIONAL_BACKEND, "", "", 200, 1.234567891, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.of(2212), OptionalLong.of(5120), Optional.of("10.52.3.17:8000"), Optional.empty(),
                Optional.of("response_sent_by_backend"), Optional.empty(),
                Optional.of("5b2f9e0c7d1a43e8b6c4a2f0e9d8c7b6"), "gcp-lb");
    }

    /** No trace on the load balancer's own answer, so the insertId identifies it. */
    private static AccessLogEntry regionalNoBackend() {
        return new AccessLogEntry(Instant.parse("2025-03-11T08:15:06.62577Z"), Samples.CLUSTER, "",
                REGIONAL_BACKEND, "", "", 503, 0.001115, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.of(201), OptionalLong.of(19), Optional.empty(), Optional.of(FAILED_TO_PICK_BACKEND),
                Optional.of("failed_to_pick_backend"), Optional.empty(), Optional.of("1t7m3mbf14kc7d"), "gcp-lb");
    }

    @Test
    void shouldParseEveryLineOfTheSimulatedGatewayIntoItsLoggedValues() throws Exception {
        // given an overloaded one-pod pool, so that some requests find no backend
        List<String> lines = new ArrayList<>();
        FleetConfig config = FleetConfig.builder()
                .manualTime()
                .clock(Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC))
                .seed(11)
                .cluster("sim-cluster")
                .namespace("llm")
                .poolNames(List.of("llama-pool"))
                .podsPerPool(1)
                .pod(new FleetConfig.Pod(2, 2, 2048, 16, 8192, 4, 10_000, 50, 0.02))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, lines::add)) {
            fleet.setArrivalRate("llama-pool", 20);
            fleet.advance(Duration.ofSeconds(30));
        }

        // when
        List<AccessLogEntry> entries = lines.stream().map(PARSER::parse).toList();

        // then every value the line states is in the entry
        assertThat(entries).hasSize(lines.size()).hasSizeGreaterThan(100);
        assertThat(entries).filteredOn(e -> e.status() == 503).isNotEmpty()
                .allSatisfy(e -> assertThat(e.proxyStatus()).contains(FAILED_TO_PICK_BACKEND));
        assertThat(entries).filteredOn(e -> e.status() == 200).isNotEmpty();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            JsonNode http = line.get("httpRequest");
            JsonNode payload = line.get("jsonPayload");
            AccessLogEntry entry = entries.get(i);
            assertThat(entry.requestTime()).isEqualTo(Instant.parse(line.get("timestamp").asText()));
            assertThat(entry.cluster()).isEqualTo("sim-cluster");
            assertThat(entry.namespace()).isEqualTo("llm");
            assertThat(entry.pool()).isEqualTo("llama-pool");
            assertThat(entry.modelName()).isEqualTo(payload.get("modelName").asText()).isNotEmpty();
            assertThat(entry.targetModelName()).isEqualTo(payload.get("targetModelName").asText());
            assertThat(entry.status()).isEqualTo(http.get("status").asInt());
            assertThat(entry.latencySeconds())
                    .isEqualTo(Double.parseDouble(http.get("latency").asText().replace("s", "")));
            assertThat(entry.inputTokens()).isEqualTo(optionalLong(payload.get("inputTokens")));
            assertThat(entry.outputTokens()).isEqualTo(optionalLong(payload.get("outputTokens")));
            assertThat(entry.requestBytes()).hasValue(http.get("requestSize").asLong());
            assertThat(entry.responseBytes()).hasValue(http.get("responseSize").asLong());
            assertThat(entry.endpoint()).isEqualTo(Optional.ofNullable(http.get("serverIp")).map(JsonNode::asText));
            assertThat(entry.proxyStatus())
                    .isEqualTo(Optional.ofNullable(payload.get("proxyStatus")).map(JsonNode::asText));
            assertThat(entry.statusDetails()).contains(payload.get("statusDetails").asText());
            assertThat(entry.responseFlags()).isEmpty();
            assertThat(entry.requestId()).hasValueSatisfying(id -> assertThat(line.get("trace").asText()).endsWith(id));
            assertThat(entry.sourceFormat()).isEqualTo("gcp-lb");
        }
    }

    private static OptionalLong optionalLong(JsonNode node) {
        return node == null ? OptionalLong.empty() : OptionalLong.of(node.asLong());
    }

    @Test
    void shouldReadStatusZeroWhenProtobufJsonLeavesItOut() throws Exception {
        // given a client that went away before any response
        ObjectNode entry = regionalEntry();
        ((ObjectNode) entry.get("httpRequest")).remove("status");

        // when
        AccessLogEntry parsed = PARSER.parse(entry.toString());

        // then
        assertThat(parsed.status()).isZero();
    }

    @Test
    void shouldFallBackToReceiveTimestampWithoutTimestamp() throws Exception {
        // given
        ObjectNode entry = regionalEntry();
        entry.remove("timestamp");

        // when
        AccessLogEntry parsed = PARSER.parse(entry.toString());

        // then
        assertThat(parsed.requestTime()).isEqualTo(Instant.parse("2025-03-11T08:15:04.123456789Z"));
    }

    @Test
    void shouldAcceptNumbersWhereCloudLoggingWritesInt64Strings() throws Exception {
        // given sizes as numbers and the status as a string, which protobuf's JSON parsers also accept
        ObjectNode entry = regionalEntry();
        ObjectNode http = (ObjectNode) entry.get("httpRequest");
        http.put("requestSize", 2212).put("responseSize", 5120).put("status", "200");

        // when
        AccessLogEntry parsed = PARSER.parse(entry.toString());

        // then
        assertThat(parsed).isEqualTo(regionalServed());
    }

    @Test
    void shouldIgnoreUnknownFields() throws Exception {
        // given
        ObjectNode entry = regionalEntry();
        entry.putObject("somethingNew").put("nested", true).putArray("list").add(1);
        ((ObjectNode) entry.get("httpRequest")).put("cacheLookup", true);
        ((ObjectNode) entry.get("jsonPayload")).putObject("tls").put("protocol", "TLSv1.3");

        // when
        AccessLogEntry parsed = PARSER.parse(entry.toString());

        // then
        assertThat(parsed).isEqualTo(regionalServed());
    }

    @Test
    void shouldUnwrapPubSubPushEnvelope() throws Exception {
        // given a log sink to Pub/Sub, delivered by a push subscription
        String data = Base64.getEncoder().encodeToString(regionalEntry().toString().getBytes(StandardCharsets.UTF_8));
        String envelope = "{\"message\":{\"attributes\":{\"logging.googleapis.com/timestamp\":"
                + "\"2025-03-11T08:15:02.000000001Z\"},\"data\":\"" + data + "\",\"messageId\":\"2070443601311540\","
                + "\"publishTime\":\"2025-03-11T08:15:04.3Z\"},\"subscription\":\"projects/p/subscriptions/lb-logs\"}";

        // when
        AccessLogEntry parsed = PARSER.parse(envelope);

        // then
        assertThat(parsed).isEqualTo(regionalServed());
    }

    @Test
    void shouldUnwrapPubSubMessage() throws Exception {
        // given a pulled message as a shipper forwards it
        String data = Base64.getEncoder().encodeToString(regionalEntry().toString().getBytes(StandardCharsets.UTF_8));

        // when
        AccessLogEntry parsed = PARSER.parse("{\"data\":\"" + data + "\",\"messageId\":\"1\",\"attributes\":{}}");

        // then
        assertThat(parsed).isEqualTo(regionalServed());
    }

    @Test
    void shouldUnwrapLogShipperRecordsHoldingTheEntryAsStringOrObject() throws Exception {
        // given the entry as Vector's message string and as Fluent Bit's log object
        ObjectNode asString = JSON.createObjectNode().put("message", regionalEntry().toString())
                .put("source_type", "file").put("timestamp", "2025-03-11T08:15:05Z");
        ObjectNode asObject = JSON.createObjectNode().put("stream", "stdout");
        asObject.set("log", regionalEntry());

        // when / then
        assertThat(PARSER.parse(asString.toString())).isEqualTo(regionalServed());
        assertThat(PARSER.parse(asObject.toString())).isEqualTo(regionalServed());
    }

    @Test
    void shouldParseLinesWithReplacementCharacters() throws Exception {
        // given what a receiver makes of invalid UTF-8 in a user agent
        ObjectNode entry = regionalEntry();
        ((ObjectNode) entry.get("httpRequest")).put("userAgent", "curl\uFFFD\uFFFD/8");

        // when / then
        assertThat(PARSER.parse(entry.toString())).isEqualTo(regionalServed());
    }

    static ObjectNode regionalEntry() throws Exception {
        return (ObjectNode) JSON.readTree(Samples.line("gcp-lb/http_external_regional_lb_rule.jsonl", 0));
    }
}
