package io.inferpulse.autoscaler.metrics;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a value older than {@code maxAge} is served as. HPA cannot tell an old value from a current
 * one, and scaling on a pool's state of minutes ago is what this service exists to avoid; so an
 * old value is either refused with a Status HPA logs (it then keeps the current replica count),
 * or replaced by a fallback the user chose (for example 0, so that a pool whose statistics
 * stopped scales in to its minimum rather than staying large).
 *
 * @param fallback the value served instead of a stale one; empty to answer an error
 */
record Staleness(Duration maxAge, OptionalDouble fallback) {
    Staleness {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(fallback, "fallback");
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the maximum age must be positive, not " + maxAge);
        }
        if (fallback.isPresent() && !Double.isFinite(fallback.getAsDouble())) {
            throw new IllegalArgumentException("the fallback must be a finite number, not " + fallback.getAsDouble());
        }
    }

    /** The mode names of the configuration. */
    enum Mode { ERROR, FALLBACK }

    static Staleness error(Duration maxAge) {
        return new Staleness(maxAge, OptionalDouble.empty());
    }

    static Staleness fallback(Duration maxAge, double value) {
        return new Staleness(maxAge, OptionalDouble.of(value));
    }

    boolean stale(Duration age) {
        return age.compareTo(maxAge) > 0;
    }
}
