package io.inferpulse.streams.alert;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The alert state machine of one rule, with the semantics of Prometheus 2.42's alerting rule: an
 * instance is pending from the first evaluation its sample appears at, fires once it has been
 * pending for the rule's {@code for}, and is resolved at the first evaluation it is missing from (or
 * {@code keep_firing_for} after that). A pending instance that goes missing is dropped without
 * notice; a resolved one is kept for the resolved retention and then forgotten, so if its condition
 * returns it is a new instance with a new {@code activeAt}.
 *
 * <p>Unlike Prometheus, a sample whose value is NaN counts as missing: in our series NaN means "no
 * requests to judge", which must never page anyone.
 */
final class AlertLifecycle {
    private AlertLifecycle() {}

    /**
     * One evaluation of one rule at {@code tsMs}.
     *
     * @param known the rule's instances after the previous evaluation, by fingerprint
     * @param result the rule's result at {@code tsMs}, by fingerprint
     * @return one outcome per instance known before or after this evaluation, ordered by fingerprint
     */
    static List<AlertOutcome> evaluate(long tsMs, Map<String, ActiveAlert> known, Map<String, AlertCandidate> result,
                                       AlertTimings timings) {
        SortedMap<String, ActiveAlert> next = new TreeMap<>();
        result.forEach((fingerprint, candidate) -> {
            if (Double.isNaN(candidate.value())) {
                return;
            }
            ActiveAlert previous = known.get(fingerprint);
            next.put(fingerprint, previous != null && previous.status() != AlertStatus.RESOLVED
                    ? previous.refreshedBy(candidate) : ActiveAlert.pending(candidate, tsMs));
        });
        SortedMap<String, AlertOutcome> outcomes = new TreeMap<>();
        known.forEach((fingerprint, alert) -> {
            if (next.containsKey(fingerprint)) {
                return;
            }
            ActiveAlert missing = whenMissing(tsMs, alert, timings);
            if (missing == null) {
                outcomes.put(fingerprint, new AlertOutcome(fingerprint, null, AlertOutcome.Emit.TOMBSTONE));
            } else {
                next.put(fingerprint, missing);
            }
        });
        next.forEach((fingerprint, alert) -> {
            ActiveAlert current = alert.status() == AlertStatus.PENDING && tsMs - alert.activeAtMs() >= timings.hold().toMillis()
                    ? alert.firingFrom(Math.min(tsMs, dueToFireMs(alert, timings))) : alert;
            ActiveAlert previous = known.get(fingerprint);
            boolean changed = previous == null || previous.status() != current.status()
                    || previous.activeAtMs() != current.activeAtMs();
            if (changed || resendDue(tsMs, current, timings)) {
                outcomes.put(fingerprint, new AlertOutcome(fingerprint, current.sentAt(tsMs), AlertOutcome.Emit.EVENT));
            } else {
                outcomes.put(fingerprint, new AlertOutcome(fingerprint, current, AlertOutcome.Emit.NOTHING));
            }
        });
        return new ArrayList<>(outcomes.values());
    }

    /**
     * The evaluation instant at which a pending alert fires when no evaluation is missed: its startsAt
     * also after evaluations a restart of the job skipped, as the uninterrupted job would have sent it.
     */
    private static long dueToFireMs(ActiveAlert alert, AlertTimings timings) {
        long intervalMs = timings.groupInterval().toMillis();
        return alert.activeAtMs() + Math.ceilDiv(timings.hold().toMillis(), intervalMs) * intervalMs;
    }

    /** The end an event about {@code alert} announces, or null while it is pending. */
    static Long endsAtMs(ActiveAlert alert, long tsMs, AlertTimings timings) {
        return switch (alert.status()) {
            case PENDING -> null;
            case FIRING -> tsMs + timings.validForMs();
            case RESOLVED -> alert.resolvedAtMs();
        };
    }

    /** The instance after an evaluation it is missing from, or null when it is forgotten. */
    private static ActiveAlert whenMissing(long tsMs, ActiveAlert alert, AlertTimings timings) {
        return switch (alert.status()) {
            case PENDING -> null;
            case FIRING -> {
                long keepFiringForMs = timings.keepFiringFor().toMillis();
                if (keepFiringForMs > 0) {
                    long since = alert.keepFiringSinceMs() == ActiveAlert.NEVER ? tsMs : alert.keepFiringSinceMs();
                    if (tsMs - since < keepFiringForMs) {
                        yield alert.missingSince(since);
                    }
                }
                yield alert.resolvedAt(tsMs);
            }
            case RESOLVED -> tsMs - alert.resolvedAtMs() > timings.resolvedRetention().toMillis() ? null : alert;
        };
    }

    private static boolean resendDue(long tsMs, ActiveAlert alert, AlertTimings timings) {
        return alert.status() != AlertStatus.PENDING && tsMs - alert.lastSentAtMs() >= timings.resendDelay().toMillis();
    }
}
