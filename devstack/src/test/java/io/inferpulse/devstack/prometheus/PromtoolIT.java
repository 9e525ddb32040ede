package io.inferpulse.devstack.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.devstack.prometheus.EppRequestSeries.Request;
import io.inferpulse.devstack.prometheus.RuleTestFile.AlertRuleTest;
import io.inferpulse.devstack.prometheus.RuleTestFile.ExpectedAlert;
import io.inferpulse.devstack.prometheus.RuleTestFile.ExpectedSample;
import io.inferpulse.devstack.prometheus.RuleTestFile.InputSeries;
import io.inferpulse.devstack.prometheus.RuleTestFile.PromqlExprTest;
import io.inferpulse.devstack.prometheus.RuleTestFile.TestGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness against the real promtool: expectations that hold pass, and ones that do not fail,
 * so a green promtool test means something.
 */
class PromtoolIT {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration SCRAPE = Duration.ofSeconds(15);
    private static final String RULES = """
            groups:
              - name: pool
                rules:
                  - alert: PoolQueueHigh
                    expr: inference_pool_average_queue_size > 50
                    for: 1m
                    labels:
                      severity: warning
                    annotations:
                      summary: "queue of {{ $labels.name }} is {{ $value }}"
            """;
    // the queue is 10 until 2m, 60 from 2m: pending from the 2m evaluation, firing from 3m
    private static final InputSeries QUEUE = GaugeTimeline.of("inference_pool_average_queue_size", Map.of("name", "llm"))
            .set(T0, 10).set(T0.plus(Duration.ofMinutes(2)), 60)
            .scrape(new ScrapeSchedule(T0, SCRAPE, 41));
    private static final Map<String, String> ALERT_LABELS = Map.of("name", "llm", "severity", "warning");
    private static final Map<String, String> ALERT_ANNOTATIONS = Map.of("summary", "queue of llm is 60");

    @TempDir
    Path dir;

    private final Promtool promtool = Promtool.locate();

    @BeforeEach
    void writeRules() throws IOException {
        Files.writeString(dir.resolve("rules.yaml"), RULES);
    }

