package io.inferpulse.autoscaler.replicas;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One scale target with one External metric, driven through the HPA controller sync by sync with no
 * cluster behind it: each decision is taken as applied, so the next sync starts from the count the
 * last one set. {@code what-if} feeds it a recorded series; the demo feeds it live values and scales its
 * simulated pool to each decision.
 *
 * <p>Not thread-safe, like {@link Autoscaler}: one instance per scale target, called from one loop.
 */
public final class HpaReplay {
    /** The metric's {@code target.type}. */
    public enum TargetType { VALUE, AVERAGE_VALUE }

    private final Autoscaler hpa;
    private final String metric;
    private final TargetType type;
    private final double target;
    private int replicas;

    /** @param initialReplicas the target's count before the first sync */
    public HpaReplay(HpaSettings settings, String metric, TargetType type, double target, int initialReplicas) {
        this.hpa = new Autoscaler(settings);
        this.metric = Objects.requireNonNull(metric, "metric");
        this.type = Objects.requireNonNull(type, "type");
        this.target = target;
        this.replicas = initialReplicas;
    }

    /** The count the last sync set, or the initial count before the first. */
    public int replicas() {
        return replicas;
    }

    /**
     * The sync at {@code now}, applied.
     *
     * @param value the metric's value; empty when it could not be read, as when the metrics API has no
     *     current value, and HPA then keeps the count
     * @param ready the ready pods, capped at the current count; empty when every pod is ready
     */
    public Recommendation sync(Instant now, OptionalDouble value, OptionalInt ready) {
        MetricSample sample = value.isEmpty() ? new MetricSample.Unavailable(metric, "no current value")
                : switch (type) {
                    case VALUE -> new MetricSample.ExternalValue(metric, value.getAsDouble(), target);
                    case AVERAGE_VALUE -> new MetricSample.ExternalAverageValue(metric, value.getAsDouble(), target);
                };
        int readyPods = Math.min(replicas, ready.orElse(replicas));
        Recommendation decision = hpa.recommend(now, replicas, Pod.numbered(replicas, readyPods), List.of(sample));
        replicas = decision.replicas();
        return decision;
    }
}
