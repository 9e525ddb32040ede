package io.inferpulse.ingest.promtext;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One sample line. {@code name} is the series name as written (for example
 * {@code http_request_duration_seconds_bucket}), not its family's name.
 *
 * @param value       the value; NaN and infinities are legal values in the format
 * @param timestampMs the explicit timestamp in milliseconds since the epoch, when the line had one
 */
public record Sample(String name, Labels labels, double value, OptionalLong timestampMs) {

    public Sample {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(timestampMs, "timestampMs");
    }
}
