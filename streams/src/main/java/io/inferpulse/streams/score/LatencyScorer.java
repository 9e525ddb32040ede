package io.inferpulse.streams.score;

/**
 * A lower mean latency over the recent window, relative to the rest of the pool, is better. The mean
 * rather than a high quantile: per endpoint and per minute there are too few requests for a stable
 * P99, and the mean moves first when an endpoint slows down. An endpoint without recent requests
 * scores 1: nothing says it is slow, and an idle endpoint should get traffic.
 */
final class LatencyScorer extends RelativeScorer {
    static final String NAME = "latency";

    LatencyScorer() {
        super(NAME, 1.0);
    }

    @Override
    double value(ScoreInput endpoint) {
        return endpoint.meanLatencySeconds();
    }
}
