package io.inferpulse.streams.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job's metrics, named after Prometheus's own rule-manager metrics:
 * <ul>
 *   <li>{@code inferpulse_rule_evaluations_total{rule_group}}: rule evaluations
 *   <li>{@code inferpulse_rule_evaluation_failures_total{rule_group}}: evaluations that raised an error
 *       (the rule's alerts are left as they were)
 *   <li>{@code inferpulse_alerts{state}}: alert instances held by this instance, by state
 *   <li>{@code inferpulse_rule_group_last_duration_seconds{rule_group}}: duration of the group's last evaluation
 * </ul>
 * Groups are evaluated on the stream threads of this instance's tasks, hence the concurrent maps.
 */
public final class AlertMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> evaluations = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, double[]> lastDurations = new ConcurrentHashMap<>();
    private final Map<String, Map<AlertStatus, Integer>> alertsByGroup = new ConcurrentHashMap<>();

    public AlertMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (AlertStatus status : AlertStatus.values()) {
            Gauge.builder("inferpulse_alerts", alertsByGroup, groups -> groups.values().stream()
                            .mapToInt(counts -> counts.getOrDefault(status, 0)).sum())
                    .description("Alert instances held by this instance, by state")
                    .tag("state", status.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    void evaluated(String group) {
        evaluations.computeIfAbsent(group, g -> Counter.builder("inferpulse_rule_evaluations_total")
                .description("Rule evaluations").tag("rule_group", g).register(registry)).increment();
    }

    void failed(String group) {
        failures.computeIfAbsent(group, g -> Counter.builder("inferpulse_rule_evaluation_failures_total")
                .description("Rule evaluations that raised an error").tag("rule_group", g).register(registry)).increment();
    }

    void groupEvaluated(String group, Duration took, Map<AlertStatus, Integer> alerts) {
        lastDurations.computeIfAbsent(group, g -> {
            double[] holder = new double[1];
            Gauge.builder("inferpulse_rule_group_last_duration_seconds", holder, h -> h[0])
                    .description("Duration of the last evaluation of the rule group").baseUnit("seconds")
                    .tag("rule_group", g).register(registry);
            return holder;
        })[0] = took.toNanos() / 1e9;
        alertsByGroup.put(group, new EnumMap<>(alerts));
    }

    /** The task evaluating {@code group} moved away: its alerts are counted by whoever took it over. */
    void groupReleased(String group) {
        alertsByGroup.remove(group);
    }
}
