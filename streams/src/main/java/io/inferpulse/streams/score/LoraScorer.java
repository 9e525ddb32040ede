package io.inferpulse.streams.score;

/**
 * LoRA headroom: the share of the endpoint's adapter slots ({@code max_lora} of
 * {@code vllm:lora_requests_info}) not taken by a running or waiting adapter, so that a request for a
 * new adapter goes where it can be loaded without evicting one. 1 for an endpoint without LoRA
 * information: it serves the base model only and has nothing to evict.
 */
final class LoraScorer extends IndependentScorer {
    static final String NAME = "lora";

    LoraScorer() {
        super(NAME);
    }

    @Override
    double part(ScoreInput endpoint) {
        return endpoint.maxLora() <= 0 ? 1.0
                : Math.max(0, endpoint.maxLora() - endpoint.loraAdapters()) / (double) endpoint.maxLora();
    }
}
