package io.inferpulse.streams.score;

import java.util.List;

/**
 * Fewer requests in progress relative to the rest of the pool is better, normalised as the queue
 * scorer ({@link MinMax}). An endpoint that does not report them scores 0.
 */
final class RunningRequestsScorer implements Scorer {
    static final String NAME = "running-requests";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void score(List<ScoreInput> pool, double[] parts) {
        MinMax.lowerIsBetter(pool, input -> MinMax.orNaN(input.running()), 0.0, parts);
    }
}
