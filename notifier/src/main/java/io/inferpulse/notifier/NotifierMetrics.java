package io.inferpulse.notifier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The notifier's metrics, named after Alertmanager's ({@code alertmanager_notifications_total} and
 * friends): {@code inferpulse_notifications_total{receiver,integration}} counts notifications
 * delivered, {@code inferpulse_notifications_failed_total{receiver,integration,reason}} those
 * dead-lettered (reason: {@code client_error}, {@code retries_exhausted}, {@code integration_error}), and
 * {@code inferpulse_notification_latency_seconds{receiver,integration}} the time from the first
 * attempt to the outcome, retries included.
 */
final class NotifierMetrics {
    private final MeterRegistry meters;

    NotifierMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void delivered(Notification.Target target, Duration latency) {
        Counter.builder("inferpulse_notifications").description("Notifications delivered")
                .tag("receiver", target.receiver()).tag("integration", target.integration().kind()).register(meters).increment();
        latency(target, latency);
    }

    void failed(Notification.Target target, String reason, Duration latency) {
        Counter.builder("inferpulse_notifications_failed").description("Notifications dead-lettered after failing")
                .tag("receiver", target.receiver()).tag("integration", target.integration().kind()).tag("reason", reason)
                .register(meters).increment();
        latency(target, latency);
    }

    private void latency(Notification.Target target, Duration latency) {
        Timer.builder("inferpulse_notification_latency").description("Time to deliver or give up on a notification, retries included")
                .tag("receiver", target.receiver()).tag("integration", target.integration().kind()).register(meters)
                .record(latency);
    }
}
