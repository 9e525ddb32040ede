package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One annotation and one label rendered over the values Prometheus 2.42 was given in a promtool rules test; the
 * expected strings are what promtool 2.42.0 printed for the same rule, so our templates read the same.
 */
class PrometheusTemplateParityTest {
    private static final AlertingRule RULE = RuleFiles.parse("""
            groups:
            - name: g
              rules:
              - alert: T
                expr: inference_pool_average_queue_size > -1000
                labels:
                  v: '{{ $value }}'
                annotations:
                  a: '{{ $value }}|{{ humanize $value }}|{{ $value | humanizePercentage }}|{{ humanizeDuration $value }}|{{ printf "%.2f" $value }}|{{ $labels.name | title }}|[{{ $labels.missing }}]|{{ printf "%5.1f|%e|%g|%.3g|%d" $value $value $value $value $value }}'
            """, "parity.yaml", new RuleSettings(Duration.ofMinutes(1), Duration.ofMinutes(5), "")).get(0).rules().get(0);

    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '\'', value = {
        "pool-a_b c; 0.125; 0.125; 0.125|125m|12.5%|125ms|0.12|Pool-A_b C|[]|  0.1|1.250000e-01|0.125|0.125|%!d(float64=0.125)",
        "x1; 1000000; 1e+06; 1e+06|1M|1e+08%|11d 13h 46m 40s|1000000.00|X1|[]|1000000.0|1.000000e+06|1e+06|1e+06|%!d(float64=1e+06)",
        "x2; 123456789; 1.23456789e+08; 1.23456789e+08|123.5M|1.235e+10%|1428d 21h 33m 9s|123456789.00|X2|[]|123456789.0|1.234568e+08|1.23456789e+08|1.23e+08|%!d(float64=1.23456789e+08)",
        "x3; 0.00001; 1e-05; 1e-05|10u|0.001%|10us|0.00|X3|[]|  0.0|1.000000e-05|1e-05|1e-05|%!d(float64=1e-05)",
        "x4; 999.99; 999.99; 999.99|1000|1e+05%|16m 39s|999.99|X4|[]|1000.0|9.999900e+02|999.99|1e+03|%!d(float64=999.99)",
        "x5; 90061; 90061; 90061|90.06k|9.006e+06%|1d 1h 1m 1s|90061.00|X5|[]|90061.0|9.006100e+04|90061|9.01e+04|%!d(float64=90061)",
        "x6; 0.375; 0.375; 0.375|375m|37.5%|375ms|0.38|X6|[]|  0.4|3.750000e-01|0.375|0.375|%!d(float64=0.375)",
        "x7; -61; -61; -61|-61|-6100%|-1m 1s|-61.00|X7|[]|-61.0|-6.100000e+01|-61|-61|%!d(float64=-61)",
        "x8; 12345; 12345; 12345|12.35k|1.234e+06%|3h 25m 45s|12345.00|X8|[]|12345.0|1.234500e+04|12345|1.23e+04|%!d(float64=12345)",
    })
    void shouldRenderExactlyAsPrometheus(String name, double value, String label, String annotation) {
        Sample sample = Sample.of(StatSeries.POOL_QUEUE_SIZE, Map.of("name", name), value);

        assertThat(RULE.evaluate(SeriesSet.of(List.of(sample)))).containsExactly(sample);
        assertThat(RULE.alertLabels(sample)).containsExactly(Map.entry("alertname", "T"), Map.entry("name", name),
                Map.entry("v", label));
        assertThat(RULE.annotations(sample)).containsExactly(Map.entry("a", annotation));
    }
}
