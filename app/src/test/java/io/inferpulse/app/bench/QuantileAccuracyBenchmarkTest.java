package io.inferpulse.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.app.bench.HistogramQuantile.Bucket;
import io.inferpulse.app.bench.QuantileAccuracyBenchmark.Distribution;
import io.inferpulse.app.bench.QuantileAccuracyBenchmark.Estimate;
import io.inferpulse.devstack.prometheus.EppRequestSeries;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantileAccuracyBenchmarkTest {

    @Test
    void shouldTakeTheExactQuantileAtTheRankDdSketchAnswersFor() {
        double[] sorted = {1, 2, 3, 4, 5};

        assertThat(QuantileAccuracyBenchmark.exact(sorted, 0.5)).isEqualTo(3);
        assertThat(QuantileAccuracyBenchmark.exact(sorted, 0.99)).isEqualTo(4);
        assertThat(QuantileAccuracyBenchmark.exact(sorted, 1)).isEqualTo(5);
    }

    @Test
    void shouldCountLatenciesInTheEppBucketsInclusiveOfTheBound() {
        List<Bucket> buckets = QuantileAccuracyBenchmark.eppBuckets(new double[] {0.005, 0.0051, 3600.1});

        assertThat(buckets).hasSize(EppRequestSeries.DURATION_BUCKETS.size() + 1);
        assertThat(buckets.get(0)).isEqualTo(new Bucket(0.005, 1));
        assertThat(buckets.get(1)).isEqualTo(new Bucket(0.025, 2));
        assertThat(buckets.get(buckets.size() - 2)).isEqualTo(new Bucket(3600, 2));
        assertThat(buckets.getLast()).isEqualTo(new Bucket(Double.POSITIVE_INFINITY, 3));
    }

    @Test
    void shouldKeepTheSketchWithinItsRelativeAccuracyAndPrometheusWithinTheExactValuesBucket() {
        List<Estimate> estimates = QuantileAccuracyBenchmark.measure(20_000);

        assertThat(estimates).hasSize(Distribution.values().length * QuantileAccuracyBenchmark.QUANTILES.size());
        for (Estimate e : estimates) {
            assertThat(Math.abs(e.sketchError())).as("DDSketch %s", e).isLessThanOrEqualTo(0.01);
            List<Double> bounds = EppRequestSeries.DURATION_BUCKETS;
            int b = 0;
            while (bounds.get(b) < e.exact()) {
                b++;
            }
            double lower = b == 0 ? 0 : bounds.get(b - 1);
            assertThat(e.prometheus()).as("Prometheus %s", e).isBetween(lower, bounds.get(b));
        }
    }

    @Test
    void shouldDrawTheSameLatenciesOnEveryRun() {
        assertThat(Distribution.BIMODAL.samples(1000)).containsExactly(Distribution.BIMODAL.samples(1000));
        assertThat(Distribution.BIMODAL.samples(1000)).isNotEqualTo(Distribution.UNIFORM.samples(1000));
    }

    @Test
    void shouldPrintARowPerDistributionAndQuantile() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        new QuantileAccuracyBenchmark(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(5_000);

        List<String> rows = bytes.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.matches("^\\S+\\s+P(50|90|99)\\s.*%$")).toList();
        assertThat(rows).hasSize(12);
        assertThat(rows).anyMatch(row -> row.startsWith("slow-2pct") && row.contains("P99"));
    }

    @Test
    void shouldRejectTooFewSamples() {
        assertThatThrownBy(() -> QuantileAccuracyBenchmark.measure(1)).hasMessageContaining("--samples must be >= 2, got 1");
    }
}
