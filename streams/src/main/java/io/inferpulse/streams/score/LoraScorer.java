package io.inferpulse.streams.score;

import java.util.List;

/**
 * LoRA headroom: the share of the endpoint's adapter slots ({@code max_lora} of
 * {@code vllm:lora_requests_info}) not taken by a running or waiting adapter, so that a request for a
 * new adapter goes where it can be loaded without evicting one. 1 for an endpoint without LoRA
 * information: it serves the base model only and has nothing to evict.
 */
final class LoraScorer implements Scorer {
    static final String NAME = "lora";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void score(List<ScoreInput> pool, double[] parts) {
        for (int i = 0; i < pool.size(); i++) {
            ScoreInput input = pool.get(i);
            parts[i] = input.maxLora() <= 0 ? 1.0
                    : Math.max(0, input.maxLora() - input.loraAdapters()) / (double) input.maxLora();
        }
    }
}
