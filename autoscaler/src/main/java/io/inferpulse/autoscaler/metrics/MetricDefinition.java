package io.inferpulse.autoscaler.metrics;

/** A metric the API serves: a pool gauge from pool-stats or a per-model figure from model-stats. */
sealed interface MetricDefinition permits PoolMetric, ModelMetric {
    /** The name HPA asks for, e.g. {@code inference_pool_average_kv_cache_utilization}. */
    String metricName();

    String description();
}
