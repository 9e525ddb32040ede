package io.inferpulse.streams.rules;

import java.time.Duration;
import java.util.Objects;

/**
 * How rule files are read.
 *
 * @param defaultInterval evaluation interval of a group that names none (Prometheus's global evaluation_interval)
 * @param requestWindow the window of the request statistics; the only range a rule's rate(...[W]) may ask for,
 *     because it is the only one our stats records answer
 * @param externalUrl the URL alerts link back to ({@code $externalURL}, generator URLs), without a trailing slash
 */
public record RuleSettings(Duration defaultInterval, Duration requestWindow, String externalUrl) {

    public RuleSettings {
        Objects.requireNonNull(defaultInterval, "defaultInterval");
        Objects.requireNonNull(requestWindow, "requestWindow");
        Objects.requireNonNull(externalUrl, "externalUrl");
        if (defaultInterval.toMillis() < 1) {
            throw new IllegalArgumentException("defaultInterval must be at least 1 ms, was " + defaultInterval);
        }
        if (requestWindow.toMillis() < 1) {
            throw new IllegalArgumentException("requestWindow must be at least 1 ms, was " + requestWindow);
        }
        while (externalUrl.endsWith("/")) {
            externalUrl = externalUrl.substring(0, externalUrl.length() - 1);
        }
    }

    /** Prometheus's 1 m evaluation interval, the 5 m request window, links to http://localhost:9090. */
    public static RuleSettings defaults() {
        return new RuleSettings(Duration.ofMinutes(1), Duration.ofMinutes(5), "http://localhost:9090");
    }
}
