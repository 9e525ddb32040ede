package io.inferpulse.autoscaler.replicas;

import java.util.Objects;

/** An HPA's {@code spec.behavior}, both directions resolved (see {@link BehaviorYaml} for the defaults). */
public record Behavior(ScalingRules scaleUp, ScalingRules scaleDown) {
    public Behavior {
        Objects.requireNonNull(scaleUp, "scaleUp");
        Objects.requireNonNull(scaleDown, "scaleDown");
    }
}
