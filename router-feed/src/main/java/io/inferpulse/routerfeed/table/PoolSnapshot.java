package io.inferpulse.routerfeed.table;

import java.util.List;
import java.util.Objects;

/**
 * The endpoints of one pool at one moment, ordered by endpoint key so that two snapshots of the
 * same state list them alike whatever order the updates arrived in. Immutable: a reader may hold
 * it for as long as a pick takes while the table moves on.
 */
public record PoolSnapshot(String poolKey, List<Endpoint> endpoints) {

    public PoolSnapshot {
        Objects.requireNonNull(poolKey, "poolKey");
        endpoints = List.copyOf(endpoints);
    }

    /** A pool the table knows no endpoint of. */
    public static PoolSnapshot empty(String poolKey) {
        return new PoolSnapshot(poolKey, List.of());
    }

    public boolean isEmpty() {
        return endpoints.isEmpty();
    }
}
