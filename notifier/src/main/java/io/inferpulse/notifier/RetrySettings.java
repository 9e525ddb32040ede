package io.inferpulse.notifier;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How hard one notification is tried: up to {@code attempts} attempts, waiting between them an
 * exponentially growing delay with jitter, or what the channel asked for with Retry-After.
 */
public record RetrySettings(int attempts, Duration initialBackoff, Duration maxBackoff) {
    public RetrySettings {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("the maximum backoff " + maxBackoff + " is below the initial " + initialBackoff);
        }
    }

    /**
     * The wait after the given failed attempt (1-based): "equal jitter", half fixed and half random,
     * so that receivers recovering from an outage are not hit by every notifier at once.
     */
    Duration backoff(int failedAttempts) {
        long ceiling = initialBackoff.toMillis() << Math.min(20, Math.max(0, failedAttempts - 1));
        long capped = Math.min(Math.max(1, ceiling), maxBackoff.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
