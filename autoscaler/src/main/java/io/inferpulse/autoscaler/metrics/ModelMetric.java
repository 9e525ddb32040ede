package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-model metrics over the request-stats window, labelled {@code model_name} and
 * {@code target_model_name} as the EPP labels its request metrics. Models belong to no namespace:
 * they are served in every namespace's path. A model's total has an empty
 * {@code target_model_name}; the per-target items are served only to selectors that name
 * {@code target_model_name}, because HPA sums every item it gets and a P99 or a rate summed over
 * a model and its own targets means nothing.
 */
enum ModelMetric implements MetricDefinition {
    LATENCY_P99_SECONDS("inference_objective_request_duration_p99_seconds",
            "99th percentile request latency over the window, seconds", ModelStats::getLatencyP99Seconds),
    ERROR_RATE("inference_objective_request_error_ratio",
            "Fraction (0..1) of requests that failed over the window", ModelStats::getErrorRate),
    REQUEST_RATE("inference_objective_request_rate_per_second",
            "Requests per second over the window", ModelStats::getRequestRatePerSecond);

    static final String MODEL_NAME = "model_name";
    static final String TARGET_MODEL_NAME = "target_model_name";

    private final String metricName;
    private final String description;
    private final Function<ModelStats, Double> value;

    ModelMetric(String metricName, String description, Function<ModelStats, Double> value) {
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

    /** Null when there is no value: no requests in the window. */
    Double value(ModelStats stats) {
        return value.apply(stats);
    }

    static Map<String, String> labels(ModelStats stats) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MODEL_NAME, stats.getModelName());
        labels.put(TARGET_MODEL_NAME, stats.getTargetModelName());
        return labels;
    }
}
