package io.inferpulse.streams.alert;

import java.time.Duration;
import java.util.Objects;

/**
 * How the alert-evaluation topology evaluates and reports (group intervals come from the rule files).
 *
 * @param resendDelay firing and resolved alerts are sent again once their last send is this old
 *     (Prometheus's {@code --rules.alert.resend-delay}, 1 m)
 * @param resolvedRetention a resolved alert is kept, and re-sent, this long before it is forgotten (Prometheus: 15 m)
 * @param lookbackDelta a series not updated for this long is stale and no longer read by rules (Prometheus: 5 m)
 * @param tick how often the wall clock is checked for groups whose next evaluation instant has passed
 */
public record AlertSettings(Duration resendDelay, Duration resolvedRetention, Duration lookbackDelta, Duration tick) {
    public AlertSettings {
        requirePositive(resendDelay, "resendDelay");
        requirePositive(resolvedRetention, "resolvedRetention");
        requirePositive(lookbackDelta, "lookbackDelta");
        requirePositive(tick, "tick");
    }

    /** Prometheus's defaults, checked every 250 ms so an evaluation starts at most that late. */
    public static AlertSettings defaults() {
        return new AlertSettings(Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofMillis(250));
    }

    private static void requirePositive(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(field + " must be at least 1 ms, was " + value);
        }
    }
}
