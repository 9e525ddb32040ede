package io.inferpulse.ingest.scrape;

import java.time.Duration;
import java.util.Objects;

/**
 * What applies to all targets of one scraper. How each target is scraped is its
 * {@link ScrapeProfile}.
 *
 * @param defaultProfile the profile of targets that do not set their own, that is whose profile is
 *                       {@link ScrapeProfile#defaults()} (those made with
 *                       {@link ScrapeTarget#ScrapeTarget(io.inferpulse.ingest.engine.PodIdentity, java.net.URI)}):
 *                       the configured global interval, timeout and credentials, as Prometheus's
 *                       global section
 * @param maxConcurrency scrapes running at once across all targets; a scrape due while all are
 *                       busy is skipped and counted as {@code overloaded}
 * @param bodyLimitBytes a larger /metrics body is rejected to the dead-letter topic
 * @param maxJitter      upper bound of a random delay added to each scrape, on top of the stable
 *                       per-target offset; zero (the default) keeps samples evenly spaced. Capped at a
 *                       tenth of each target's interval. See {@link Scraper} for when it helps.
 */
public record ScrapeSettings(ScrapeProfile defaultProfile, int maxConcurrency, int bodyLimitBytes, Duration maxJitter) {
    public ScrapeSettings {
        Objects.requireNonNull(defaultProfile, "defaultProfile");
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("scrape.max.concurrency must be at least 1, was " + maxConcurrency);
        }
        if (bodyLimitBytes < 1) {
            throw new IllegalArgumentException("scrape.body.limit.bytes must be at least 1, was " + bodyLimitBytes);
        }
        Objects.requireNonNull(maxJitter, "maxJitter");
        if (maxJitter.isNegative()) {
            throw new IllegalArgumentException("scrape.jitter must not be negative, was " + maxJitter);
        }
    }

    /**
     * Settings whose default profile has this interval and timeout and no credentials, and no
     * jitter: the settings as they were before profiles.
     */
    public ScrapeSettings(Duration interval, Duration timeout, int maxConcurrency, int bodyLimitBytes) {
        this(ScrapeProfile.defaults().withInterval(interval).withTimeout(timeout), maxConcurrency, bodyLimitBytes,
                Duration.ZERO);
    }
}
