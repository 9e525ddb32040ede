package io.inferpulse.streams.score;

import java.util.List;

/**
 * The Endpoint Picker's queue scorer: the shorter an endpoint's queue of waiting requests relative to
 * the rest of its pool, the better ({@link MinMax}). An endpoint that does not report its queue scores
 * 0: nothing says it is idle.
 */
final class QueueScorer implements Scorer {
    static final String NAME = "queue";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void score(List<ScoreInput> pool, double[] parts) {
        MinMax.lowerIsBetter(pool, input -> MinMax.orNaN(input.waiting()), 0.0, parts);
    }
}
