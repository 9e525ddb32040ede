package io.inferpulse.routerfeed.epp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The Endpoint Picker Protocol server's metrics, declared here and documented in router-feed/README.md:
 * <ul>
 * <li>{@code inferpulse_picker_requests_total{outcome}}: requests answered, by outcome (picked, shed,
 *     unavailable, bad_request, error);
 * <li>{@code inferpulse_picker_sheds_total}: requests refused with 429 because the pool was saturated;
 * <li>{@code inferpulse_picker_decision_seconds}: time inside the picker, per pick;
 * <li>{@code inferpulse_picker_handling_seconds}: from the message that completed a request (headers
 *     without body, last body chunk or trailers) to its answer handed to gRPC: parsing, picking, building;
 * <li>{@code inferpulse_picker_streams_in_flight}: ext_proc streams open now (one per HTTP request).
 * </ul>
 * The histograms have fixed buckets from 1 us to 1 s: a pick takes microseconds, so Micrometer's
 * default buckets (from 1 ms) would hold every pick in the first one, and its percentile histogram
 * over this range would publish 90-odd series per timer.
 */
final class EppMetrics {

    /** How a request was answered. */
    enum Outcome {
        PICKED, SHED, UNAVAILABLE, BAD_REQUEST, ERROR
    }

    private static final Duration[] BUCKETS = Stream.of(1_000L, 2_500L, 5_000L, 10_000L, 25_000L, 50_000L, 100_000L,
            250_000L, 500_000L, 1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L)
            .map(Duration::ofNanos).toArray(Duration[]::new);

    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
    private final Counter sheds;
    private final Timer decision;
    private final Timer handling;
    private final AtomicInteger streams = new AtomicInteger();

    EppMetrics(MeterRegistry meters) {
        for (Outcome o : Outcome.values()) {
            requests.put(o, Counter.builder("inferpulse_picker_requests").tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .description("Requests the Endpoint Picker Protocol server answered, by outcome").register(meters));
        }
        sheds = Counter.builder("inferpulse_picker_sheds")
                .description("Sheddable requests refused with 429 because the pool was saturated").register(meters);
        decision = histogram("inferpulse_picker_decision", "Time inside the picker, per pick").register(meters);
        handling = histogram("inferpulse_picker_handling",
                "From the message that completed a request to its answer handed to gRPC (parse, pick, build)").register(meters);
        Gauge.builder("inferpulse_picker_streams_in_flight", streams, AtomicInteger::get)
                .description("ext_proc streams open now, one per HTTP request").register(meters);
    }

    private static Timer.Builder histogram(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS);
    }

    void answered(Outcome outcome) {
        requests.get(outcome).increment();
        if (outcome == Outcome.SHED) {
            sheds.increment();
        }
    }

    void decision(long nanos) {
        decision.record(nanos, TimeUnit.NANOSECONDS);
    }

    void handling(long nanos) {
        handling.record(nanos, TimeUnit.NANOSECONDS);
    }

    void streamOpened() {
        streams.incrementAndGet();
    }

    void streamClosed() {
        streams.decrementAndGet();
    }
}
