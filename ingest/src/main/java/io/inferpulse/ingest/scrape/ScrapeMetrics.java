package io.inferpulse.ingest.scrape;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The scraper's own metrics, named as Prometheus names its scrape metrics, with units and
 * {@code _total} on counters once exported.
 */
final class ScrapeMetrics {
    /** Why a scrape produced no sample; the {@code reason} label of the error counter. */
    enum Failure { CONNECT, TIMEOUT, HTTP_STATUS, PARSE, TOO_LARGE, OVERLOADED }

    private final MeterRegistry registry;
    private final Timer duration;
    private final Counter samples;

    ScrapeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("inferpulse_scrape_duration")
                .description("Time to fetch and parse one target's /metrics")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.samples = Counter.builder("inferpulse_scrape_samples")
                .description("Prometheus samples parsed from scraped targets")
                .register(registry);
    }

    void succeeded(Duration took, int sampleCount) {
        duration.record(took);
        samples.increment(sampleCount);
    }

    void failed(Failure failure) {
        Counter.builder("inferpulse_scrape_errors")
                .description("Scrapes that produced no pod sample, by reason")
                .tag("reason", failure.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry)
                .increment();
    }
}
