package io.inferpulse.streams.score;

/**
 * The Endpoint Picker's queue scorer: the shorter an endpoint's queue of waiting requests relative to
 * the rest of its pool, the better. An endpoint that does not report its queue scores 0: nothing says
 * it is idle.
 */
final class QueueScorer extends RelativeScorer {
    static final String NAME = "queue";

    QueueScorer() {
        super(NAME, 0.0);
    }

    @Override
    double value(ScoreInput endpoint) {
        return orNaN(endpoint.waiting());
    }
}
