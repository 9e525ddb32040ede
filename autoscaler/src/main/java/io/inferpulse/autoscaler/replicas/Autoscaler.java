package io.inferpulse.autoscaler.replicas;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The HPA controller's decision for one scale target, fed one sync at a time: the metrics' largest
 * proposal, then min/max, stabilization and the scale-rate limits, with the history Kubernetes keeps
 * between syncs (recent recommendations, recent scale events). Each decision is assumed to be applied,
 * as the controller applies it; the next call's {@code currentReplicas} says what actually happened.
 *
 * <p>Not thread-safe: one instance per scale target, called from one loop.
 */
public final class Autoscaler {
    /** Without {@code behavior}, a sync may at most double the count, or reach 4 from below. */
    private static final int SCALE_UP_LIMIT_FACTOR = 2;
    private static final int SCALE_UP_LIMIT_MINIMUM = 4;

    private final HpaSettings settings;
    private final ReplicaCalculator calculator;
    private final List<Timestamped> recommendations = new ArrayList<>();
    private final List<Timestamped> scaleUpEvents = new ArrayList<>();
    private final List<Timestamped> scaleDownEvents = new ArrayList<>();

    public Autoscaler(HpaSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.calculator = new ReplicaCalculator(settings.tolerance());
    }

    /**
     * The replica count HPA would set at {@code now}.
     *
     * @param currentReplicas the scale target's {@code spec.replicas}
     * @param pods the target's pods, for readiness and for per-pod metrics
     * @param metrics one sample per entry of the HPA's {@code spec.metrics}
     */
    public Recommendation recommend(Instant now, int currentReplicas, List<Pod> pods, List<MetricSample> metrics) {
        Objects.requireNonNull(now, "now");
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("an HPA needs at least one metric");
        }
        if (recommendations.isEmpty()) {
            // The controller's first look counts the current size as a recommendation, so a freshly
            // started HPA does not scale down before one stabilization window has passed.
            recommendations.add(new Timestamped(currentReplicas, now));
        }
        int min = settings.minReplicas();
        int max = settings.maxReplicas();
        if (currentReplicas == 0 && min != 0) {
            return new Recommendation(0, OptionalInt.empty(), "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero");
        }
        if (currentReplicas > max) {
            return rescale(now, currentReplicas, max, OptionalInt.empty(), "SucceededRescale",
                    "New size: " + max + "; reason: Current number of replicas above Spec.MaxReplicas");
        }
        if (currentReplicas < min) {
            return rescale(now, currentReplicas, min, OptionalInt.empty(), "SucceededRescale",
                    "New size: " + min + "; reason: Current number of replicas below Spec.MinReplicas");
        }

        int proposal = 0;
        String proposingMetric = null;
        int invalid = 0;
        String firstError = null;
        for (MetricSample sample : metrics) {
            try {
                int replicas = calculator.replicas(sample, currentReplicas, pods);
                if (proposingMetric == null || replicas > proposal) {
                    proposal = replicas;
                    proposingMetric = sample.metric();
                }
            } catch (MetricException e) {
                invalid++;
                if (firstError == null) {
                    firstError = e.getMessage();
                }
            }
        }
        // A broken metric may be the one that would have asked for more pods: never scale down without it.
        if (invalid == metrics.size() || (invalid > 0 && proposal < currentReplicas)) {
            return new Recommendation(currentReplicas, OptionalInt.empty(), "FailedComputeMetricsReplicas",
                    "invalid metrics (" + invalid + " invalid out of " + metrics.size() + "), first error is: " + firstError);
        }

