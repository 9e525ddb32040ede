package io.inferpulse.app.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Prometheus's {@code histogram_quantile} over classic buckets, as Prometheus 2.42 computes it
 * (promql/quantile.go, {@code bucketQuantile}), so that the benchmark reports the P99 a
 * dashboard would show. Buckets are sorted by upper bound, buckets with the same bound merged,
 * counts forced to be monotonic; the rank q·count is located and interpolated linearly inside its
 * bucket, the lowest bucket starting at 0 when its bound is above 0. A rank in the +Inf bucket
 * yields the highest finite bound.
 *
 * <p>NaN when q is NaN, there is no +Inf bucket, fewer than two buckets remain or there are no
 * observations; -Inf when q &lt; 0 and +Inf when q &gt; 1.
 */
public final class HistogramQuantile {

    private HistogramQuantile() {
    }

    /** A cumulative bucket: observations less than or equal to {@code upperBound} ({@code le}). */
    public record Bucket(double upperBound, double count) {
    }

    public static double of(double q, List<Bucket> buckets) {
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (buckets.isEmpty()) {
            return Double.NaN;
        }
        List<Bucket> sorted = new ArrayList<>(buckets);
        sorted.sort(Comparator.comparingDouble(Bucket::upperBound));
        if (sorted.getLast().upperBound() != Double.POSITIVE_INFINITY) {
            return Double.NaN;
        }
        List<Bucket> merged = monotonic(coalesce(sorted));
        if (merged.size() < 2) {
            return Double.NaN;
        }
        double observations = merged.getLast().count();
        if (observations == 0) {
            return Double.NaN;
        }
        double rank = q * observations;
        int b = firstReaching(merged, rank);
        if (b == merged.size() - 1) {
            return merged.get(merged.size() - 2).upperBound();
        }
        if (b == 0 && merged.getFirst().upperBound() <= 0) {
            return merged.getFirst().upperBound();
        }
        double bucketStart = 0;
        double bucketEnd = merged.get(b).upperBound();
        double count = merged.get(b).count();
        if (b > 0) {
            bucketStart = merged.get(b - 1).upperBound();
            count -= merged.get(b - 1).count();
            rank -= merged.get(b - 1).count();
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }

    /** The first bucket, the last excluded, whose count reaches {@code rank}; the last if none does (Go's sort.Search). */
    private static int firstReaching(List<Bucket> buckets, double rank) {
        int lo = 0;
        int hi = buckets.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (buckets.get(mid).count() >= rank) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Buckets with the same bound as one bucket with their counts summed, as when two series carry the same le. */
    private static List<Bucket> coalesce(List<Bucket> sorted) {
        List<Bucket> merged = new ArrayList<>();
        for (Bucket bucket : sorted) {
            if (!merged.isEmpty() && merged.getLast().upperBound() == bucket.upperBound()) {
                merged.set(merged.size() - 1, new Bucket(bucket.upperBound(), merged.getLast().count() + bucket.count()));
            } else {
                merged.add(bucket);
            }
        }
        return merged;
    }

    /** The envelope of the counts: a count below an earlier one is raised to it, so the search stays valid. */
    private static List<Bucket> monotonic(List<Bucket> buckets) {
        List<Bucket> fixed = new ArrayList<>(buckets.size());
        double max = Double.NEGATIVE_INFINITY;
        for (Bucket bucket : buckets) {
            if (bucket.count() > max) {
                max = bucket.count();
                fixed.add(bucket);
            } else {
                fixed.add(bucket.count() < max ? new Bucket(bucket.upperBound(), max) : bucket);
            }
        }
        return fixed;
    }
}
