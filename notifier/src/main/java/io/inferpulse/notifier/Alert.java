package io.inferpulse.notifier;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One alert as the notifier sees it, decoded from an {@link AlertEvent} at the topic boundary.
 *
 * @param endsAt for a firing alert the time after which it counts as resolved unless re-sent
 *     (Alertmanager's rule), for a resolved one the time it resolved
 */
record Alert(String fingerprint, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
             Optional<Instant> endsAt, String generatorUrl, boolean resolvedEvent) {
    Alert {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    /** Empty for PENDING events, which never reach a receiver. */
    static Optional<Alert> from(AlertEvent event) {
        if (event.getState() == AlertState.PENDING) {
            return Optional.empty();
        }
        Instant starts = event.getStartsAt() != null ? event.getStartsAt() : event.getActiveAt();
        return Optional.of(new Alert(event.getFingerprint(), new TreeMap<>(event.getLabels()),
                new TreeMap<>(event.getAnnotations()), starts, Optional.ofNullable(event.getEndsAt()),
                event.getGeneratorUrl(), event.getState() == AlertState.RESOLVED));
    }

    /** As Alertmanager decides: resolved when told so, or when a firing alert was not re-sent before its ends_at. */
    boolean resolvedAt(Instant now) {
        return resolvedEvent || endsAt.map(e -> !e.isAfter(now)).orElse(false);
    }

    String name() {
        return labels.getOrDefault("alertname", "");
    }
}
