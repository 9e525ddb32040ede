package io.inferpulse.autoscaler.replicas;

/** A metric gave no replica proposal: HPA reports it on the ScalingActive condition and skips the metric. */
public final class MetricException extends Exception {
    public MetricException(String message) {
        super(message);
    }
}
