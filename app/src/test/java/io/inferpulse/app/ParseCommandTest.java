package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferpulse ingest parse}: what a user sees when checking a mapping before going live. */
class ParseCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldPrintTheNormalizedPodSampleOfAMetricsBody(@TempDir Path dir) throws Exception {
        // given a trtllm-serve /metrics body
        Path body = Files.writeString(dir.resolve("metrics.prom"), """
                # TYPE trtllm_kv_cache_utilization gauge
                trtllm_kv_cache_utilization{model_name="llama"} 0.375
                # TYPE trtllm_num_requests_running gauge
                trtllm_num_requests_running{model_name="llama"} 12
                # TYPE trtllm_num_requests_waiting gauge
                trtllm_num_requests_waiting{model_name="llama"} 3
                """);

        // when it is parsed as that engine
        int exit = run("ingest", "parse", "--format", "trtllm", "--pod", "llm/pool-a/pod-0", body.toString());

        // then one JSON record shows the values ingest would publish
        assertThat(exit).isZero();
        JsonNode record = JSON.readTree(out.toString().strip());
        assertThat(record.get("engine").asText()).isEqualTo("trtllm");
        assertThat(record.get("namespace").asText()).isEqualTo("llm");
        assertThat(record.get("pool").asText()).isEqualTo("pool-a");
        assertThat(record.get("pod").asText()).isEqualTo("pod-0");
        assertThat(record.get("kv_cache_usage_ratio").asDouble()).isEqualTo(0.375);
        assertThat(record.get("requests_running").asDouble()).isEqualTo(12.0);
        assertThat(record.get("requests_waiting").asDouble()).isEqualTo(3.0);
    }

    @Test
    void shouldRejectAMalformedMetricsBodyWithTheParserReason(@TempDir Path dir) throws Exception {
        Path body = Files.writeString(dir.resolve("metrics.prom"), "vllm:num_requests_waiting{model_name=\"m\" 3\n");

        int exit = run("ingest", "parse", "--format", "vllm", body.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("rejected: line 1, column");
    }

    @Test
    void shouldPrintGoodAccessLogLinesAndTheReasonForEachBadOne(@TempDir Path dir) throws Exception {
        // given an Envoy Gateway JSON log with one good line, one truncated line and one line of bad UTF-8
        byte[] good = """
                {"start_time":"2025-06-01T12:00:00.123Z","method":"POST","x-envoy-origin-path":"/v1/completions",\
                "protocol":"HTTP/1.1","response_code":200,"response_flags":"-","bytes_received":512,"bytes_sent":2048,\
                "duration":842,"upstream_host":"10.0.0.7:8000","upstream_cluster":"httproute/llm/llama/rule/0",\
                "x-request-id":"req-1"}
                """.getBytes(StandardCharsets.UTF_8);
        Path log = dir.resolve("access.log");
        Files.write(log, good);
        Files.writeString(log, "{\"start_time\": \"2025-06-01T12:00:01Z\", \"resp\n", java.nio.file.StandardOpenOption.APPEND);
        Files.write(log, new byte[] {(byte) 0xff, (byte) 0xfe, '\n'}, java.nio.file.StandardOpenOption.APPEND);

        // when it is parsed with a fixed pool
        int exit = run("ingest", "parse", "--format", "envoy-json", "--set", "accesslog.pool.value=llama", log.toString());

        // then the good line is printed normalized and each bad one is named with its reason
        assertThat(exit).isEqualTo(1);
        JsonNode record = JSON.readTree(out.toString().strip());
        assertThat(record.get("pool").asText()).isEqualTo("llama");
        assertThat(record.get("status").asInt()).isEqualTo(200);
        assertThat(record.get("latency_seconds").asDouble()).isEqualTo(0.842);
        assertThat(record.get("endpoint").asText()).isEqualTo("10.0.0.7:8000");
        assertThat(err.toString()).contains("line 2: rejected: ", "line 3: rejected: invalid UTF-8", "3 lines, 2 rejected");
    }

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
