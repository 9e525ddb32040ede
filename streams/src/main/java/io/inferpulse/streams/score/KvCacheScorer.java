package io.inferpulse.streams.score;

import java.util.List;

/**
 * The Endpoint Picker's KV-cache scorer: {@code 1 - kv}, the free share of the endpoint's KV cache,
 * absolute rather than relative to the pool. An endpoint that does not report its KV-cache use scores 0.
 */
final class KvCacheScorer implements Scorer {
    static final String NAME = "kv-cache";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void score(List<ScoreInput> pool, double[] parts) {
        for (int i = 0; i < pool.size(); i++) {
            Double kv = pool.get(i).kv();
            parts[i] = kv == null ? 0.0 : 1.0 - kv;
        }
    }
}
