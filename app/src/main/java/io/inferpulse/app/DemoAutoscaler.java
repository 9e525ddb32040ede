package io.inferpulse.app;

import io.inferpulse.autoscaler.replicas.Behavior;
import io.inferpulse.autoscaler.replicas.HpaReplay;
import io.inferpulse.autoscaler.replicas.HpaSettings;
import io.inferpulse.autoscaler.replicas.Recommendation;
import io.inferpulse.autoscaler.replicas.ScalingRules;
import io.inferpulse.devstack.fleet.FleetSimulator;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The HPA controller the demo has no cluster for: every sync period it asks, per pool, for the
 * pool's average KV-cache use (as an HPA with an External metric and a {@code Value} target would
 * read it from the external metrics API), lets Kubernetes' algorithm decide the replica count, and
 * scales the simulated pool to it. {@code onScaled} runs after a change, so discovery can follow.
 */
final class DemoAutoscaler {
    static final String METRIC = "inference_pool_average_kv_cache_utilization";

    private final FleetSimulator fleet;
    private final Function<String, OptionalDouble> metric;
    private final double target;
    private final Map<String, HpaReplay> byPool = new LinkedHashMap<>();
    private final PrintStream events;
    private final Runnable onScaled;
    private final Clock clock;

    /**
     * @param pools             the pools to scale, each between its starting count and {@code maxReplicas}
     * @param metric            the metric's current value for a pool, empty when there is none (stale or missing)
     * @param scaleDownWindow   scale-down stabilization; Kubernetes' default is 5 minutes
     */
    DemoAutoscaler(FleetSimulator fleet, List<String> pools, int minReplicas, int maxReplicas, double target,
                   Duration scaleDownWindow, Function<String, OptionalDouble> metric, PrintStream events, Runnable onScaled,
                   Clock clock) {
        this.fleet = fleet;
        this.metric = metric;
        this.target = target;
        this.events = events;
        this.onScaled = onScaled;
        this.clock = clock;
        HpaSettings settings = HpaSettings.of(minReplicas, maxReplicas).withBehavior(new Behavior(
                ScalingRules.defaultScaleUp(), ScalingRules.defaultScaleDown(scaleDownWindow)));
        // Only this autoscaler scales the fleet, so each replay's count stays the pool's.
        pools.forEach(pool -> byPool.put(pool,
                new HpaReplay(settings, METRIC, HpaReplay.TargetType.VALUE, target, fleet.replicas(pool))));
    }

    /** One HPA sync over every pool. */
    void sync() {
        boolean changed = false;
        for (Map.Entry<String, HpaReplay> entry : byPool.entrySet()) {
            String pool = entry.getKey();
            HpaReplay hpa = entry.getValue();
            int current = hpa.replicas();
            OptionalDouble value = metric.apply(pool);
            Recommendation decision = hpa.sync(clock.instant(), value, OptionalInt.empty());
            if (decision.replicas() != current) {
                fleet.scale(pool, decision.replicas());
                changed = true;
                events.printf("autoscaler: %s %d -> %d pods (KV cache %.0f %% vs target %.0f %%: %s)%n", pool, current,
                        decision.replicas(), 100 * value.orElse(Double.NaN), 100 * target, decision.reason());
            }
        }
        if (changed) {
            onScaled.run();
        }
    }
}
