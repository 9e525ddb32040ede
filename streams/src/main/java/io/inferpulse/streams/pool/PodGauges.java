package io.inferpulse.streams.pool;

import java.util.Objects;

/**
 * What the pool stats need from one pod's latest sample; the value of the per-pod store.
 *
 * @param sampleTimeMs when the scrape completed, epoch milliseconds
 * @param kv KV-cache use 0..1, null when the server did not report it
 * @param waiting requests waiting to be scheduled, null when not reported
 * @param running requests being processed, null when not reported
 */
record PodGauges(long sampleTimeMs, Double kv, Double waiting, Double running, String cluster, String namespace, String pool) {

    PodGauges {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pool, "pool");
    }
}
