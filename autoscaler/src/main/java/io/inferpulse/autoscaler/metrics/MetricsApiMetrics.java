package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.PoolStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The metrics API's own metrics, declared here and documented in docs/autoscaler.md:
 * <ul>
 * <li>{@code inferpulse_metrics_api_request_duration_seconds{route,code}}: from a request's
 *     arrival to the last byte of its answer (route: health, discovery, metric, openapi, other);
 * <li>{@code inferpulse_metrics_api_value_age_seconds{metric}}: the age of each value served as
 *     current, now minus its computed_at: how fresh HPA's input is;
 * <li>{@code inferpulse_metrics_api_stale_values_total{metric,outcome}}: values too old to serve,
 *     answered with an error or replaced by the fallback;
 * <li>{@code inferpulse_metrics_api_newest_pool_stats_age_seconds}: now minus the newest
 *     computed_at in the pool-stats table, whether or not anyone asks: alert on it.
 * </ul>
 * Tags name the metric, never the pool, so the series count does not grow with the fleet.
 */
final class MetricsApiMetrics {
    private final MeterRegistry meters;
    // Meters by their tags: a builder and a registry lookup per request allocate more than the request's answer.
    private final java.util.concurrent.ConcurrentHashMap<Long, Timer> requests = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, DistributionSummary> ages = new java.util.concurrent.ConcurrentHashMap<>();

    MetricsApiMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void request(MetricsApi.Route route, int code, long nanos) {
        long key = ((long) route.ordinal() << 32) | (code & 0xffffffffL);
        Timer timer = requests.get(key);
        if (timer == null) {
            timer = requests.computeIfAbsent(key, k -> newTimer(route, code));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer newTimer(MetricsApi.Route route, int code) {
        return Timer.builder("inferpulse_metrics_api_request_duration").description("Time to answer a request to the external metrics API")
                .tag("route", route.name().toLowerCase(Locale.ROOT)).tag("code", String.valueOf(code))
                .publishPercentileHistogram().register(meters);
    }

    void served(String metric, Duration age) {
        served(metric, age.toNanos());
    }

    void served(String metric, long ageNanos) {
        DistributionSummary summary = ages.get(metric);
        if (summary == null) {
            summary = ages.computeIfAbsent(metric, this::newAgeSummary);
        }
        summary.record(ageNanos / 1e9);
    }

    private DistributionSummary newAgeSummary(String metric) {
        return DistributionSummary.builder("inferpulse_metrics_api_value_age").baseUnit("seconds")
                .description("Age of each value served as current (now minus computed_at)").tag("metric", metric)
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    void stale(String metric, String outcome) {
        Counter.builder("inferpulse_metrics_api_stale_values").description("Values older than staleness.max-age when asked for")
                .tag("metric", metric).tag("outcome", outcome).register(meters).increment();
    }

    /** Watches the table's newest value; NaN while the table is empty. */
    void watchNewest(StatsSource stats, Clock clock) {
        Gauge.builder("inferpulse_metrics_api_newest_pool_stats_age", stats, s -> s.pools().stream()
                        .map(PoolStats::getComputedAt).max(java.time.Instant::compareTo)
                        .map(t -> Duration.between(t, clock.instant()).toNanos() / 1e9).orElse(Double.NaN))
                .baseUnit("seconds").description("Now minus the newest computed_at in the pool-stats table").register(meters);
    }
}
