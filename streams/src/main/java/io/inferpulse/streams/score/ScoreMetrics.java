package io.inferpulse.streams.score;

import io.inferpulse.avro.EndpointHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The endpoint-scores job's metrics, documented in docs/endpoint-scores.md:
 * <ul>
 *   <li>{@code inferpulse_endpoint_score_records_total}: score records published
 *   <li>{@code inferpulse_endpoint_score_tombstones_total{reason}}: tombstones published, by why the endpoint
 *       left (gone, retention, moved)
 *   <li>{@code inferpulse_endpoint_score_sample_age_seconds}: for the endpoint whose sample just arrived, the
 *       time from its scrape to its record being handed to the producer, when the sample changed the record
 *   <li>{@code inferpulse_endpoint_score_endpoints{health}}: endpoints this instance holds, by the health last published
 *   <li>{@code inferpulse_endpoint_score_samples_ignored_total{reason}}: samples older than the endpoint's latest (out_of_order)
 *   <li>{@code inferpulse_endpoint_score_access_logs_unattributed_total{reason}}: access logs not counted for an endpoint:
 *       no endpoint in the log (no_endpoint), completed before the request window (outside_window)
 *   <li>{@code inferpulse_dead_letters_total{stage="streams.endpoint-scores"}}: records sent to the dead-letter topic
 * </ul>
 * Tasks run on several stream threads, so counts are atomic.
 */
public final class ScoreMetrics {
    private final Counter records;
    private final Map<TombstoneReason, Counter> tombstones = new EnumMap<>(TombstoneReason.class);
    private final DistributionSummary sampleAge;
    private final Map<EndpointHealth, AtomicLong> endpoints = new EnumMap<>(EndpointHealth.class);
    private final Counter outOfOrder;
    private final Counter noEndpoint;
    private final Counter outsideWindow;
    private final Counter deadLetters;

    /** Why an endpoint's record was tombstoned. */
    enum TombstoneReason {
        /** A GONE sample: the pod left its pool. */
        GONE,
        /** No sample for the retention period. */
        RETENTION,
        /** The endpoint's samples now come from another pool. */
        MOVED
    }

    public ScoreMetrics(MeterRegistry meters) {
        records = Counter.builder("inferpulse_endpoint_score_records")
                .description("Endpoint-score records published").register(meters);
        for (TombstoneReason reason : TombstoneReason.values()) {
            tombstones.put(reason, Counter.builder("inferpulse_endpoint_score_tombstones")
                    .description("Endpoint-score tombstones published, by why the endpoint left")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(meters));
        }
        sampleAge = DistributionSummary.builder("inferpulse_endpoint_score_sample_age").baseUnit("seconds")
                .description("Time from a pod sample's scrape to its endpoint's score record being handed to the producer")
                .publishPercentiles(0.5, 0.9, 0.99).register(meters);
        for (EndpointHealth health : EndpointHealth.values()) {
            AtomicLong count = new AtomicLong();
            endpoints.put(health, count);
            Gauge.builder("inferpulse_endpoint_score_endpoints", count, AtomicLong::get)
                    .description("Endpoints held by this instance, by the health last published")
                    .tag("health", health.name().toLowerCase(Locale.ROOT)).register(meters);
        }
        outOfOrder = Counter.builder("inferpulse_endpoint_score_samples_ignored")
                .description("Pod samples ignored, by reason").tag("reason", "out_of_order").register(meters);
        noEndpoint = unattributed(meters, "no_endpoint");
        outsideWindow = unattributed(meters, "outside_window");
        deadLetters = Counter.builder("inferpulse_dead_letters")
                .description("Inputs sent to the dead-letter topic, by the stage that rejected them")
                .tag("stage", ScoreProcessor.STAGE).register(meters);
    }

    private static Counter unattributed(MeterRegistry meters, String reason) {
        return Counter.builder("inferpulse_endpoint_score_access_logs_unattributed")
                .description("Access logs not counted for any endpoint, by reason").tag("reason", reason).register(meters);
    }

    void published(EndpointHealth before, EndpointHealth now) {
        records.increment();
        if (before != now) {
            if (before != null) {
                endpoints.get(before).decrementAndGet();
            }
            endpoints.get(now).incrementAndGet();
        }
    }

    void tombstoned(TombstoneReason reason, EndpointHealth lastPublished) {
        tombstones.get(reason).increment();
        released(lastPublished);
    }

    /** The endpoint is no longer held here (tombstoned, or its task closed) with this health last published. */
    void released(EndpointHealth lastPublished) {
        if (lastPublished != null) {
            endpoints.get(lastPublished).decrementAndGet();
        }
    }

    void sampleAge(long millis) {
        sampleAge.record(millis / 1000.0);
    }

    void outOfOrder() {
        outOfOrder.increment();
    }

    void noEndpoint() {
        noEndpoint.increment();
    }

    void outsideWindow() {
        outsideWindow.increment();
    }

    void deadLettered() {
        deadLetters.increment();
    }
}
