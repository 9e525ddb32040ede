package io.inferpulse.app.bench;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import io.inferpulse.app.bench.HistogramQuantile.Bucket;
import io.inferpulse.devstack.prometheus.EppRequestSeries;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * How far a latency quantile is from the truth when it comes from a DDSketch (what the
 * request-stats job computes from access logs) and when it comes from Prometheus's
 * {@code histogram_quantile} over the EPP's request-duration buckets (what a dashboard on the
 * EPP's metrics shows), on generated latency distributions with fixed seeds.
 *
 * <p>The exact quantile is the sorted sample at 0-based index ⌊q·(n−1)⌋: the sample whose bucket
 * DDSketch's {@code getValueAtQuantile} returns (it finds the first bin whose cumulative count
 * exceeds q·(n−1)), so the sketch is compared like with like. Prometheus interpolates at rank q·n
 * instead; at 200,000 samples the two ranks are less than one sample apart, far below the error
 * the buckets cause. Errors are signed: (estimate − exact) / exact.
 */
public final class QuantileAccuracyBenchmark {
    /** The relative accuracy of the request-stats job's sketches. */
    public static final double SKETCH_RELATIVE_ACCURACY = 0.01;
    public static final List<Double> QUANTILES = List.of(0.5, 0.9, 0.99);

    private final PrintStream out;

    public QuantileAccuracyBenchmark(PrintStream out) {
        this.out = out;
    }

    /** A latency distribution in seconds, drawn from a generator seeded with {@code seed}. */
    public enum Distribution {
        LLM_LOGNORMAL("lognormal", "lognormal, median 1.2 s, sigma 1.0 (LLM-like heavy tail)", 1001) {
            @Override
            double sample(RandomGenerator random) {
                return lognormal(random, 1.2, 1.0);
            }
        },
        BIMODAL("bimodal", "70% lognormal median 0.25 s sigma 0.3, 30% lognormal median 6 s sigma 0.35", 1002) {
            @Override
            double sample(RandomGenerator random) {
                return random.nextDouble() < 0.7 ? lognormal(random, 0.25, 0.3) : lognormal(random, 6, 0.35);
            }
        },
        UNIFORM("uniform", "uniform 0.05 s to 5 s", 1003) {
            @Override
            double sample(RandomGenerator random) {
                return random.nextDouble(0.05, 5);
            }
        },
        MOSTLY_FAST("slow-2pct", "98% lognormal median 0.35 s sigma 0.35 (mostly under 1 s), 2% uniform 10 s to 60 s", 1004) {
            @Override
            double sample(RandomGenerator random) {
                return random.nextDouble() < 0.98 ? lognormal(random, 0.35, 0.35) : random.nextDouble(10, 60);
            }
        };

        private final String label;
        private final String description;
        private final long seed;

        Distribution(String label, String description, long seed) {
            this.label = label;
            this.description = description;
            this.seed = seed;
        }

        abstract double sample(RandomGenerator random);

        public String label() {
            return label;
        }

        public String description() {
            return description;
        }

        /** {@code count} latencies; the same ones on every run. */
        public double[] samples(int count) {
            SplittableRandom random = new SplittableRandom(seed);
            double[] samples = new double[count];
            for (int i = 0; i < count; i++) {
                samples[i] = sample(random);
            }
            return samples;
        }

        private static double lognormal(RandomGenerator random, double median, double sigma) {
            return median * Math.exp(sigma * random.nextGaussian());
        }
    }

    /** One quantile of one distribution: the exact value and the two estimates. */
    public record Estimate(Distribution distribution, double quantile, double exact, double sketch, double prometheus) {
        public double sketchError() {
            return (sketch - exact) / exact;
        }

        public double prometheusError() {
            return (prometheus - exact) / exact;
        }
    }

    /** Every quantile of {@link #QUANTILES} for every distribution, from {@code samples} latencies each. */
    public static List<Estimate> measure(int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("bench quantiles: --samples must be >= 2, got " + samples);
        }
        List<Estimate> estimates = new ArrayList<>();
        for (Distribution distribution : Distribution.values()) {
            double[] latencies = distribution.samples(samples);
            DDSketch sketch = DDSketches.unboundedDense(SKETCH_RELATIVE_ACCURACY);
            for (double latency : latencies) {
                sketch.accept(latency);
            }
            List<Bucket> buckets = eppBuckets(latencies);
            double[] sorted = latencies.clone();
            Arrays.sort(sorted);
            for (double q : QUANTILES) {
                estimates.add(new Estimate(distribution, q, exact(sorted, q), sketch.getValueAtQuantile(q),
                        HistogramQuantile.of(q, buckets)));
            }
        }
        return estimates;
    }

    /** The sorted sample at 0-based index ⌊q·(n−1)⌋, the rank DDSketch answers for. */
    static double exact(double[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    /** The cumulative EPP request-duration buckets ({@code le}, +Inf last) the EPP would expose for these latencies. */
    static List<Bucket> eppBuckets(double[] latencies) {
        List<Double> bounds = EppRequestSeries.DURATION_BUCKETS;
        double[] counts = new double[bounds.size() + 1];
        for (double latency : latencies) {
            int b = 0;
            while (b < bounds.size() && latency > bounds.get(b)) {
                b++;
            }
            counts[b]++;
        }
        List<Bucket> buckets = new ArrayList<>();
        double cumulative = 0;
        for (int b = 0; b <= bounds.size(); b++) {
            cumulative += counts[b];
            buckets.add(new Bucket(b < bounds.size() ? bounds.get(b) : Double.POSITIVE_INFINITY, cumulative));
        }
        return buckets;
    }

    public void run(int samples) {
        out.printf("bench quantiles: %,d latencies per distribution; DDSketch unboundedDense(%s); Prometheus "
                        + "histogram_quantile over the EPP's %d request-duration buckets (0.005 s to 3600 s)%n",
                samples, SKETCH_RELATIVE_ACCURACY, EppRequestSeries.DURATION_BUCKETS.size());
        out.println("exact = sorted sample at index floor(q*(n-1)); error = (estimate - exact) / exact");
        out.println();
        for (Distribution distribution : Distribution.values()) {
            out.printf("  %-10s %s (seed %d)%n", distribution.label(), distribution.description(), distribution.seed);
        }
        out.println();
        out.printf("%-10s %-5s %12s %12s %9s %12s %9s%n", "dist", "q", "exact s", "DDSketch s", "error", "Prom s", "error");
        for (Estimate e : measure(samples)) {
            out.printf("%-10s %-5s %12.4f %12.4f %8.2f%% %12.4f %8.2f%%%n", e.distribution().label(),
                    "P" + Math.round(e.quantile() * 100), e.exact(), e.sketch(), 100 * e.sketchError(), e.prometheus(),
                    100 * e.prometheusError());
        }
    }
}
