package io.inferpulse.ingest.scrape;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one target is scraped: how often, how long a scrape may take, and how to authenticate to it.
 * Targets with the same URL and an equal profile are fetched once per interval between them.
 *
 * @param interval           time between two scrapes, at least {@link #MIN_INTERVAL}
 * @param timeout            how long one scrape may take, connection to last byte; at most the interval,
 *                           so that a scrape never overlaps the next one of the same target
 * @param bearerTokenFile    a file holding the token sent as {@code Authorization: Bearer}, re-read when
 *                           it changes (Kubernetes rotates projected service-account tokens in place)
 * @param caFile             PEM file of one or more CA certificates that a TLS target's certificate
 *                           must chain to, instead of the JVM's default trust store
 * @param insecureSkipVerify accept any TLS certificate for any host name; for tests and emergencies
 *                           only, since it lets anyone on the path read the token and forge metrics
 */
public record ScrapeProfile(Duration interval, Duration timeout, Optional<Path> bearerTokenFile, Optional<Path> caFile,
                            boolean insecureSkipVerify) {
    /** Below this, a scrape's own fixed costs (connection, parse, publish) dominate what it measures. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(50);

    private static final ScrapeProfile DEFAULTS = new ScrapeProfile(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Optional.empty(), Optional.empty(), false);

    public ScrapeProfile {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(bearerTokenFile, "bearerTokenFile");
        Objects.requireNonNull(caFile, "caFile");
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("scrape interval must be at least " + MIN_INTERVAL.toMillis()
                    + " ms, was " + interval);
        }
        if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("scrape timeout must be positive and at most the scrape interval ("
                    + interval + "), was " + timeout);
        }
    }

    /**
     * Every second, a one-second timeout, no token, the JVM's trust store. On a target it means
     * "the scraper's default": the scraper scrapes it with {@link ScrapeSettings#defaultProfile()}.
     */
    public static ScrapeProfile defaults() {
        return DEFAULTS;
    }

    /** This profile scraping every {@code interval}, with the whole interval as its timeout. */
    public ScrapeProfile withInterval(Duration interval) {
        return new ScrapeProfile(interval, interval, bearerTokenFile, caFile, insecureSkipVerify);
    }

    /** This profile giving up on a scrape after {@code timeout}. */
    public ScrapeProfile withTimeout(Duration timeout) {
        return new ScrapeProfile(interval, timeout, bearerTokenFile, caFile, insecureSkipVerify);
    }

    /** The part of the profile that decides which HTTP client (trust configuration) a scrape uses. */
    Tls tls() {
        return new Tls(caFile, insecureSkipVerify);
    }

    record Tls(Optional<Path> caFile, boolean insecureSkipVerify) {
    }
}
