package io.inferpulse.autoscaler.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A metric as HPA names it: the EPP name ({@code inference_pool_average_kv_cache_utilization}) or
 * the Custom Metrics Stackdriver Adapter's form of a managed-Prometheus metric
 * ({@code prometheus.googleapis.com|inference_pool_average_kv_cache_utilization|gauge}), whose
 * labels are {@code metric.labels.<label>} and, for the monitored resource,
 * {@code resource.labels.cluster} and {@code resource.labels.namespace}. Answering the second form
 * is what lets the seed's HPA manifest work unchanged.
 *
 * @param requested the name as asked for, returned as each item's metricName
 */
record MetricName(String requested, MetricDefinition definition, Form form) {
    static final String STACKDRIVER_PREFIX = "prometheus.googleapis.com|";
    static final String STACKDRIVER_GAUGE = "|gauge";

    enum Form {
        EPP,
        STACKDRIVER;

        /** The label as this form spells it: {@code name} or {@code metric.labels.name}. */
        String label(String eppLabel) {
            if (this == EPP) {
                return eppLabel;
            }
            return eppLabel.equals(PoolMetric.CLUSTER) || eppLabel.equals(PoolMetric.NAMESPACE)
                    ? "resource.labels." + eppLabel : "metric.labels." + eppLabel;
        }

        Map<String, String> labels(Map<String, String> eppLabels) {
            if (this == EPP) {
                return eppLabels;
            }
            Map<String, String> out = new LinkedHashMap<>();
            eppLabels.forEach((k, v) -> out.put(label(k), v));
            return out;
        }
    }

    static Stream<MetricDefinition> all() {
        return Stream.concat(Arrays.stream(PoolMetric.values()), Arrays.stream(ModelMetric.values()));
    }

    static Optional<MetricName> resolve(String requested) {
        String epp = requested;
        Form form = Form.EPP;
        if (requested.startsWith(STACKDRIVER_PREFIX) && requested.endsWith(STACKDRIVER_GAUGE)
                && requested.length() > STACKDRIVER_PREFIX.length() + STACKDRIVER_GAUGE.length()) {
            epp = requested.substring(STACKDRIVER_PREFIX.length(), requested.length() - STACKDRIVER_GAUGE.length());
            form = Form.STACKDRIVER;
        }
        String name = epp;
        Form f = form;
        return all().filter(d -> d.metricName().equals(name)).findFirst().map(d -> new MetricName(requested, d, f));
    }
}
