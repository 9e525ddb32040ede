package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.PoolStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Pool metrics, one item per InferencePool, labelled {@code name} (the pool), {@code namespace}
 * and {@code cluster} as the EPP labels its gauges. The averages are the EPP's own gauges; the
 * totals exist because HPA divides an {@code AverageValue} target into the sum of the items, not
 * by the pod count, so only a pool sum makes "N waiting requests per replica" mean that.
 */
enum PoolMetric implements MetricDefinition {
    AVERAGE_KV_CACHE_UTILIZATION("inference_pool_average_kv_cache_utilization",
            "Mean KV-cache use (0..1) over the pool's fresh pods: use with target type Value", PoolStats::getAverageKvCacheUtilization),
    AVERAGE_QUEUE_SIZE("inference_pool_average_queue_size",
            "Mean waiting requests per fresh pod: use with target type Value", PoolStats::getAverageQueueSize),
    AVERAGE_RUNNING_REQUESTS("inference_pool_average_running_requests",
            "Mean running requests per fresh pod: use with target type Value", PoolStats::getAverageRunningRequests),
    READY_PODS("inference_pool_ready_pods", "Pods with fresh metrics", s -> (double) s.getReadyPods()),
    TOTAL_QUEUE_SIZE("inference_pool_total_queue_size",
            "Waiting requests summed over fresh pods: use with target type AverageValue (waiting requests per replica)",
            PoolStats::getTotalQueueSize),
    TOTAL_RUNNING_REQUESTS("inference_pool_total_running_requests",
            "Running requests summed over fresh pods: use with target type AverageValue (running requests per replica)",
            PoolStats::getTotalRunningRequests);

    static final String NAME = "name";
    static final String NAMESPACE = "namespace";
    static final String CLUSTER = "cluster";

    private final String metricName;
    private final String description;
    private final Function<PoolStats, Double> value;

    PoolMetric(String metricName, String description, Function<PoolStats, Double> value) {
        this.metricName = metricName;
        this.description = description;
        this.value = value;
    }

    @Override
    public String metricName() {
        return metricName;
    }

    @Override
    public String description() {
        return description;
    }

    /** Null when the pool has no value: the averages of a pool without fresh pods. */
    Double value(PoolStats stats) {
        return value.apply(stats);
    }

    static Map<String, String> labels(PoolStats stats) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, stats.getPool());
        labels.put(NAMESPACE, stats.getNamespace());
        labels.put(CLUSTER, stats.getCluster());
        return labels;
    }
}
