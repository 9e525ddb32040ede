package io.inferpulse.streams.request;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sliding windows of request statistics for the series of one stream task, evaluated every
 * interval. A record at event time t falls in the sub-bucket ending at the first evaluation instant
 * T &ge; t, i.e. the bucket (T - interval, T]; the result for T merges the buckets of (T - window, T].
 * Instants are closed, in order, once the caller's clock passes T + grace; a record whose bucket is
 * closed is late. A series is evaluated at every closed instant while its window holds a bucket,
 * once more when it has just become empty, and then forgotten.
 *
 * <p>The store is the source of truth (key {@code series@bucketEnd}); the in-memory map mirrors it so
 * that evaluation needs no store scan. The last instant closed is stored too, so that a restarted
 * task goes on from it: evaluating a closed instant again would emit a different value, its window
 * lacking the buckets deleted since, and a record for a closed bucket must stay late.
 */
final class RequestWindows {
    private static final char BUCKET_SEPARATOR = '@';
    private static final long NOTHING_CLOSED = Long.MIN_VALUE;
    // Key of the last closed instant, {@code CLOSED_SERIES@instant}: no pool key or model series is this name.
    private static final String CLOSED_SERIES = "\0\0closed-up-to";

    private final long windowMs;
    private final long intervalMs;
    private final long graceMs;
    private final double relativeAccuracy;
    private final KeyValueStore<String, RequestBucket> store;
    private final Map<String, NavigableMap<Long, RequestBucket>> series = new HashMap<>();
    private long closedUpToMs = NOTHING_CLOSED;

    RequestWindows(RequestStatsSettings settings, KeyValueStore<String, RequestBucket> store) {
        this.windowMs = settings.window().toMillis();
        this.intervalMs = settings.evaluationInterval().toMillis();
        this.graceMs = settings.grace().toMillis();
        this.relativeAccuracy = settings.relativeAccuracy();
        this.store = store;
        // Kafka Streams restores a store before init(), so this sees every bucket the task held.
        try (KeyValueIterator<String, RequestBucket> stored = store.all()) {
            while (stored.hasNext()) {
                KeyValue<String, RequestBucket> entry = stored.next();
                int separator = entry.key.lastIndexOf(BUCKET_SEPARATOR);
                if (separator < 0) {
                    throw new IllegalStateException("Request window store holds key '" + entry.key + "' without the '"
                            + BUCKET_SEPARATOR + "' before the bucket end");
                }
                String name = entry.key.substring(0, separator);
                long instant = Long.parseLong(entry.key.substring(separator + 1));
                if (name.equals(CLOSED_SERIES)) {
                    closedUpToMs = Math.max(closedUpToMs, instant);
                } else {
                    series.computeIfAbsent(name, k -> new TreeMap<>()).put(instant, entry.value);
                }
            }
        }
    }

    /** The evaluation instant whose bucket holds event time t. */
    long bucketEnd(long eventTimeMs) {
        return Math.ceilDiv(eventTimeMs, intervalMs) * intervalMs;
    }

    /** The last evaluation instant closed, or {@link Long#MIN_VALUE} when none since the task started. */
    long closedUpToMs() {
        return closedUpToMs;
    }

    long graceMs() {
        return graceMs;
    }

    boolean late(long eventTimeMs) {
        return closedUpToMs != NOTHING_CLOSED && bucketEnd(eventTimeMs) <= closedUpToMs;
    }

    /** Counts one request; the caller has checked that it is not {@link #late}. */
    void add(String seriesKey, long eventTimeMs, boolean error, double latencySeconds, Long inputTokens, Long outputTokens) {
        long end = bucketEnd(eventTimeMs);
        RequestBucket bucket = series.computeIfAbsent(seriesKey, k -> new TreeMap<>())
                .computeIfAbsent(end, e -> RequestBucket.empty(relativeAccuracy));
        bucket.add(error, latencySeconds, inputTokens, outputTokens);
        store.put(seriesKey + BUCKET_SEPARATOR + end, bucket);
    }

    /** Closes every evaluation instant up to {@code nowMs - grace}: see {@link #closeThrough}. */
    void closeUpTo(long nowMs, BiConsumer<String, RequestStats> emit) {
        closeThrough(Math.floorDiv(nowMs - graceMs, intervalMs) * intervalMs, emit);
    }

    /**
     * Closes every evaluation instant up to {@code lastMs} (itself an instant) not closed yet and hands
     * each series' result to {@code emit}, instant by instant in time order per series.
     */
    void closeThrough(long lastMs, BiConsumer<String, RequestStats> emit) {
        if (closedUpToMs != NOTHING_CLOSED && lastMs <= closedUpToMs) {
            return;
        }
        for (Iterator<Map.Entry<String, NavigableMap<Long, RequestBucket>>> it = series.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, NavigableMap<Long, RequestBucket>> entry = it.next();
            NavigableMap<Long, RequestBucket> buckets = entry.getValue();
            long first = closedUpToMs == NOTHING_CLOSED ? buckets.firstKey() : Math.max(closedUpToMs + intervalMs, buckets.firstKey());
            // At lastKey + window the window has just become empty: the one empty result, then nothing.
            long emptyAtMs = buckets.lastKey() + windowMs;
            for (long t = first; t <= Math.min(lastMs, emptyAtMs); t += intervalMs) {
                emit.accept(entry.getKey(), evaluate(buckets, t));
            }
            // Later instants' windows (T - window, T] with T > lastMs exclude every bucket ending by lastMs - window.
            for (Iterator<Map.Entry<Long, RequestBucket>> old = buckets.headMap(lastMs - windowMs, true).entrySet().iterator();
                 old.hasNext(); ) {
                // put(null) deletes without delete()'s read of the old value, which would decode a sketch for nothing.
                store.put(entry.getKey() + BUCKET_SEPARATOR + old.next().getKey(), null);
                old.remove();
            }
            if (buckets.isEmpty()) {
                it.remove();
            }
        }
        if (closedUpToMs != NOTHING_CLOSED) {
            store.put(CLOSED_SERIES + BUCKET_SEPARATOR + closedUpToMs, null);
        }
        store.put(CLOSED_SERIES + BUCKET_SEPARATOR + lastMs, RequestBucket.empty(relativeAccuracy));
        closedUpToMs = lastMs;
    }

    private RequestStats evaluate(NavigableMap<Long, RequestBucket> buckets, long endMs) {
        long startMs = endMs - windowMs;
        RequestBucket merged = RequestBucket.empty(relativeAccuracy);
        for (RequestBucket bucket : buckets.subMap(startMs, false, endMs, true).values()) {
            bucket.mergeInto(merged);
        }
        return RequestStats.of(startMs, endMs, merged);
    }
}
