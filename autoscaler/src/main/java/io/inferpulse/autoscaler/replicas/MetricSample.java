package io.inferpulse.autoscaler.replicas;

import java.util.Map;
import java.util.Objects;

/**
 * One metric of an HPA's {@code spec.metrics} with what it reads at one sync. Object metrics are
 * computed exactly like external ones (Kubernetes uses the same formulas), so they are expressed as
 * {@link ExternalValue} or {@link ExternalAverageValue}.
 */
public sealed interface MetricSample {
    /** The metric's name, as HPA names it in events ({@code "<name> above target"}). */
    String metric();

    /**
     * {@code target.type: Value}: the sum of the items the metrics API returned against {@code target};
     * HPA scales to ceil(ready pods x value / target).
     */
    record ExternalValue(String metric, double value, double target) implements MetricSample {
        public ExternalValue {
            Objects.requireNonNull(metric, "metric");
            requirePositive(metric, target);
        }
    }

    /**
     * {@code target.type: AverageValue}: the sum of the items against a per-pod target; HPA scales to
     * ceil(value / target) whatever the current count, once the change is outside the tolerance.
     */
    record ExternalAverageValue(String metric, double value, double targetAverage) implements MetricSample {
        public ExternalAverageValue {
            Objects.requireNonNull(metric, "metric");
            requirePositive(metric, targetAverage);
        }
    }

    /**
     * A {@code Pods} metric: one value per pod name (pods without a value are "missing") against an
     * {@code averageValue} target.
     */
    record PodsAverageValue(String metric, Map<String, Double> valueByPod, double targetAverage) implements MetricSample {
        public PodsAverageValue {
            Objects.requireNonNull(metric, "metric");
            valueByPod = Map.copyOf(valueByPod);
            requirePositive(metric, targetAverage);
        }
    }

    /** The metric could not be read this sync (for example a stale value the metrics API refused). */
    record Unavailable(String metric, String reason) implements MetricSample {
        public Unavailable {
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private static void requirePositive(String metric, double target) {
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new IllegalArgumentException("metric " + metric + ": target must be a positive number, got " + target);
        }
    }
}
