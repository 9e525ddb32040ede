package io.inferpulse.ingest.logs;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class EnvoyTextLogParserTest {

    private static final AccessLogParser PARSER = Samples.parser("envoy");
    private static final String AUTHORITY = "vllm-llama3-8b-instruct.llm.svc:8000";

    @Test
    void shouldParseDefaultFormatLines() {
        // given
        List<String> lines = Samples.lines("envoy/default-format.log");

        // when
        List<AccessLogEntry> entries = lines.stream().map(PARSER::parse).toList();

        // then the format names no pool, so by default it is the authority
        assertThat(entries).containsExactly(
                entry("2024-05-01T12:00:00.123Z", 200, 0.845, 412, 1024, "10.4.1.17:8000", null,
                        "6b3c5f0e-7a1d-4c8e-9a0b-2f4e6d8c1a35"),
                entry("2024-05-01T12:00:01.004Z", 503, 0.030, 388, 91, "10.4.1.18:8000", "UF,URX",
                        "0d2e4b6a-8c1f-4e3d-b5a7-9c0e2f4a6b8d"),
                entry("2024-05-01T12:00:02.500Z", 404, 0.0, 0, 0, null, "NR", null),
                entry("2024-05-01T12:00:03.250Z", 0, 1.2, 412, 0, "10.4.1.17:8000", "DC",
                        "9f69865b-eed1-409b-8c12-12436234a191"));
    }

    private static AccessLogEntry entry(String time, int status, double latency, long received, long sent,
                                        String upstreamHost, String flags, String requestId) {
        return new AccessLogEntry(Instant.parse(time), Samples.CLUSTER, "", AUTHORITY, "", "", status, latency,
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(received), OptionalLong.of(sent),
                Optional.ofNullable(upstreamHost), Optional.empty(), Optional.empty(), Optional.ofNullable(flags),
                Optional.ofNullable(requestId), "envoy");
    }

    @Test
    void shouldTakeUserAgentWithQuotesAsWhatLiesBetweenItsNeighbours() {
        // given a user agent and a path with unescaped quotes, as Envoy writes them
        String line = Samples.line("envoy/default-format.log", 3);
        AccessLogParser byUserAgent = Samples.parser("envoy", Map.of(
                "accesslog.model.from", "header:User-Agent",
                "accesslog.target-model.from", "x-envoy-origin-path",
                "accesslog.namespace.from", "x-forwarded-for"));

        // when
        AccessLogEntry entry = byUserAgent.parse(line);

        // then
        assertThat(entry.modelName()).isEqualTo("Mozilla/5.0 \"quoted\" agent");
        assertThat(entry.targetModelName()).isEqualTo("/v1/completions?tag=\"a b\"");
        assertThat(entry.namespace()).isEqualTo("10.0.0.7, 10.1.0.2");
    }

    @Test
    void shouldMapAuthorityToPoolAndNamespaceWithRegex() {
        // given a Service-style authority <pool>.<namespace>.svc:<port>
        String regex = "^(?<pool>[^.]+)\\.(?<namespace>[^.]+)\\.svc";
        AccessLogParser parser = Samples.parser("envoy", Map.of(
                "accesslog.pool.from", ":authority", "accesslog.pool.regex", regex,
                "accesslog.namespace.from", "header:host", "accesslog.namespace.regex", regex,
                "accesslog.cluster.value", "gke-us-central1"));

        // when
        AccessLogEntry entry = parser.parse(Samples.line("envoy/default-format.log", 0));

        // then
        assertThat(entry.pool()).isEqualTo("vllm-llama3-8b-instruct");
        assertThat(entry.namespace()).isEqualTo("llm");
        assertThat(entry.cluster()).isEqualTo("gke-us-central1");
    }

    @Test
    void shouldUseFixedPoolWhenConfigured() {
        // given
        AccessLogParser parser = Samples.parser("envoy", Map.of(
                "accesslog.pool.value", "llama-pool", "accesslog.namespace.value", "llm"));

        // when
        AccessLogEntry entry = parser.parse(Samples.line("envoy/default-format.log", 2));

        // then
        assertThat(entry.pool()).isEqualTo("llama-pool");
        assertThat(entry.namespace()).isEqualTo("llm");
    }

    @Test
    void shouldReadTheLineInsideLogShipperRecords() {
        // given Fluent Bit's record of a collected line, newline included
        String line = Samples.line("envoy/default-format.log", 1);
        String shipped = "{\"date\":1714564801.004,\"log\":\"" + line.replace("\"", "\\\"") + "\\n\",\"stream\":\"stdout\"}";

        // when / then
        assertThat(PARSER.parse(shipped)).isEqualTo(PARSER.parse(line));
    }

    @Test
    void shouldIgnoreTrailingNewlineAndCarriageReturn() {
        // given
        String line = Samples.line("envoy/default-format.log", 0);

        // when / then
        assertThat(PARSER.parse(line + "\r\n")).isEqualTo(PARSER.parse(line));
    }
}
