package io.inferpulse.devstack.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.devstack.prometheus.RuleTestFile.AlertRuleTest;
import io.inferpulse.devstack.prometheus.RuleTestFile.ExpectedAlert;
import io.inferpulse.devstack.prometheus.RuleTestFile.ExpectedSample;
import io.inferpulse.devstack.prometheus.RuleTestFile.InputSeries;
import io.inferpulse.devstack.prometheus.RuleTestFile.PromqlExprTest;
import io.inferpulse.devstack.prometheus.RuleTestFile.TestGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleTestFileTest {

    @Test
    void shouldWritePromtoolsFormat() {
        RuleTestFile file = new RuleTestFile(List.of("alerts.yaml"), Duration.ofSeconds(30), List.of(new TestGroup(
                Duration.ofMinutes(1),
                List.of(InputSeries.of("up", Map.of("job", "epp", "quote", "say \"hi\""), SeriesValues.empty().expanding(0, 1, 5))),
                List.of(new AlertRuleTest(Duration.ofMillis(90_500), "Down", List.of(new ExpectedAlert(
                        Map.of("severity", "1"), Map.of("summary", "down"))))),
                List.of(new PromqlExprTest("sum(up)", Duration.ofHours(2), List.of(new ExpectedSample("{}", 0.5)))))));

        assertThat(file.toYaml()).isEqualTo("""
                rule_files:
                - alerts.yaml
                evaluation_interval: 30s
                tests:
                - interval: 1m
                  input_series:
                  - series: "up{job=\\"epp\\",quote=\\"say \\\\\\"hi\\\\\\"\\"}"
                    values: 0+1x5
                  alert_rule_test:
                  - eval_time: 90500ms
                    alertname: Down
                    exp_alerts:
                    - exp_labels:
                        severity: "1"
                      exp_annotations:
                        summary: down
                  promql_expr_test:
                  - expr: sum(up)
                    eval_time: 2h
                    exp_samples:
                    - labels: "{}"
                      value: 0.5
                """);
    }

    @Test
    void shouldRejectIntervalsPromtoolCannotRead() {
        assertThatThrownBy(() -> new RuleTestFile(List.of(), Duration.ZERO, List.of()))
                .hasMessageContaining("evaluation_interval must be a positive whole number of milliseconds, got PT0S");
        assertThatThrownBy(() -> new ExpectedSample("{}", Double.NaN))
                .hasMessageContaining("expected sample {}: promtool compares finite values only, got NaN");
    }

    @Test
    void shouldTellHowToInstallPromtoolWhenItIsMissing() {
        assertThatThrownBy(() -> Promtool.locate("/nonexistent:/also/missing", Promtool.DEFAULT_TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("promtool not found on PATH (/nonexistent:/also/missing)")
                .hasMessageContaining("apt-get install prometheus");
    }
}
