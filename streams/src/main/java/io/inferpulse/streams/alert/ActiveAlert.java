package io.inferpulse.streams.alert;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One alert instance of one rule, everything a restart needs to carry on where it stopped. Times are
 * epoch milliseconds; {@link #NEVER} marks one that has not happened, as Prometheus's zero time does.
 *
 * @param startsAtMs when it began firing
 * @param keepFiringSinceMs first evaluation at which a firing alert was missing from the result
 * @param lastSentAtMs evaluation instant of the last event written to the alerts topic
 */
record ActiveAlert(AlertStatus status, SortedMap<String, String> labels, Map<String, String> annotations, double value,
                   long activeAtMs, long startsAtMs, long keepFiringSinceMs, long resolvedAtMs, long lastSentAtMs) {
    static final long NEVER = 0;

    ActiveAlert {
        Objects.requireNonNull(status, "status");
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        annotations = Map.copyOf(annotations);
    }

    static ActiveAlert pending(AlertCandidate candidate, long activeAtMs) {
        return new ActiveAlert(AlertStatus.PENDING, candidate.labels(), candidate.annotations(), candidate.value(),
                activeAtMs, NEVER, NEVER, NEVER, NEVER);
    }

    ActiveAlert refreshedBy(AlertCandidate candidate) {
        return new ActiveAlert(status, candidate.labels(), candidate.annotations(), candidate.value(), activeAtMs,
                startsAtMs, NEVER, resolvedAtMs, lastSentAtMs);
    }

    ActiveAlert firingFrom(long tsMs) {
        return new ActiveAlert(AlertStatus.FIRING, labels, annotations, value, activeAtMs, tsMs, NEVER, NEVER, lastSentAtMs);
    }

    ActiveAlert missingSince(long tsMs) {
        return new ActiveAlert(status, labels, annotations, value, activeAtMs, startsAtMs, tsMs, resolvedAtMs, lastSentAtMs);
    }

    ActiveAlert resolvedAt(long tsMs) {
        return new ActiveAlert(AlertStatus.RESOLVED, labels, annotations, value, activeAtMs, startsAtMs, NEVER, tsMs,
                lastSentAtMs);
    }

    ActiveAlert sentAt(long tsMs) {
        return new ActiveAlert(status, labels, annotations, value, activeAtMs, startsAtMs, keepFiringSinceMs, resolvedAtMs,
                tsMs);
    }

    String alertName() {
        return labels.getOrDefault("alertname", "");
    }
}
