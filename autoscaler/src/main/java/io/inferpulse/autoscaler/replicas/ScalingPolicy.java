package io.inferpulse.autoscaler.replicas;

import java.time.Duration;
import java.util.Objects;

/** One entry of {@code behavior.scaleUp.policies} or {@code scaleDown.policies}: at most {@code value} pods or percent per period. */
public record ScalingPolicy(Type type, int value, Duration period) {
    /** Kubernetes allows periods up to 30 minutes. */
    static final Duration MAX_PERIOD = Duration.ofMinutes(30);

    public enum Type { PODS, PERCENT }

    public ScalingPolicy {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(period, "period");
        if (value <= 0) {
            throw new IllegalArgumentException("policy value must be greater than zero, got " + value);
        }
        if (period.isNegative() || period.isZero() || period.compareTo(MAX_PERIOD) > 0) {
            throw new IllegalArgumentException("policy periodSeconds must be between 1 and 1800, got " + period.toSeconds());
        }
    }

    public static ScalingPolicy pods(int value, Duration period) {
        return new ScalingPolicy(Type.PODS, value, period);
    }

    public static ScalingPolicy percent(int value, Duration period) {
        return new ScalingPolicy(Type.PERCENT, value, period);
    }
}
