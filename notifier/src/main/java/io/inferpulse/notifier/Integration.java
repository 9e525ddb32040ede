package io.inferpulse.notifier;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A channel notifications are delivered to. Implementations hold their secret (URL, routing key)
 * and must not reveal it: not in {@code toString}, not in an exception message.
 */
interface Integration {
    /** The integration label of metrics and dead letters: {@code webhook}, {@code slack}, ... */
    String kind();

    /** Whether resolved alerts are sent (Alertmanager's {@code send_resolved}). */
    default boolean sendResolved() {
        return true;
    }

    /** False for receivers that group themselves: each event is forwarded as it arrives. */
    default boolean grouped() {
        return true;
    }

    /** One attempt; retrying is the caller's business. */
    Response send(Notification notification) throws IOException, InterruptedException;

    /** What the channel answered to one attempt. */
    record Response(int status, String body, Optional<Duration> retryAfter) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** 429 and 5xx may succeed later; any other 4xx will not. */
        boolean retryable() {
            return status == 429 || status >= 500;
        }
    }
}
