package io.inferpulse.ingest.scrape;

import java.time.Duration;

/**
 * How targets are scraped.
 *
 * @param interval time between two scrapes of one target
 * @param timeout how long one scrape may take; at most the interval
 * @param maxConcurrency scrapes running at once across all targets
 * @param bodyLimitBytes a larger /metrics body is rejected to the dead-letter topic
 */
public record ScrapeSettings(Duration interval, Duration timeout, int maxConcurrency, int bodyLimitBytes) {
    public ScrapeSettings {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("scrape.interval must be positive, was " + interval);
        }
        if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("scrape.timeout must be positive and at most scrape.interval ("
                    + interval + "), was " + timeout);
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("scrape.max.concurrency must be at least 1, was " + maxConcurrency);
        }
        if (bodyLimitBytes < 1) {
            throw new IllegalArgumentException("scrape.body.limit.bytes must be at least 1, was " + bodyLimitBytes);
        }
    }
}
