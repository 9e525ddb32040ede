package io.inferpulse.autoscaler.hpa;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The pool metrics an HPA can scale on, as the external metrics API serves them. The averages and
 * ready pods are the EPP's own gauges; the totals are inferpulse's pool sums, offered because an
 * {@code AverageValue} target only means "this much per replica" on a sum (see {@link HpaLint}).
 */
public enum HpaMetric {
    KV_CACHE_AVERAGE("kv-cache-average", "inference_pool_average_kv_cache_utilization"),
    QUEUE_AVERAGE("queue-average", "inference_pool_average_queue_size"),
    QUEUE_SUM("queue-sum", "inference_pool_total_queue_size"),
    RUNNING_AVERAGE("running-average", "inference_pool_average_running_requests"),
    RUNNING_SUM("running-sum", "inference_pool_total_running_requests"),
    READY_PODS("ready-pods", "inference_pool_ready_pods");

    static final String AVERAGE_PREFIX = "inference_pool_average_";

    private final String option;
    private final String eppName;

    HpaMetric(String option, String eppName) {
        this.option = option;
        this.eppName = eppName;
    }

    /** The name used on the command line and in the {@code inferpulse.io/autoscale-metric} annotation. */
    public String option() {
        return option;
    }

    /** The metric name in the EPP's form, e.g. {@code inference_pool_average_queue_size}. */
    public String eppName() {
        return eppName;
    }

    /** The pool sum that carries the same quantity as this average, if inferpulse serves one. */
    Optional<HpaMetric> sum() {
        return switch (this) {
            case QUEUE_AVERAGE -> Optional.of(QUEUE_SUM);
            case RUNNING_AVERAGE -> Optional.of(RUNNING_SUM);
            default -> Optional.empty();
        };
    }

    static Optional<HpaMetric> byEppName(String name) {
        return Arrays.stream(values()).filter(m -> m.eppName.equals(name)).findFirst();
    }

    /** @throws IllegalArgumentException listing the accepted names */
    public static HpaMetric fromOption(String option) {
        return Arrays.stream(values()).filter(m -> m.option.equals(option)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown metric \"" + option + "\"; use one of "
                        + Arrays.stream(values()).map(HpaMetric::option).collect(Collectors.joining(", "))));
    }
}
