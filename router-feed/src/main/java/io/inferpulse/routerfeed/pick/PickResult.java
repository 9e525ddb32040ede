package io.inferpulse.routerfeed.pick;

import java.util.List;
import java.util.Objects;

/** The answer to a {@link PickRequest}: where to send it, or why it is refused. */
public sealed interface PickResult {

    /**
     * Send the request to the first endpoint; the rest are fallbacks in the order to try them.
     *
     * @param endpoints {@code ip:port}, best first, never empty, no duplicates
     */
    record Picked(List<String> endpoints) implements PickResult {
        public Picked {
            endpoints = List.copyOf(endpoints);
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("a pick names at least one endpoint");
            }
        }

        public String primary() {
            return endpoints.get(0);
        }
    }

    /** The pool is saturated and the request is sheddable: answer 429. */
    record Shed(String reason) implements PickResult {
        public Shed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** No endpoint of the pool (within the subset hint) may take the request: answer 503. */
    record Unavailable(String reason) implements PickResult {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
