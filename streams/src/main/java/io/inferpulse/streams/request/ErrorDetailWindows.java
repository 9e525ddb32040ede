package io.inferpulse.streams.request;

import io.inferpulse.avro.ErrorDetail;
import io.inferpulse.schemas.Topics;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts of error details per pool in tumbling event-time windows [start, start + length), for the
 * pools of one stream task. The store (key {@code start/source/cluster/namespace/pool/detail}, value
 * the count) is the source of truth; the map mirrors it. A window is emitted and dropped when it is
 * closed; the caller judges lateness, because a record on time for its request bucket always finds
 * its error window open (both are aligned to the epoch and the window is a multiple of the interval).
 */
final class ErrorDetailWindows {
    private final long lengthMs;
    private final KeyValueStore<String, Long> store;
    private final NavigableMap<Long, Map<String, Long>> windows = new TreeMap<>();

    ErrorDetailWindows(long lengthMs, KeyValueStore<String, Long> store) {
        this.lengthMs = lengthMs;
        this.store = store;
        try (KeyValueIterator<String, Long> stored = store.all()) {
            while (stored.hasNext()) {
                KeyValue<String, Long> entry = stored.next();
                int separator = entry.key.indexOf('/');
                windows.computeIfAbsent(Long.parseLong(entry.key.substring(0, separator)), k -> new HashMap<>())
                        .put(entry.key.substring(separator + 1), entry.value);
            }
        }
    }

    void add(long eventTimeMs, String cluster, String namespace, String pool, RequestOutcomes.Detail detail) {
        long start = Math.floorDiv(eventTimeMs, lengthMs) * lengthMs;
        String key = detail.source().label() + '/' + Topics.poolKey(cluster, namespace, pool) + '/' + detail.value();
        long count = windows.computeIfAbsent(start, k -> new HashMap<>()).merge(key, 1L, Long::sum);
        store.put(start + "/" + key, count);
    }

    /** Emits and drops every window that ends at or before {@code closedUpToMs}. */
    void closeUpTo(long closedUpToMs, Consumer<ErrorDetail> emit) {
        for (Iterator<Map.Entry<Long, Map<String, Long>>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Map<String, Long>> window = it.next();
            long start = window.getKey();
            if (start + lengthMs > closedUpToMs) {
                return;
            }
            for (Map.Entry<String, Long> count : window.getValue().entrySet()) {
                // source/cluster/namespace/pool/detail: names hold no '/', a detail may.
                String[] parts = count.getKey().split("/", 5);
                emit.accept(ErrorDetail.newBuilder()
                        .setDetailSource(parts[0])
                        .setCluster(parts[1])
                        .setNamespace(parts[2])
                        .setPool(parts[3])
                        .setDetail(parts[4])
                        .setWindowStart(Instant.ofEpochMilli(start))
                        .setWindowEnd(Instant.ofEpochMilli(start + lengthMs))
                        .setCount(count.getValue())
                        .build());
                store.put(start + "/" + count.getKey(), null);
            }
            it.remove();
        }
    }
}
