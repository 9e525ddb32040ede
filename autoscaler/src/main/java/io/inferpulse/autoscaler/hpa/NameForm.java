package io.inferpulse.autoscaler.hpa;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How an HPA names a pool metric and selects the pool. inferpulse's external metrics API serves
 * both forms, so an HPA written for the Custom Metrics Stackdriver Adapter (seed 000) keeps working.
 */
public enum NameForm {
    /** The EPP's gauge name, pool chosen by the gauge's {@code name} label; the namespace comes from the request path. */
    EPP,
    /** {@code prometheus.googleapis.com|NAME|gauge} with {@code metric.labels.name}, {@code resource.labels.cluster} and {@code resource.labels.namespace}. */
    STACKDRIVER;

    private static final String STACKDRIVER_PREFIX = "prometheus.googleapis.com|";
    private static final String STACKDRIVER_SUFFIX = "|gauge";

    String metricName(HpaMetric metric) {
        return switch (this) {
            case EPP -> metric.eppName();
            case STACKDRIVER -> STACKDRIVER_PREFIX + metric.eppName() + STACKDRIVER_SUFFIX;
        };
    }

    /**
     * The selector's labels, in the seed's order. The EPP form adds {@code cluster} only when one is
     * given: one cluster's metrics need no cluster label, and HPA sums every item the selector matches.
     */
    Map<String, String> selector(String namespace, String pool, Optional<String> cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        switch (this) {
            case EPP -> {
                labels.put("name", pool);
                cluster.ifPresent(c -> labels.put("cluster", c));
            }
            case STACKDRIVER -> {
                labels.put("metric.labels.name", pool);
                labels.put("resource.labels.cluster", cluster.orElseThrow(() ->
                        new IllegalArgumentException("the stackdriver name form needs a cluster name")));
                labels.put("resource.labels.namespace", namespace);
            }
        }
        return labels;
    }

    /** The EPP name inside a metric name of either form: the Stackdriver wrapping removed. */
    static String eppName(String metricName) {
        if (metricName.startsWith(STACKDRIVER_PREFIX) && metricName.endsWith(STACKDRIVER_SUFFIX)
                && metricName.length() > STACKDRIVER_PREFIX.length() + STACKDRIVER_SUFFIX.length()) {
            return metricName.substring(STACKDRIVER_PREFIX.length(), metricName.length() - STACKDRIVER_SUFFIX.length());
        }
        return metricName;
    }

    /** The form a metric name is written in. */
    static NameForm of(String metricName) {
        return eppName(metricName).equals(metricName) ? EPP : STACKDRIVER;
    }
}
