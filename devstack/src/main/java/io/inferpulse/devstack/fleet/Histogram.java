package io.inferpulse.devstack.fleet;

import java.util.ArrayList;
import java.util.List;

/** A Prometheus histogram with fixed buckets; confined to the simulation thread, read through {@link #snapshot()}. */
final class Histogram {

    /** vLLM's buckets for {@code vllm:e2e_request_latency_seconds}. */
    static final List<Double> E2E_LATENCY_BUCKETS = List.of(0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0,
            20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0);

    /** vLLM's buckets for {@code vllm:time_to_first_token_seconds}. */
    static final List<Double> TTFT_BUCKETS = List.of(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0);

    private final List<Double> upperBounds;
    private final long[] counts;
    private double sum;

    Histogram(List<Double> upperBounds) {
        this.upperBounds = upperBounds;
        this.counts = new long[upperBounds.size() + 1];
    }

    void observe(double value) {
        int bucket = 0;
        while (bucket < upperBounds.size() && value > upperBounds.get(bucket)) {
            bucket++;
        }
        counts[bucket]++;
        sum += value;
    }

    Snapshot snapshot() {
        List<Long> cumulative = new ArrayList<>(counts.length);
        long running = 0;
        for (long count : counts) {
            running += count;
            cumulative.add(running);
        }
        return new Snapshot(upperBounds, List.copyOf(cumulative), sum);
    }

    /**
     * @param upperBounds     finite bucket bounds, ascending
     * @param cumulativeCounts observations at or below each bound, then the total ({@code +Inf} bucket)
     * @param sum             sum of all observations
     */
    record Snapshot(List<Double> upperBounds, List<Long> cumulativeCounts, double sum) {

        long count() {
            return cumulativeCounts.getLast();
        }
    }
}
