package io.inferpulse.ingest.engine;

import io.inferpulse.ingest.promtext.Labels;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where one engine-neutral value (requests waiting, requests running, KV-cache use) comes from in
 * an engine's /metrics.
 *
 * @param metric        the series name, e.g. {@code sglang:num_queue_reqs}
 * @param labelFilter   labels a series must carry with exactly these values, e.g.
 *                      {@code request_type=waiting} for Triton's shared request gauge; an empty value
 *                      matches a series without that label, as in a Prometheus selector
 * @param aggregation   how the matching series combine
 * @param scale         multiplies the combined value, e.g. {@code 0.01} for an engine that reports
 *                      KV-cache use in percent; must be finite and positive so that it preserves
 *                      which series is the maximum
 * @param replicaLabels labels that only tell copies of one value apart: SGLang repeats its
 *                      scheduler gauges once per tensor-parallel rank ({@code tp_rank}), so its
 *                      series that differ only in these labels are merged by their maximum before
 *                      {@code aggregation} combines the rest (the data-parallel ranks)
 */
public record FieldSpec(String metric, Map<String, String> labelFilter, Aggregation aggregation, double scale,
                        Set<String> replicaLabels) {

    public FieldSpec {
        Names.requireMetric(metric, "metric");
        labelFilter = Map.copyOf(labelFilter);
        labelFilter.forEach((name, value) -> Names.requireLabel(name, "label filter name"));
        Objects.requireNonNull(aggregation, "aggregation");
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be a finite number > 0, got " + scale);
        }
        replicaLabels = Set.copyOf(replicaLabels);
        replicaLabels.forEach(name -> Names.requireLabel(name, "replica label"));
    }

    /** A field without replica labels, the common case. */
    public FieldSpec(String metric, Map<String, String> labelFilter, Aggregation aggregation, double scale) {
        this(metric, labelFilter, aggregation, scale, Set.of());
    }

    /** Every series of {@code metric}, summed, unscaled: a request count. */
    public static FieldSpec sum(String metric) {
        return new FieldSpec(metric, Map.of(), Aggregation.SUM, 1.0);
    }

    /** Every series of {@code metric}, the largest, unscaled: a utilization ratio. */
    public static FieldSpec max(String metric) {
        return new FieldSpec(metric, Map.of(), Aggregation.MAX, 1.0);
    }

    /** Whether a series of {@link #metric} passes the label filter. */
    boolean matches(Labels labels) {
        for (Map.Entry<String, String> required : labelFilter.entrySet()) {
            String actual = labels.get(required.getKey());
            if (actual == null ? !required.getValue().isEmpty() : !actual.equals(required.getValue())) {
                return false;
            }
        }
        return true;
    }
}
