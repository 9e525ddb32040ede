package io.inferpulse.streams.score;

import java.util.List;

/**
 * {@code 1 - errors / requests} over the endpoint's requests of the recent window, once there are at
 * least the minimum count of them; 1 before that, because a couple of failures out of three requests
 * say little. An error is what the Endpoint Picker's {@code request_error_total} counts: status 0, 429 or 5xx.
 */
final class ErrorRateScorer implements Scorer {
    static final String NAME = "error-rate";

    private final long minRequests;

    ErrorRateScorer(long minRequests) {
        this.minRequests = minRequests;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void score(List<ScoreInput> pool, double[] parts) {
        for (int i = 0; i < pool.size(); i++) {
            ScoreInput input = pool.get(i);
            parts[i] = input.recentRequests() < minRequests ? 1.0
                    : 1.0 - (double) input.recentErrors() / input.recentRequests();
        }
    }
}
