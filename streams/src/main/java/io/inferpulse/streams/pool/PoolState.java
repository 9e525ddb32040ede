package io.inferpulse.streams.pool;

import io.inferpulse.avro.PoolStats;
import io.inferpulse.streams.request.RequestStats;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One pool as its stream task holds it in memory: the latest sample of each pod, mirrored from the
 * per-pod store so that evaluating the pool costs O(its pods) and no store scan, and what was last
 * sent for it. Confined to the task's thread.
 */
final class PoolState {

    /** A pod's latest sample, with its store key built once rather than on every record. */
    static final class Pod {
        private final String storeKey;
        private PodGauges gauges;

        private Pod(String storeKey, PodGauges gauges) {
            this.storeKey = storeKey;
            this.gauges = gauges;
        }

        String storeKey() {
            return storeKey;
        }

        PodGauges gauges() {
            return gauges;
        }
    }

    private final Map<String, Pod> pods = new HashMap<>();
    private PoolGauges current = new PoolGauges();
    private PoolGauges sent = new PoolGauges();
    private boolean everSent;
    private long lastSentAtMs;
    private long lastRecordAtMs;
    private String cluster;
    private String namespace;
    private String pool;
    private RequestStats requests;
    private boolean requestsChanged;

    PoolState(long nowMs) {
        lastRecordAtMs = nowMs;
    }

    Pod pod(String name) {
        return pods.get(name);
    }

    /** Records the pod's latest sample here only; the caller writes the store. */
    void put(String name, String storeKey, PodGauges gauges) {
        Pod pod = pods.get(name);
        if (pod == null) {
            pod = new Pod(storeKey, gauges);
            pods.put(name, pod);
        } else {
            pod.gauges = gauges;
        }
        // Output records carry the names of the latest sample, so they remain known once every pod is gone.
        cluster = gauges.cluster();
        namespace = gauges.namespace();
        pool = gauges.pool();
    }

    /**
     * Takes the pool's latest request window, sent with every record from now on; the next evaluation
     * sends it even if the gauges are unchanged. The names come along in case no pod was seen yet.
     */
    void putRequests(RequestStats stats, String cluster, String namespace, String pool) {
        requests = stats;
        requestsChanged = true;
        if (this.pool == null) {
            this.cluster = cluster;
            this.namespace = namespace;
            this.pool = pool;
        }
    }

    void remove(String name) {
        pods.remove(name);
    }

    void recordSeenAt(long nowMs) {
        lastRecordAtMs = nowMs;
    }

    /** Deletes, here and in the store, every pod whose latest sample is older than {@code oldestKeptMs}. */
    void expirePods(long oldestKeptMs, KeyValueStore<String, PodGauges> store) {
        for (Iterator<Pod> it = pods.values().iterator(); it.hasNext(); ) {
            Pod pod = it.next();
            if (pod.gauges.sampleTimeMs() < oldestKeptMs) {
                store.delete(pod.storeKey);
                it.remove();
            }
        }
    }

    /** A pool with no pods is still reported, with zero ready pods, until this long after its last record. */
    boolean forgettable(long nowMs, long retentionMs) {
        return pods.isEmpty() && (requests == null || requests.empty()) && nowMs - lastRecordAtMs >= retentionMs;
    }

    /**
     * Re-evaluates the gauges and returns the record to send, or null when the gauges are unchanged
     * since the last one and {@code heartbeatDue} is false. A pool never sent before is always sent,
     * which after a restart re-announces every pool the task holds.
     */
    PoolStats evaluate(long nowMs, long stalenessMs, boolean heartbeatDue) {
        current.compute(pods.values(), nowMs, stalenessMs);
        if (everSent && !heartbeatDue && !requestsChanged && current.sameValuesAs(sent)) {
            return null;
        }
        PoolStats stats = current.toPoolStats(cluster, namespace, pool, nowMs);
        if (requests != null) {
            stats.setRequestRatePerSecond(requests.requestRatePerSecond());
            stats.setErrorRate(requests.errorRate());
            stats.setLatencyP50Seconds(requests.latencyP50Seconds());
            stats.setLatencyP90Seconds(requests.latencyP90Seconds());
            stats.setLatencyP99Seconds(requests.latencyP99Seconds());
            stats.setInputTokensPerSecond(requests.inputTokensPerSecond());
            stats.setOutputTokensPerSecond(requests.outputTokensPerSecond());
        }
        requestsChanged = false;
        PoolGauges previous = sent;
        sent = current;
        current = previous;
        everSent = true;
        lastSentAtMs = nowMs;
        return stats;
    }

    boolean heartbeatDue(long nowMs, long heartbeatMs, long evaluationIntervalMs) {
        // Send now if waiting for the next evaluation would leave the pool silent for longer than the heartbeat.
        return nowMs - lastSentAtMs + evaluationIntervalMs > heartbeatMs;
    }
}