    @Test
    void shouldPassWhenTheAlertFiresWhenExpected() throws IOException {
        Promtool.Result result = promtool.testRules(dir, alertTest(
                new AlertRuleTest(Duration.ofSeconds(150), "PoolQueueHigh", List.of()),
                new AlertRuleTest(Duration.ofMinutes(3), "PoolQueueHigh", List.of(new ExpectedAlert(ALERT_LABELS, ALERT_ANNOTATIONS)))));

        assertThat(result.passed()).as(result.output()).isTrue();
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void shouldFailWhenTheAlertIsExpectedToFireBeforeItsForDuration() throws IOException {
        Promtool.Result result = promtool.testRules(dir, alertTest(new AlertRuleTest(Duration.ofSeconds(150),
                "PoolQueueHigh", List.of(new ExpectedAlert(ALERT_LABELS, ALERT_ANNOTATIONS)))));

        assertThat(result.passed()).isFalse();
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("FAILED").contains("alertname: PoolQueueHigh, time: 2m30s");
    }

    @Test
    void shouldFailWhenTheAlertHasOtherLabels() throws IOException {
        Promtool.Result result = promtool.testRules(dir, alertTest(new AlertRuleTest(Duration.ofMinutes(4),
                "PoolQueueHigh", List.of(new ExpectedAlert(Map.of("name", "llm", "severity", "critical"), ALERT_ANNOTATIONS)))));

        assertThat(result.passed()).isFalse();
        assertThat(result.output()).contains("alertname: PoolQueueHigh, time: 4m").contains("severity=\"critical\"");
    }

    @Test
    void shouldExposePendingAlertsAsAlertsSeries() throws IOException {
        // given the queue over the threshold since 2m: pending at 2m30s, firing at 3m
        PromqlExprTest pending = new PromqlExprTest("ALERTS{alertstate=\"pending\"}", Duration.ofSeconds(150), List.of(
                ExpectedSample.of("ALERTS", Map.of("alertname", "PoolQueueHigh", "alertstate", "pending",
                        "name", "llm", "severity", "warning"), 1)));
        PromqlExprTest noLongerPending = new PromqlExprTest("ALERTS{alertstate=\"pending\"}", Duration.ofMinutes(3), List.of());
        PromqlExprTest firing = new PromqlExprTest("ALERTS{alertstate=\"firing\"}", Duration.ofMinutes(3), List.of(
                ExpectedSample.of("ALERTS", Map.of("alertname", "PoolQueueHigh", "alertstate", "firing",
                        "name", "llm", "severity", "warning"), 1)));

        Promtool.Result result = promtool.testRules(dir, new RuleTestFile(List.of("rules.yaml"), SCRAPE,
                List.of(new TestGroup(SCRAPE, List.of(QUEUE), List.of(), List.of(pending, noLongerPending, firing)))));

        assertThat(result.passed()).as(result.output()).isTrue();
    }

    @Test
    void shouldFailWhenThePendingAlertIsExpectedTooLate() throws IOException {
        PromqlExprTest pending = new PromqlExprTest("ALERTS{alertstate=\"pending\"}", Duration.ofMinutes(3), List.of(
                ExpectedSample.of("ALERTS", Map.of("alertname", "PoolQueueHigh", "alertstate", "pending",
                        "name", "llm", "severity", "warning"), 1)));

        Promtool.Result result = promtool.testRules(dir, new RuleTestFile(List.of("rules.yaml"), SCRAPE,
                List.of(new TestGroup(SCRAPE, List.of(QUEUE), List.of(), List.of(pending)))));

        assertThat(result.passed()).isFalse();
        assertThat(result.output()).contains("expr: \"ALERTS{alertstate=\\\"pending\\\"}\", time: 3m");
    }

    @Test
    void shouldReadTheEppSeriesAsCountedRequests() throws IOException {
        // given three requests to llama (one an error) and one to qwen, scraped every 15s
        List<Request> requests = List.of(
                new Request(T0.plusSeconds(1), "llama", "llama-lora", 200, 0.3, false),
                new Request(T0.plusSeconds(5), "llama", "llama-lora", 200, 12.0, false),
                new Request(T0.plusSeconds(20), "llama", "llama-lora", 503, 0.004, true),
                new Request(T0.plusSeconds(40), "qwen", "qwen", 200, 2.5, false));
        List<InputSeries> series = EppRequestSeries.scrape(requests, new ScrapeSchedule(T0, SCRAPE, 5));
        Map<String, String> llama = Map.of("model_name", "llama", "target_model_name", "llama-lora");

        // when promtool reads them at 30s (the first three completed) and at 60s (all four)
        List<PromqlExprTest> checks = List.of(
                new PromqlExprTest("inference_model_request_total", Duration.ofSeconds(30), List.of(
                        ExpectedSample.of(EppRequestSeries.REQUEST_TOTAL, llama, 3))),
                new PromqlExprTest("sum(inference_model_request_total)", Duration.ofSeconds(60), List.of(
                        new ExpectedSample("{}", 4))),
                new PromqlExprTest("inference_model_request_error_total", Duration.ofSeconds(60), List.of(
                        ExpectedSample.of(EppRequestSeries.REQUEST_ERROR_TOTAL, Map.of("model_name", "llama",
                                "target_model_name", "llama-lora", "error_code", "503"), 1))),
                new PromqlExprTest("inference_model_request_duration_seconds_bucket{model_name=\"llama\",le=~\"0.005|0.4|10|15\"}",
                        Duration.ofSeconds(30), List.of(
                                ExpectedSample.of(EppRequestSeries.DURATION + "_bucket", withLe(llama, "0.005"), 1),
                                ExpectedSample.of(EppRequestSeries.DURATION + "_bucket", withLe(llama, "0.4"), 2),
                                ExpectedSample.of(EppRequestSeries.DURATION + "_bucket", withLe(llama, "10"), 2),
                                ExpectedSample.of(EppRequestSeries.DURATION + "_bucket", withLe(llama, "15"), 3))),
                new PromqlExprTest("inference_model_request_duration_seconds_sum{model_name=\"llama\"}", Duration.ofSeconds(30),
                        List.of(ExpectedSample.of(EppRequestSeries.DURATION + "_sum", llama, 12.304))));
        Promtool.Result result = promtool.testRules(dir, new RuleTestFile(List.of("rules.yaml"), SCRAPE,
                List.of(new TestGroup(SCRAPE, series, List.of(), checks))));

        // then it counts what had completed by each instant
        assertThat(result.passed()).as(result.output()).isTrue();
    }

    @Test
    void shouldCheckWhetherPrometheusWouldLoadARuleFile() throws IOException {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, RULES.replace("for: 1m", "for: soon"));

        Promtool.Result good = promtool.checkRules(dir.resolve("rules.yaml"));
        Promtool.Result bad = promtool.checkRules(broken);

        assertThat(good.passed()).as(good.output()).isTrue();
        assertThat(good.output()).contains("SUCCESS: 1 rules found");
        assertThat(bad.passed()).isFalse();
        assertThat(bad.output()).contains("broken.yaml").contains("soon");
    }

    private static Map<String, String> withLe(Map<String, String> labels, String le) {
        Map<String, String> copy = new HashMap<>(labels);
        copy.put("le", le);
        return copy;
    }

    private static RuleTestFile alertTest(AlertRuleTest... tests) {
        return new RuleTestFile(List.of("rules.yaml"), SCRAPE,
                List.of(new TestGroup(SCRAPE, List.of(QUEUE), List.of(tests), List.of())));
    }
}
