package io.inferpulse.autoscaler.metrics;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One item of an ExternalMetricValueList.
 *
 * @param subject what the value describes, for messages: {@code pool c1/default/pool-0} or {@code model llama}
 * @param timestamp when the value was computed (pool-stats computed_at, model-stats window_end)
 */
record ExternalMetricValue(String metricName, Map<String, String> labels, Instant timestamp, double value, String subject) {
    ExternalMetricValue {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    ExternalMetricValue withValue(double replacement) {
        return new ExternalMetricValue(metricName, labels, timestamp, replacement, subject);
    }
}
