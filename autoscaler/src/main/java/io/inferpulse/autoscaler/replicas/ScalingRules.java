package io.inferpulse.autoscaler.replicas;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** {@code behavior.scaleUp} or {@code behavior.scaleDown}, with Kubernetes' defaults filled in. */
public record ScalingRules(Duration stabilizationWindow, Select select, List<ScalingPolicy> policies) {
    /** Kubernetes allows stabilization windows up to one hour. */
    static final Duration MAX_WINDOW = Duration.ofHours(1);

    /** {@code selectPolicy}: the policy allowing the largest change, the smallest, or no change at all. */
    public enum Select { MAX, MIN, DISABLED }

    public ScalingRules {
        Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
        Objects.requireNonNull(select, "select");
        policies = List.copyOf(policies);
        if (stabilizationWindow.isNegative() || stabilizationWindow.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("stabilizationWindowSeconds must be between 0 and 3600, got "
                    + stabilizationWindow.toSeconds());
        }
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("must specify at least one policy");
        }
    }

    /** The API server's default scale-up: no window; double or add 4 pods every 15 s, whichever is more. */
    public static ScalingRules defaultScaleUp() {
        return new ScalingRules(Duration.ZERO, Select.MAX, List.of(
                ScalingPolicy.percent(100, Duration.ofSeconds(15)), ScalingPolicy.pods(4, Duration.ofSeconds(15))));
    }

    /** The API server's default scale-down: any amount every 15 s, after the controller's stabilization window. */
    public static ScalingRules defaultScaleDown(Duration stabilizationWindow) {
        return new ScalingRules(stabilizationWindow, Select.MAX, List.of(ScalingPolicy.percent(100, Duration.ofSeconds(15))));
    }

    Duration longestPeriod() {
        return policies.stream().map(ScalingPolicy::period).max(Duration::compareTo).orElseThrow();
    }
}
