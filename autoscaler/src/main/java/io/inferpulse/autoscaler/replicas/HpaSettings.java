package io.inferpulse.autoscaler.replicas;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the HPA controller combines to normalize a proposal: the spec's bounds and behavior, and the
 * controller's own tolerance and scale-down stabilization window (its command-line flags).
 *
 * @param behavior empty for an HPA without {@code spec.behavior}, which Kubernetes treats differently:
 *     scale-up limited to max(2 x current, 4) per sync, only scale-down stabilized
 * @param downscaleStabilization {@code --horizontal-pod-autoscaler-downscale-stabilization}, used when
 *     there is no behavior
 */
public record HpaSettings(int minReplicas, int maxReplicas, double tolerance, Optional<Behavior> behavior,
        Duration downscaleStabilization) {
    public static final Duration DEFAULT_DOWNSCALE_STABILIZATION = Duration.ofMinutes(5);

    public HpaSettings {
        Objects.requireNonNull(behavior, "behavior");
        Objects.requireNonNull(downscaleStabilization, "downscaleStabilization");
        if (minReplicas < 0 || maxReplicas < 1 || minReplicas > maxReplicas) {
            throw new IllegalArgumentException("need 0 <= minReplicas <= maxReplicas and maxReplicas >= 1, got min "
                    + minReplicas + ", max " + maxReplicas);
        }
        if (downscaleStabilization.isNegative()) {
            throw new IllegalArgumentException("downscale stabilization must not be negative: " + downscaleStabilization);
        }
    }

    /** An HPA with these bounds and everything else at Kubernetes' defaults. */
    public static HpaSettings of(int minReplicas, int maxReplicas) {
        return new HpaSettings(minReplicas, maxReplicas, ReplicaCalculator.DEFAULT_TOLERANCE, Optional.empty(),
                DEFAULT_DOWNSCALE_STABILIZATION);
    }

    public HpaSettings withBehavior(Behavior newBehavior) {
        return new HpaSettings(minReplicas, maxReplicas, tolerance, Optional.of(newBehavior), downscaleStabilization);
    }
}
