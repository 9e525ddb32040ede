package io.inferpulse.streams.score;

import java.util.List;

/**
 * A lower mean latency over the recent window, relative to the rest of the pool, is better
 * ({@link MinMax}). The mean rather than a high quantile: per endpoint and per minute there are too
 * few requests for a stable P99, and the mean moves first when an endpoint slows down. An endpoint
 * without recent requests scores 1: nothing says it is slow, and an idle endpoint should get traffic.
 */
final class LatencyScorer implements Scorer {
    static final String NAME = "latency";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void score(List<ScoreInput> pool, double[] parts) {
        MinMax.lowerIsBetter(pool, ScoreInput::meanLatencySeconds, 1.0, parts);
    }
}
