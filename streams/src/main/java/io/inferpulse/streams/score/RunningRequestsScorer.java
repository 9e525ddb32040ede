package io.inferpulse.streams.score;

/**
 * Fewer requests in progress relative to the rest of the pool is better, normalised as the queue
 * scorer. An endpoint that does not report them scores 0.
 */
final class RunningRequestsScorer extends RelativeScorer {
    static final String NAME = "running-requests";

    RunningRequestsScorer() {
        super(NAME, 0.0);
    }

    @Override
    double value(ScoreInput endpoint) {
        return orNaN(endpoint.running());
    }
}
