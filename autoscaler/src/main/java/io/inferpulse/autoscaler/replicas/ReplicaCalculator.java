package io.inferpulse.autoscaler.replicas;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replica count one metric asks for, as Kubernetes' {@code ReplicaCalculator} computes it: the
 * usage ratio against the target, the tolerance around 1.0, and for per-pod metrics the handling of
 * pods without a sample (missing) and of pods not running yet.
 */
public final class ReplicaCalculator {
    /** The controller's {@code --horizontal-pod-autoscaler-tolerance} default. */
    public static final double DEFAULT_TOLERANCE = 0.1;

    private final double tolerance;

    public ReplicaCalculator(double tolerance) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be a non-negative number, got " + tolerance);
        }
        this.tolerance = tolerance;
    }

    /** The proposal of one metric given the target's current replica count and its pods. */
    public int replicas(MetricSample sample, int currentReplicas, List<Pod> pods) throws MetricException {
        return switch (sample) {
            case MetricSample.ExternalValue v -> usageRatioReplicas(currentReplicas,
                    (double) milli(v.value()) / milli(v.target()), pods);
            case MetricSample.ExternalAverageValue a -> perPodReplicas(currentReplicas, milli(a.value()), milli(a.targetAverage()));
            case MetricSample.PodsAverageValue p -> podsReplicas(currentReplicas, p, pods);
            case MetricSample.Unavailable u -> throw new MetricException("unable to get metric " + u.metric() + ": " + u.reason());
        };
    }

    private boolean withinTolerance(double usageRatio) {
        return Math.abs(1.0 - usageRatio) <= tolerance;
    }

    /** {@code GetExternalMetricReplicas} / {@code GetObjectMetricReplicas}: the ratio times the ready pods. */
    private int usageRatioReplicas(int currentReplicas, double usageRatio, List<Pod> pods) throws MetricException {
        if (currentReplicas == 0) {
            // Scale from zero (minReplicas 0): no pods to count, and no tolerance to respect.
            return ceil(usageRatio);
        }
        if (withinTolerance(usageRatio)) {
            return currentReplicas;
        }
        if (pods.isEmpty()) {
            throw new MetricException("unable to calculate ready pods: no pods returned by selector while calculating replica count");
        }
        long ready = pods.stream().filter(p -> p.state() == PodState.READY).count();
        return ceil(usageRatio * ready);
    }

    /** {@code GetExternalPerPodMetricReplicas}: ceil(usage / target), compared with the current count for tolerance. */
    private int perPodReplicas(int currentReplicas, long usage, long targetPerPod) {
        double usageRatio = (double) usage / ((double) targetPerPod * currentReplicas);
        return withinTolerance(usageRatio) ? currentReplicas : ceil((double) usage / targetPerPod);
    }

    /** {@code calcPlainMetricReplicas}: the average over pods with a sample, then a second look with the others filled in. */
    private int podsReplicas(int currentReplicas, MetricSample.PodsAverageValue sample, List<Pod> pods) throws MetricException {
        if (pods.isEmpty()) {
            throw new MetricException("no pods returned by selector while calculating replica count");
        }
        // Samples of pods the lister does not know stay in, as in Kubernetes: the metrics API is the
        // source of truth for values, the lister only for which pods to set aside.
        Map<String, Long> metrics = new HashMap<>();
        sample.valueByPod().forEach((pod, value) -> metrics.put(pod, milli(value)));
        int readyPodCount = 0;
        Set<String> unready = new HashSet<>();
        Set<String> missing = new HashSet<>();
        for (Pod pod : pods) {
            switch (pod.state()) {
                case TERMINATING -> metrics.remove(pod.name());
                case PENDING -> {
                    metrics.remove(pod.name());
                    unready.add(pod.name());
                }
                case READY, NOT_READY -> {
                    if (metrics.containsKey(pod.name())) {
                        readyPodCount++;
                    } else {
                        missing.add(pod.name());
                    }
                }
            }
        }
        if (metrics.isEmpty()) {
            throw new MetricException("did not receive metrics for targeted pods (pods might be unready)");
        }
        long target = milli(sample.targetAverage());
        double usageRatio = usageRatio(metrics, target);

        boolean scaleUpWithUnready = !unready.isEmpty() && usageRatio > 1.0;
        if (!scaleUpWithUnready && missing.isEmpty()) {
            return withinTolerance(usageRatio) ? currentReplicas : ceil(usageRatio * readyPodCount);
        }
        // Assume the worst for the direction of the change, so that pods without a sample damp it:
        // on a scale-down they use exactly the target, on a scale-up nothing.
        if (usageRatio < 1.0) {
            missing.forEach(pod -> metrics.put(pod, target));
        } else if (usageRatio > 1.0) {
            missing.forEach(pod -> metrics.put(pod, 0L));
        }
        if (scaleUpWithUnready) {
            unready.forEach(pod -> metrics.put(pod, 0L));
        }
        double newUsageRatio = usageRatio(metrics, target);
        if (withinTolerance(newUsageRatio) || (usageRatio < 1.0 && newUsageRatio > 1.0)
                || (usageRatio > 1.0 && newUsageRatio < 1.0)) {
            // The filled-in pods turned the decision around or made it too small to act on.
            return currentReplicas;
        }
        int newReplicas = ceil(newUsageRatio * metrics.size());
        if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
            return currentReplicas;
        }
        return newReplicas;
    }

    /** {@code GetMetricUsageRatio}: the average is an integer division of milli-units, as in Kubernetes. */
    private static double usageRatio(Map<String, Long> metrics, long target) {
        long total = metrics.values().stream().mapToLong(Long::longValue).sum();
        return (double) (total / metrics.size()) / target;
    }

    /**
     * HPA reads every quantity as milli-units rounded up ({@code Quantity.MilliValue}); doing the same
     * keeps ratios such as 0.3 / 0.1 exact, where doubles would give 2.9999999999999996.
     */
    static long milli(double value) {
        return BigDecimal.valueOf(value).movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    private static int ceil(double replicas) {
        return replicas >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.ceil(replicas);
    }
}
