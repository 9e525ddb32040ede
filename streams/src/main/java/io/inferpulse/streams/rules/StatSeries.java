package io.inferpulse.streams.rules;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns our stats records into the series rules read (names documented in docs/alert-rules.md).
 *
 * <p>Pool gauges keep the EPP's metric names. Request statistics are windowed already, so each range-function
 * shape a rule may use over the EPP's counters and histogram has its own series, named
 * {@code <counter or histogram>:<what the function computes>}; the rule compiler rewrites the expression to read it.
 */
public final class StatSeries {

    public static final String POOL_KV_CACHE_UTILIZATION = "inference_pool_average_kv_cache_utilization";
    public static final String POOL_QUEUE_SIZE = "inference_pool_average_queue_size";
    public static final String POOL_RUNNING_REQUESTS = "inference_pool_average_running_requests";
    public static final String POOL_READY_PODS = "inference_pool_ready_pods";

    /** rate(inference_model_request_total[W]) per model and target. */
    public static final String REQUEST_RATE = "inference_model_request_total:rate";
    /** rate(inference_model_request_error_total[W]) per model and target. */
    public static final String ERROR_RATE = "inference_model_request_error_total:rate";
    /** histogram_quantile(φ, rate(inference_model_request_duration_seconds_bucket[W])) per model and target. */
    public static final String LATENCY_P50 = "inference_model_request_duration_seconds:p50";
    public static final String LATENCY_P90 = "inference_model_request_duration_seconds:p90";
    public static final String LATENCY_P99 = "inference_model_request_duration_seconds:p99";
    /** The same quantiles over all targets of a model: {@code sum by (le, model_name)} inside histogram_quantile. */
    public static final String MODEL_LATENCY_P50 = "inference_model_request_duration_seconds:p50_by_model";
    public static final String MODEL_LATENCY_P90 = "inference_model_request_duration_seconds:p90_by_model";
    public static final String MODEL_LATENCY_P99 = "inference_model_request_duration_seconds:p99_by_model";

    /** Every series name a stats record can produce, in documentation order. */
    public static final List<String> NAMES = List.of(POOL_KV_CACHE_UTILIZATION, POOL_QUEUE_SIZE, POOL_RUNNING_REQUESTS,
            POOL_READY_PODS, REQUEST_RATE, ERROR_RATE, LATENCY_P50, LATENCY_P90, LATENCY_P99, MODEL_LATENCY_P50,
            MODEL_LATENCY_P90, MODEL_LATENCY_P99);

    private StatSeries() {
    }

    /** The pool gauges, labelled {cluster (omitted when empty), namespace, name}; null gauges give no sample. */
    public static List<Sample> of(PoolStats stats) {
        Map<String, String> labels = new TreeMap<>();
        if (!stats.getCluster().isEmpty()) {
            labels.put("cluster", stats.getCluster());
        }
        labels.put("namespace", stats.getNamespace());
        labels.put("name", stats.getPool());
        List<Sample> out = new ArrayList<>(4);
        add(out, POOL_KV_CACHE_UTILIZATION, labels, stats.getAverageKvCacheUtilization());
        add(out, POOL_QUEUE_SIZE, labels, stats.getAverageQueueSize());
        add(out, POOL_RUNNING_REQUESTS, labels, stats.getAverageRunningRequests());
        add(out, POOL_READY_PODS, labels, (double) stats.getReadyPods());
        return List.copyOf(out);
    }

    /**
     * A per-target record (target_model_name non-empty) gives the rates and quantiles labelled {model_name,
     * target_model_name}; the per-model total (target "") gives only the per-model quantiles, labelled {model_name},
     * because per-model rates are the sum of the per-target ones and a rule sums them itself. A quantile of a window
     * without requests is NaN, as histogram_quantile over empty buckets is, so it never fires.
     */
    public static List<Sample> of(ModelStats stats) {
        String model = stats.getModelName();
        String target = stats.getTargetModelName();
        if (target.isEmpty()) {
            Map<String, String> labels = Map.of("model_name", model);
            return List.of(
                    Sample.of(MODEL_LATENCY_P50, labels, orNaN(stats.getLatencyP50Seconds())),
                    Sample.of(MODEL_LATENCY_P90, labels, orNaN(stats.getLatencyP90Seconds())),
                    Sample.of(MODEL_LATENCY_P99, labels, orNaN(stats.getLatencyP99Seconds())));
        }
        Map<String, String> labels = Map.of("model_name", model, "target_model_name", target);
        double requestRate = stats.getRequestRatePerSecond();
        // request_rate_per_second is request_count over the window, so errors scale by the same factor.
        double errorRate = stats.getRequestCount() == 0 ? 0.0
                : requestRate * stats.getErrorCount() / stats.getRequestCount();
        return List.of(
                Sample.of(REQUEST_RATE, labels, requestRate),
                Sample.of(ERROR_RATE, labels, errorRate),
                Sample.of(LATENCY_P50, labels, orNaN(stats.getLatencyP50Seconds())),
                Sample.of(LATENCY_P90, labels, orNaN(stats.getLatencyP90Seconds())),
                Sample.of(LATENCY_P99, labels, orNaN(stats.getLatencyP99Seconds())));
    }

    private static void add(List<Sample> out, String name, Map<String, String> labels, Double value) {
        if (value != null) {
            out.add(Sample.of(name, labels, value));
        }
    }

    private static double orNaN(Double value) {
        return value == null ? Double.NaN : value;
    }
}
