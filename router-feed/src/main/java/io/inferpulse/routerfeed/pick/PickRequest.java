package io.inferpulse.routerfeed.pick;

import java.util.Objects;
import java.util.Set;

/**
 * One "which pod?" question from the gateway.
 *
 * @param poolKey {@code cluster/namespace/pool} the request is routed to
 * @param model the model the request names (the body's {@code model}); empty when unknown. A LoRA
 *     adapter name here makes endpoints that have the adapter loaded preferred.
 * @param priority the request's priority (InferenceObjective {@code priority}); negative means
 *     sheddable: refused with 429 rather than queued when the pool is saturated
 * @param subset the gateway's subset hint: the endpoints the pick must come from, each either
 *     {@code ip:port} or a bare {@code ip}; empty means any endpoint of the pool
 */
public record PickRequest(String poolKey, String model, int priority, Set<String> subset) {

    public PickRequest {
        Objects.requireNonNull(poolKey, "poolKey");
        Objects.requireNonNull(model, "model");
        subset = Set.copyOf(subset);
    }

    public boolean sheddable() {
        return priority < 0;
    }
}
