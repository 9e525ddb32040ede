package io.inferpulse.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inferpulse.app.bench.HistogramQuantile.Bucket;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistogramQuantileTest {
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final List<Bucket> BUCKETS = List.of(
            new Bucket(0.1, 10), new Bucket(0.5, 30), new Bucket(1, 40), new Bucket(INF, 40));

    @Test
    void shouldInterpolateLinearlyInsideTheBucketHoldingTheRank() {
        // rank 20 of 40 is the 10th of the 20 observations in (0.1, 0.5]
        assertThat(HistogramQuantile.of(0.5, BUCKETS)).isCloseTo(0.3, within(1e-12));
        // rank 40 is the top of (0.5, 1]
        assertThat(HistogramQuantile.of(1, BUCKETS)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void shouldStartTheLowestBucketAtZeroWhenItsBoundIsPositive() {
        assertThat(HistogramQuantile.of(0.1, BUCKETS)).isCloseTo(0.04, within(1e-12));
        assertThat(HistogramQuantile.of(0, BUCKETS)).isZero();
    }

    @Test
    void shouldAnswerTheLowestBoundWhenItIsNotAboveZero() {
        assertThat(HistogramQuantile.of(0.2, List.of(new Bucket(-1, 5), new Bucket(1, 10), new Bucket(INF, 10)))).isEqualTo(-1);
        assertThat(HistogramQuantile.of(0.2, List.of(new Bucket(0, 5), new Bucket(1, 10), new Bucket(INF, 10)))).isZero();
    }

    @Test
    void shouldAnswerTheHighestFiniteBoundWhenTheRankIsInTheInfBucket() {
        assertThat(HistogramQuantile.of(0.9, List.of(new Bucket(1, 10), new Bucket(INF, 20)))).isEqualTo(1);
    }

    @Test
    void shouldSortBucketsByBound() {
        assertThat(HistogramQuantile.of(0.5, List.of(BUCKETS.get(3), BUCKETS.get(1), BUCKETS.get(0), BUCKETS.get(2))))
                .isCloseTo(0.3, within(1e-12));
    }

    @Test
    void shouldRaiseACountBelowAnEarlierOne() {
        // (0.5, 5) is read as (0.5, 10): rank 15 is the 5th of 10 in (0.5, 1]
        List<Bucket> broken = List.of(new Bucket(0.1, 10), new Bucket(0.5, 5), new Bucket(1, 20), new Bucket(INF, 20));

        assertThat(HistogramQuantile.of(0.75, broken)).isCloseTo(0.75, within(1e-12));
        assertThat(HistogramQuantile.of(0.5, broken)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void shouldMergeBucketsWithTheSameBound() {
        List<Bucket> split = List.of(new Bucket(0.5, 4), new Bucket(0.5, 6), new Bucket(1, 10), new Bucket(INF, 10));

        assertThat(HistogramQuantile.of(0.5, split)).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void shouldAnswerLikePrometheusForQuantilesOutsideZeroToOne() {
        assertThat(HistogramQuantile.of(-0.1, BUCKETS)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(HistogramQuantile.of(1.1, BUCKETS)).isEqualTo(INF);
        assertThat(HistogramQuantile.of(Double.NaN, BUCKETS)).isNaN();
    }

    @Test
    void shouldBeNaNWithoutAnInfBucketTwoBucketsOrObservations() {
        assertThat(HistogramQuantile.of(0.5, List.of(new Bucket(0.1, 10), new Bucket(1, 40)))).isNaN();
        assertThat(HistogramQuantile.of(0.5, List.of(new Bucket(INF, 40)))).isNaN();
        assertThat(HistogramQuantile.of(0.5, List.of(new Bucket(1, 0), new Bucket(INF, 0)))).isNaN();
        assertThat(HistogramQuantile.of(0.5, List.of())).isNaN();
    }
}