        Normalized normalized = settings.behavior().isPresent()
                ? normalizeWithBehavior(now, settings.behavior().get(), currentReplicas, proposal)
                : normalizeWithoutBehavior(now, currentReplicas, proposal);
        OptionalInt metricReplicas = OptionalInt.of(proposal);
        if (normalized.replicas() != normalized.stabilized()) {
            return rescale(now, currentReplicas, normalized.replicas(), metricReplicas, normalized.limitReason(),
                    normalized.limitMessage());
        }
        if (normalized.stabilized() != proposal) {
            return rescale(now, currentReplicas, normalized.replicas(), metricReplicas, normalized.stabilizeReason(),
                    normalized.stabilizeMessage());
        }
        if (normalized.replicas() != currentReplicas) {
            String why = normalized.replicas() > currentReplicas ? proposingMetric + " above target" : "All metrics below target";
            return rescale(now, currentReplicas, normalized.replicas(), metricReplicas, "SucceededRescale",
                    "New size: " + normalized.replicas() + "; reason: " + why);
        }
        return new Recommendation(currentReplicas, metricReplicas, "ReadyForNewScale", "recommended size matches current size");
    }

    private Recommendation rescale(Instant now, int currentReplicas, int replicas, OptionalInt metricReplicas,
            String reason, String message) {
        if (replicas != currentReplicas) {
            settings.behavior().ifPresent(behavior -> storeScaleEvent(now, behavior, currentReplicas, replicas));
        }
        return new Recommendation(replicas, metricReplicas, reason, message);
    }

    /** {@code normalizeDesiredReplicas}: the highest recommendation of the downscale window, then min, max and the fixed scale-up limit. */
    private Normalized normalizeWithoutBehavior(Instant now, int currentReplicas, int proposal) {
        Instant cutoff = now.minus(settings.downscaleStabilization());
        int stabilized = proposal;
        for (Timestamped rec : recommendations) {
            if (!rec.at().isBefore(cutoff)) {
                stabilized = Math.max(stabilized, rec.replicas());
            }
        }
        recommendations.removeIf(rec -> rec.at().isBefore(cutoff));
        recommendations.add(new Timestamped(proposal, now));

        int scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM);
        int maxAllowed;
        String reason;
        String message;
        if (settings.maxReplicas() > scaleUpLimit) {
            maxAllowed = scaleUpLimit;
            reason = "ScaleUpLimit";
            message = "the desired replica count is increasing faster than the maximum scale rate";
        } else {
            maxAllowed = settings.maxReplicas();
            reason = "TooManyReplicas";
            message = "the desired replica count is more than the maximum replica count";
        }
        int replicas = stabilized;
        if (stabilized < settings.minReplicas()) {
            replicas = settings.minReplicas();
            reason = "TooFewReplicas";
            message = "the desired replica count is less than the minimum replica count";
        } else if (stabilized > maxAllowed) {
            replicas = maxAllowed;
        }
        return new Normalized(stabilized, "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation",
                replicas, reason, message);
    }

    /** {@code normalizeDesiredReplicasWithBehaviors}: both stabilization windows, then the policies' rate limits within min and max. */
    private Normalized normalizeWithBehavior(Instant now, Behavior behavior, int currentReplicas, int proposal) {
        Instant upCutoff = now.minus(behavior.scaleUp().stabilizationWindow());
        Instant downCutoff = now.minus(behavior.scaleDown().stabilizationWindow());
        // Scale up no further than the lowest recent recommendation, down no further than the highest.
        int upRecommendation = proposal;
        int downRecommendation = proposal;
        for (Timestamped rec : recommendations) {
            if (rec.at().isAfter(upCutoff)) {
                upRecommendation = Math.min(upRecommendation, rec.replicas());
            }
            if (rec.at().isAfter(downCutoff)) {
                downRecommendation = Math.max(downRecommendation, rec.replicas());
            }
        }
        recommendations.removeIf(rec -> rec.at().isBefore(upCutoff) && rec.at().isBefore(downCutoff));
        recommendations.add(new Timestamped(proposal, now));
        int stabilized = Math.min(Math.max(currentReplicas, upRecommendation), downRecommendation);

        int replicas = stabilized;
        String reason = "DesiredWithinRange";
        String message = "the desired count is within the acceptable range";
        if (stabilized > currentReplicas) {
            int scaleUpLimit = Math.max(currentReplicas, scaleUpLimit(now, currentReplicas, behavior.scaleUp()));
            if (settings.maxReplicas() > scaleUpLimit) {
                reason = "ScaleUpLimit";
                message = "the desired replica count is increasing faster than the maximum scale rate";
            } else {
                reason = "TooManyReplicas";
                message = "the desired replica count is more than the maximum replica count";
            }
            replicas = Math.min(stabilized, Math.min(settings.maxReplicas(), scaleUpLimit));
        } else if (stabilized < currentReplicas) {
            int scaleDownLimit = Math.min(currentReplicas, scaleDownLimit(now, currentReplicas, behavior.scaleDown()));
            if (settings.minReplicas() < scaleDownLimit) {
                reason = "ScaleDownLimit";
                message = "the desired replica count is decreasing faster than the maximum scale rate";
            } else {
                reason = "TooFewReplicas";
                message = "the desired replica count is less than the minimum replica count";
            }
            replicas = Math.max(stabilized, Math.max(settings.minReplicas(), scaleDownLimit));
        }
        boolean up = proposal >= currentReplicas;
        return new Normalized(stabilized, up ? "ScaleUpStabilized" : "ScaleDownStabilized",
                up ? "recent recommendations were lower than current one, applying the lowest recent recommendation"
                        : "recent recommendations were higher than current one, applying the highest recent recommendation",
                replicas, reason, message);
    }

    /** {@code calculateScaleUpLimitWithScalingRules}: each policy counts from the size at the start of its period. */
    private int scaleUpLimit(Instant now, int currentReplicas, ScalingRules rules) {
        if (rules.select() == ScalingRules.Select.DISABLED) {
            return currentReplicas;
        }
        boolean smallest = rules.select() == ScalingRules.Select.MIN;
        int result = smallest ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (ScalingPolicy policy : rules.policies()) {
            int periodStart = periodStartReplicas(now, currentReplicas, policy.period());
            int proposed = switch (policy.type()) {
                case PODS -> periodStart + policy.value();
                // Rounded up, or a small target could never grow by a percentage.
                case PERCENT -> (int) Math.ceil(periodStart * (1 + policy.value() / 100.0));
            };
            result = smallest ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    /** {@code calculateScaleDownLimitWithBehaviors}: for scale-down the largest change is the lowest count. */
    private int scaleDownLimit(Instant now, int currentReplicas, ScalingRules rules) {
        if (rules.select() == ScalingRules.Select.DISABLED) {
            return currentReplicas;
        }
        boolean smallestChange = rules.select() == ScalingRules.Select.MIN;
        int result = smallestChange ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (ScalingPolicy policy : rules.policies()) {
            int periodStart = periodStartReplicas(now, currentReplicas, policy.period());
            int proposed = switch (policy.type()) {
                case PODS -> periodStart - policy.value();
                case PERCENT -> (int) (periodStart * (1 - policy.value() / 100.0));
            };
            result = smallestChange ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    private int periodStartReplicas(Instant now, int currentReplicas, Duration period) {
        Instant cutoff = now.minus(period);
        return currentReplicas - changeSince(scaleUpEvents, cutoff) + changeSince(scaleDownEvents, cutoff);
    }

    private static int changeSince(List<Timestamped> events, Instant cutoff) {
        return events.stream().filter(e -> e.at().isAfter(cutoff)).mapToInt(Timestamped::replicas).sum();
    }

    /** {@code storeScaleEvent}: events older than every policy period of their direction can no longer count. */
    private void storeScaleEvent(Instant now, Behavior behavior, int previous, int replicas) {
        boolean up = replicas > previous;
        List<Timestamped> events = up ? scaleUpEvents : scaleDownEvents;
        Instant cutoff = now.minus((up ? behavior.scaleUp() : behavior.scaleDown()).longestPeriod());
        events.removeIf(e -> e.at().isBefore(cutoff));
        events.add(new Timestamped(Math.abs(replicas - previous), now));
    }

    /** A recommendation, or for scale events the number of pods added or removed, at a time. */
    private record Timestamped(int replicas, Instant at) {
    }

    private record Normalized(int stabilized, String stabilizeReason, String stabilizeMessage, int replicas,
            String limitReason, String limitMessage) {
    }
}
