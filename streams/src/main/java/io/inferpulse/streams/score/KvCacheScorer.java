package io.inferpulse.streams.score;

/**
 * The Endpoint Picker's KV-cache scorer: {@code 1 - kv}, the free share of the endpoint's KV cache,
 * absolute rather than relative to the pool. An endpoint that does not report its KV-cache use scores 0.
 */
final class KvCacheScorer extends IndependentScorer {
    static final String NAME = "kv-cache";

    KvCacheScorer() {
        super(NAME);
    }

    @Override
    double part(ScoreInput endpoint) {
        return endpoint.kv() == null ? 0.0 : 1.0 - endpoint.kv();
    }
}
