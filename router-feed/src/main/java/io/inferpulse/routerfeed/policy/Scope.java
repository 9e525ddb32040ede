package io.inferpulse.routerfeed.policy;

import java.util.Map;

/**
 * One entry of a policy's {@code default.scopes}: settings for the endpoints whose cluster carries
 * every label of the selector.
 */
public record Scope(Map<String, String> selector, BackendSettings settings) {

    public Scope {
        selector = Map.copyOf(selector);
        if (selector.isEmpty()) {
            throw new IllegalArgumentException("a scope needs a selector with at least one cluster label");
        }
    }

    /** A selector with several labels needs all of them. */
    public boolean matches(Map<String, String> clusterLabels) {
        for (Map.Entry<String, String> label : selector.entrySet()) {
            if (!label.getValue().equals(clusterLabels.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
