package io.inferpulse.streams.alert;

import java.time.Duration;
import java.util.Objects;

/**
 * The durations that drive one rule's alerts.
 *
 * @param hold the rule's {@code for}: how long the condition must hold before the alert fires
 * @param keepFiringFor the rule's {@code keep_firing_for}: how long a firing alert outlives its condition
 * @param resendDelay a firing or resolved alert is sent again once its last send is this old
 *     (Prometheus's {@code --rules.alert.resend-delay})
 * @param groupInterval evaluation interval of the rule's group
 * @param resolvedRetention how long a resolved alert is kept (and re-sent) before it is forgotten
 */
record AlertTimings(Duration hold, Duration keepFiringFor, Duration resendDelay, Duration groupInterval,
                    Duration resolvedRetention) {
    AlertTimings {
        Objects.requireNonNull(hold, "hold");
        Objects.requireNonNull(keepFiringFor, "keepFiringFor");
        Objects.requireNonNull(resendDelay, "resendDelay");
        Objects.requireNonNull(groupInterval, "groupInterval");
        Objects.requireNonNull(resolvedRetention, "resolvedRetention");
    }

    /**
     * Prometheus's ValidUntil: a firing event claims to hold for four send periods, so that a receiver
     * resolves the alert by itself if this job stops sending, and a late re-send never lets it lapse.
     */
    long validForMs() {
        return 4 * Math.max(resendDelay.toMillis(), groupInterval.toMillis());
    }
}
