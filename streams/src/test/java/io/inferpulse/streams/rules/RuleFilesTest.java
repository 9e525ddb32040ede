package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFilesTest {
    private static final RuleSettings SETTINGS = new RuleSettings(Duration.ofSeconds(15), Duration.ofMinutes(5),
            "http://prom.example:9090/");

    @Test
    void shouldReadIntervalsKeepFiringForAndTemplatedLabels() {
        List<RuleGroup> groups = RuleFiles.parse("""
                groups:
                - name: fast
                  interval: 30s
                  rules:
                  - alert: Queue
                    expr: inference_pool_average_queue_size > 1
                    for: 1h30m
                    keep_firing_for: 10s
                    labels:
                      pool: '{{ $labels.name }}-{{ $value }}'
                      team: ''
                - name: default-interval
                  rules: []
                """, "f.yaml", SETTINGS);

        assertThat(groups).extracting(RuleGroup::name, RuleGroup::interval)
                .containsExactly(tuple("fast", Duration.ofSeconds(30)),
                        tuple("default-interval", Duration.ofSeconds(15)));
        AlertingRule rule = groups.get(0).rules().get(0);
        assertThat(rule.holdDuration()).isEqualTo(Duration.ofMinutes(90));
        assertThat(rule.keepFiringFor()).isEqualTo(Duration.ofSeconds(10));
        Sample sample = Sample.of(StatSeries.POOL_QUEUE_SIZE, Map.of("name", "p", "namespace", "n", "team", "x"), 2.5);
        // An empty rendered label removes the label, as Prometheus's label builder does.
        assertThat(rule.alertLabels(sample)).containsExactly(Map.entry("alertname", "Queue"), Map.entry("name", "p"),
                Map.entry("namespace", "n"), Map.entry("pool", "p-2.5"));
        assertThat(rule.generatorUrl()).isEqualTo(
                "http://prom.example:9090/graph?g0.expr=inference_pool_average_queue_size+%3E+1&g0.tab=1");
    }

    @Test
    void shouldNameFileLineRuleAndFunctionForAnUnsupportedExpression() {
        assertThatThrownBy(() -> RuleFiles.parse("""
                groups:
                - name: g
                  rules:
                  - alert: HighX
                    expr: predict_linear(inference_pool_average_queue_size[1h], 3600) > 0
                """, "alerts.yaml", SETTINGS))
                .isInstanceOf(RuleFileException.class)
                .hasMessageStartingWith("rule HighX (alerts.yaml:5): expr \"predict_linear(inference_pool_average_queue_size"
                        + "[1h], 3600) > 0\": function \"predict_linear\" is not supported; supported: ")
                .hasMessageEndingWith("see docs/alert-rules.md");
    }

    @Test
    void shouldReportEveryProblemWithItsLine() {
        RuleFileException e = (RuleFileException) catchThrowable(() -> RuleFiles.parse("""
                groups:
                - name: g
                  rules:
                  - alert: A
                    expr: inference_pool_ready_pods < 1
                    for: 5 minutes
                    severity: page
                  - record: job:up:sum
                    expr: sum(inference_pool_ready_pods)
                  - alert: B
                    expr: inference_pool_ready_pods < 1
                    annotations:
                      summary: '{{ if $value }}down{{ end }}'
                  - expr: inference_pool_ready_pods < 1
                - name: g
                  interval: 1.5m
                  limit: 10
                """, "r.yaml", SETTINGS));

        assertThat(e.errors()).containsExactly(
                "rule A (r.yaml:7): unknown field \"severity\"; allowed: [alert, annotations, expr, for, keep_firing_for,"
                        + " labels]",
                "rule A (r.yaml:6): for: not a valid duration string: \"5 minutes\" (use Prometheus durations such as"
                        + " 30s, 5m, 1h30m; units y w d h m s ms)",
                "rule #2 of group \"g\" (r.yaml:8): recording rules (record:) are not supported; only alerting rules"
                        + " (alert:)",
                "rule B (r.yaml:13): annotation \"summary\": bad template: \"if\" in {{ if $value }} is not supported;"
                        + " supported: $labels.<name>, .Labels.<name>, $value, .Value, $externalLabels.<name>,"
                        + " $externalURL, \"strings\", and the functions [humanize, humanizeDuration, humanizePercentage,"
                        + " printf, title, toLower, toUpper] (no if/range/with/define/variables); see docs/alert-rules.md",
                "rule #4 of group \"g\" (r.yaml:14): field 'alert' must be set",
                "r.yaml:17: group \"g\": unknown field \"limit\"; allowed: [interval, name, rules]",
                "r.yaml:15: group \"g\": groupname is repeated in the same file",
                "r.yaml:16: group \"g\": interval: not a valid duration string: \"1.5m\" (use Prometheus durations such"
                        + " as 30s, 5m, 1h30m; units y w d h m s ms)");
    }

    @Test
    void shouldNameTheLineOfMalformedYaml() {
        assertThatThrownBy(() -> RuleFiles.parse("""
                groups:
                - name: g
                  rules:
                  - alert: A
                    expr: "unterminated
                """, "bad.yaml", SETTINGS))
                .isInstanceOf(RuleFileException.class).hasMessageStartingWith("bad.yaml:6: malformed YAML: ");
        assertThatThrownBy(() -> RuleFiles.parse("groups: {name: g}\n", "shape.yaml", SETTINGS))
                .hasMessage("shape.yaml:1: groups: expected a list, found a mapping");
        assertThatThrownBy(() -> RuleFiles.parse("groups:\n- name: g\n  name: h\n", "dup.yaml", SETTINGS))
                .hasMessage("dup.yaml:3: group \"g\": field \"name\" is given twice");
    }

    @Test
    void shouldRefuseARangeOtherThanTheRequestWindow() {
        assertThatThrownBy(() -> RuleFiles.parse("""
                groups:
                - name: g
                  rules:
                  - alert: Errors
                    expr: |
                      sum by (model_name) (rate(inference_model_request_error_total[10m])) > 0
                """, "w.yaml", SETTINGS))
                .hasMessageStartingWith("rule Errors (w.yaml:5): expr \"sum by (model_name) (rate("
                        + "inference_model_request_error_total[10m])) > 0\": range [10m] of rate(")
                .hasMessageContaining("computed over 5m windows only");
    }

    @Test
    void shouldLoadSeveralFilesAndReportUnreadableOnes(@TempDir Path dir) throws IOException {
        Path one = Files.writeString(dir.resolve("one.yaml"), "groups:\n- name: a\n  rules:\n  - alert: A\n"
                + "    expr: inference_pool_ready_pods == 0\n");
        Path two = Files.writeString(dir.resolve("two.yaml"), "# nothing yet\n");

        List<RuleGroup> groups = RuleFiles.load(List.of(one, two), SETTINGS);

        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g.file()).isEqualTo(one.toString());
            assertThat(g.rules()).extracting(AlertingRule::name).containsExactly("A");
        });
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> RuleFiles.load(List.of(one, missing), SETTINGS)).isInstanceOf(RuleFileException.class)
                .hasMessageStartingWith(missing + ": cannot read rule file: ");
    }

    @Test
    void shouldParsePrometheusDurations() {
        assertThat(PromDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(PromDuration.parse("1d2h")).isEqualTo(Duration.ofHours(26));
        assertThat(PromDuration.parse("1w")).isEqualTo(Duration.ofDays(7));
        assertThat(PromDuration.parse("1s500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(PromDuration.parse("0")).isZero();
        assertThat(PromDuration.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        for (String bad : List.of("", "5", "30m1h", "1.5h", "5 m", "-5m", "5M")) {
            assertThatThrownBy(() -> PromDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"" + bad + "\"");
        }
    }
}
