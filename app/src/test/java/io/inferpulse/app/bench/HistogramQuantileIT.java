package io.inferpulse.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.app.bench.QuantileAccuracyBenchmark.Distribution;
import io.inferpulse.devstack.prometheus.EppRequestSeries;
import io.inferpulse.devstack.prometheus.EppRequestSeries.Request;
import io.inferpulse.devstack.prometheus.Promtool;
import io.inferpulse.devstack.prometheus.RuleTestFile;
import io.inferpulse.devstack.prometheus.RuleTestFile.ExpectedSample;
import io.inferpulse.devstack.prometheus.RuleTestFile.InputSeries;
import io.inferpulse.devstack.prometheus.RuleTestFile.PromqlExprTest;
import io.inferpulse.devstack.prometheus.RuleTestFile.TestGroup;
import io.inferpulse.devstack.prometheus.ScrapeSchedule;
import io.inferpulse.devstack.prometheus.SeriesValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HistogramQuantile} against Prometheus itself: the benchmark's distributions as EPP series,
 * and promtool's {@code histogram_quantile} over them equal to ours over the same buckets.
 */
class HistogramQuantileIT {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration SCRAPE = Duration.ofSeconds(15);
    private static final Duration EVAL = Duration.ofMinutes(10);
    private static final int REQUESTS = 3000;

    @TempDir
    Path dir;

    @Test
    void shouldComputeTheQuantilesPrometheusComputes() throws IOException {
        // given each distribution's requests, received evenly over 9.5 minutes, as one model each
        List<Request> requests = new ArrayList<>();
        for (Distribution distribution : Distribution.values()) {
            double[] latencies = distribution.samples(REQUESTS);
            for (int i = 0; i < REQUESTS; i++) {
                requests.add(new Request(T0.plusMillis(i * 570_000L / REQUESTS), distribution.label(), distribution.label(),
                        200, latencies[i], false));
            }
        }
        Instant end = T0.plus(EVAL);
        Instant windowStart = end.minus(Duration.ofMinutes(5));

        // when promtool evaluates histogram_quantile at 10m over the counters and over their 5m rate
        List<PromqlExprTest> checks = new ArrayList<>();
        for (double q : List.of(0.5, 0.9, 0.99)) {
            // scrapes at both ends of the window: rate is the increase over exactly 5m, with no extrapolation
            // rate's arithmetic and ours differ in the last bits (1e-15 relative); promtool compares exactly, so both round to 1 ns
            checks.add(new PromqlExprTest("round(histogram_quantile(" + q + ", rate(" + EppRequestSeries.DURATION + "_bucket[5m])), 1e-9)", EVAL,
                    expected(requests, q, r -> r.completedAt().isAfter(windowStart) && !r.completedAt().isAfter(end), 300)));
            checks.add(new PromqlExprTest("histogram_quantile(" + q + ", " + EppRequestSeries.DURATION + "_bucket)", EVAL,
                    expected(requests, q, r -> !r.completedAt().isAfter(end), 1)));
        }
        Files.writeString(dir.resolve("empty.yaml"), "groups: []\n");
        Promtool.Result result = Promtool.locate().testRules(dir, new RuleTestFile(List.of("empty.yaml"), SCRAPE, List.of(
                new TestGroup(SCRAPE, EppRequestSeries.scrape(requests, new ScrapeSchedule(T0, SCRAPE, 41)), List.of(), checks))));

        // then every value agrees
        assertThat(result.passed()).as(result.output()).isTrue();
    }

    @Test
    void shouldHandleBrokenAndEdgeHistogramsAsPrometheusDoes() throws IOException {
        // given hand-made histograms: a count below an earlier one, a rank in +Inf, a bound below zero, one bound twice
        Map<String, List<String[]>> cases = Map.of(
                "non-monotonic", List.of(new String[] {"0.1", "10"}, new String[] {"0.5", "5"}, new String[] {"1", "20"},
                        new String[] {"+Inf", "20"}),
                "in-inf", List.of(new String[] {"1", "10"}, new String[] {"+Inf", "20"}),
                "negative", List.of(new String[] {"-1", "5"}, new String[] {"1", "10"}, new String[] {"+Inf", "10"}),
                "same-bound", List.of(new String[] {"0.5", "4"}, new String[] {"0.50", "6"}, new String[] {"1", "10"},
                        new String[] {"+Inf", "10"}));
        List<InputSeries> series = new ArrayList<>();
        Map<String, List<HistogramQuantile.Bucket>> buckets = new TreeMap<>();
        cases.forEach((name, bucketList) -> bucketList.forEach(b -> {
            series.add(InputSeries.of("h_bucket", Map.of("case", name, "le", b[0]),
                    SeriesValues.of(Double.parseDouble(b[1]))));
            buckets.computeIfAbsent(name, k -> new ArrayList<>()).add(new HistogramQuantile.Bucket(
                    b[0].equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(b[0]), Double.parseDouble(b[1])));
        }));

        // when promtool evaluates quantiles over them
        List<PromqlExprTest> checks = new ArrayList<>();
        for (double q : List.of(0.0, 0.2, 0.5, 0.75, 0.9, 1.0)) {
            List<ExpectedSample> expected = new ArrayList<>();
            buckets.forEach((name, b) -> expected.add(ExpectedSample.of("", Map.of("case", name), HistogramQuantile.of(q, b))));
            checks.add(new PromqlExprTest("histogram_quantile(" + q + ", h_bucket)", Duration.ZERO, expected));
        }
        Files.writeString(dir.resolve("empty.yaml"), "groups: []\n");
        Promtool.Result result = Promtool.locate().testRules(dir, new RuleTestFile(List.of("empty.yaml"), SCRAPE,
                List.of(new TestGroup(SCRAPE, series, List.of(), checks))));

        // then ours agrees with Prometheus on each
        assertThat(result.passed()).as(result.output()).isTrue();
    }

    /**
     * Our histogram_quantile over the EPP buckets of the requests {@code counted}, counts divided by
     * {@code seconds}; for a rate (seconds &gt; 1) rounded to 1 ns as PromQL's {@code round(v, 1e-9)} does.
     */
    private static List<ExpectedSample> expected(List<Request> requests, double q, Predicate<Request> counted, double seconds) {
        List<ExpectedSample> samples = new ArrayList<>();
        for (Distribution distribution : Distribution.values()) {
            double[] latencies = requests.stream().filter(r -> r.modelName().equals(distribution.label())).filter(counted)
                    .mapToDouble(Request::latencySeconds).toArray();
            List<HistogramQuantile.Bucket> buckets = QuantileAccuracyBenchmark.eppBuckets(latencies).stream()
                    .map(b -> new HistogramQuantile.Bucket(b.upperBound(), b.count() / seconds)).toList();
            samples.add(ExpectedSample.of("", Map.of("model_name", distribution.label(), "target_model_name", distribution.label()),
                    seconds > 1 ? promqlRound(HistogramQuantile.of(q, buckets), 1e-9) : HistogramQuantile.of(q, buckets)));
        }
        return samples;
    }

    private static double promqlRound(double value, double toNearest) {
        double inverse = 1.0 / toNearest;
        return Math.floor(value * inverse + 0.5) / inverse;
    }
}
