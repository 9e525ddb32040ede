package io.inferpulse.routerfeed.table;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The endpoint table's metrics, declared here and documented in router-feed/README.md:
 * <ul>
 * <li>{@code inferpulse_router_feed_records_applied_total}: endpoint updates applied to the table;
 * <li>{@code inferpulse_router_feed_tombstones_total}: tombstones applied (endpoints that left their pool);
 * <li>{@code inferpulse_router_feed_lag_records}: records between the table's position and the end
 *     of the topic, summed over partitions, as of the last poll.
 * </ul>
 * Records that cannot be decoded are counted by the dead-letter counter
 * ({@code inferpulse_dead_letters_total{stage="router-feed.decode"}}).
 */
final class EndpointTableMetrics {
    private final Counter applied;
    private final Counter tombstones;
    private final AtomicLong lag = new AtomicLong();

    EndpointTableMetrics(MeterRegistry meters) {
        applied = Counter.builder("inferpulse_router_feed_records_applied")
                .description("Endpoint-score updates applied to the endpoint table").register(meters);
        tombstones = Counter.builder("inferpulse_router_feed_tombstones")
                .description("Endpoint-score tombstones applied: endpoints that left their pool").register(meters);
        Gauge.builder("inferpulse_router_feed_lag_records", lag, AtomicLong::get)
                .description("Records of the endpoint-scores topic not yet read by the endpoint table").register(meters);
    }

    void applied() {
        applied.increment();
    }

    void tombstone() {
        tombstones.increment();
    }

    void lag(long records) {
        lag.set(records);
    }
}
