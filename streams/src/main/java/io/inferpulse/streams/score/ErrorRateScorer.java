package io.inferpulse.streams.score;

/**
 * {@code 1 - errors / requests} over the endpoint's requests of the recent window, once there are at
 * least the minimum count of them; 1 before that, because a couple of failures out of three requests
 * say little. An error is what the Endpoint Picker's {@code request_error_total} counts: status 0, 429 or 5xx.
 */
final class ErrorRateScorer extends IndependentScorer {
    static final String NAME = "error-rate";

    private final long minRequests;

    ErrorRateScorer(long minRequests) {
        super(NAME);
        this.minRequests = minRequests;
    }

    @Override
    double part(ScoreInput endpoint) {
        return endpoint.recentRequests() < minRequests ? 1.0
                : 1.0 - (double) endpoint.recentErrors() / endpoint.recentRequests();
    }
}
