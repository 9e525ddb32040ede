package io.inferpulse.autoscaler.replicas;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One sync's decision.
 *
 * @param replicas the replica count HPA sets (equal to the current count when it does not scale)
 * @param metricReplicas the largest proposal of the metrics before stabilization and limits; empty when
 *     the metrics were not consulted or gave no usable proposal
 * @param reason the condition or event reason HPA would show for this outcome, for example
 *     {@code ScaleUpLimit}, {@code ScaleDownStabilized} or {@code SucceededRescale}
 * @param message HPA's message for that reason
 */
public record Recommendation(int replicas, OptionalInt metricReplicas, String reason, String message) {
    public Recommendation {
        Objects.requireNonNull(metricReplicas, "metricReplicas");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }
}
