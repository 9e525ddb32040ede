package io.inferpulse.ingest.scrape;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scraper's own metrics, with units and {@code _total} on counters once exported. No label
 * names a target: with thousands of pods that would multiply the scraper's own series by the
 * fleet size; the dead-letter topic and debug logs name the failing target instead.
 */
final class ScrapeMetrics {
    /** Why a scrape produced no sample; the {@code reason} label of the error counter. */
    enum Failure {
        CONNECT, TIMEOUT, HTTP_STATUS, PARSE, TOO_LARGE, OVERLOADED, TLS,
        /** HTTP 401 or 403, or a bearer token file that cannot be read. */
        AUTH,
        /** The handler threw: a bug downstream rather than bad input. */
        HANDLER
    }

    private final Timer duration;
    private final Counter samples;
    private final Counter skipped;
    private final Map<Failure, Counter> failures = new EnumMap<>(Failure.class);
    private final AtomicInteger targets = new AtomicInteger();

    ScrapeMetrics(MeterRegistry registry) {
        this.duration = Timer.builder("inferpulse_scrape_duration")
                .description("Time to fetch and parse one URL's /metrics, successful scrapes only")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.samples = Counter.builder("inferpulse_scrape_samples")
                .description("Prometheus samples parsed from scraped URLs, once per fetch")
                .register(registry);
        this.skipped = Counter.builder("inferpulse_scrape_skipped")
                .description("Scrapes not started because the previous scrape of the same URL was still running")
                .register(registry);
        // Registered up front so that every reason exports a zero, which rate() and alerts need.
        for (Failure failure : Failure.values()) {
            failures.put(failure, Counter.builder("inferpulse_scrape_errors")
                    .description("Scrapes that produced no pod sample, by reason")
                    .tag("reason", failure.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        Gauge.builder("inferpulse_scrape_targets", targets, AtomicInteger::get)
                .description("Targets being scraped (a URL shared by several pools counts once per pool)")
                .strongReference(true)
                .register(registry);
    }

    void succeeded(Duration took, int sampleCount) {
        duration.record(took);
        samples.increment(sampleCount);
    }

    void failed(Failure failure) {
        failures.get(failure).increment();
    }

    void skipped() {
        skipped.increment();
    }

    void targets(int count) {
        targets.set(count);
    }
}
