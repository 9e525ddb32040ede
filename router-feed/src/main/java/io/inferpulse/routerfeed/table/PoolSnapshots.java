package io.inferpulse.routerfeed.table;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The table's working state, owned by the consumer thread: the latest endpoint per key, grouped
 * by pool. {@link #publish()} turns it into an immutable map of pool snapshots, rebuilding only the
 * pools that changed since the last publish, so a batch touching one pool of a large fleet costs
 * that pool, not the fleet.
 */
final class PoolSnapshots {
    private final Map<String, Endpoint> byKey = new HashMap<>();
    // Sorted by endpoint key: a rebuilt pool comes out in a stable order at no extra cost.
    private final Map<String, TreeMap<String, Endpoint>> byPool = new HashMap<>();
    private final Set<String> changed = new HashSet<>();
    private Map<String, PoolSnapshot> published = Map.of();

    /** The latest state of an endpoint; an endpoint that moved to another pool leaves the old one. */
    void put(Endpoint endpoint) {
        Endpoint previous = byKey.put(endpoint.key(), endpoint);
        if (previous != null && !previous.poolKey().equals(endpoint.poolKey())) {
            leave(previous);
        }
        byPool.computeIfAbsent(endpoint.poolKey(), p -> new TreeMap<>()).put(endpoint.key(), endpoint);
        changed.add(endpoint.poolKey());
    }

    /** A tombstone: the endpoint left its pool. */
    void remove(String key) {
        Endpoint previous = byKey.remove(key);
        if (previous != null) {
            leave(previous);
        }
    }

    private void leave(Endpoint endpoint) {
        TreeMap<String, Endpoint> pool = byPool.get(endpoint.poolKey());
        pool.remove(endpoint.key());
        if (pool.isEmpty()) {
            byPool.remove(endpoint.poolKey());
        }
        changed.add(endpoint.poolKey());
    }

    /**
     * The snapshots after everything put or removed so far; the same instance when nothing changed.
     * Each pool rebuilt for it is handed to {@code rebuilt} before the map is returned.
     */
    Map<String, PoolSnapshot> publish(Consumer<PoolSnapshot> rebuilt) {
        if (changed.isEmpty()) {
            return published;
        }
        Map<String, PoolSnapshot> next = new HashMap<>(published);
        for (String poolKey : changed) {
            TreeMap<String, Endpoint> pool = byPool.get(poolKey);
            if (pool == null) {
                next.remove(poolKey);
            } else {
                PoolSnapshot snapshot = new PoolSnapshot(poolKey, List.copyOf(pool.values()));
                rebuilt.accept(snapshot);
                next.put(poolKey, snapshot);
            }
        }
        changed.clear();
        published = Map.copyOf(next);
        return published;
    }
}
