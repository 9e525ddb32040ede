package io.inferpulse.notifier;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.inferpulse.runtime.deadletter.DeadLetters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications, each on its own virtual thread, with retries; a notification that cannot
 * be delivered goes to the dead-letter topic with the receiver, status and answer. Only then, or
 * once it is delivered and in the notification log, are its input records released for commit. A
 * delivery interrupted by shutdown releases nothing, so its records are read again after a restart.
 */
final class Delivery implements AutoCloseable {
    static final String STAGE = "notify";
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final RetrySettings retry;
    private final NotificationLog log;
    private final DeadLetters deadLetters;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("notify-", 0).factory());
    private final AtomicInteger inFlight = new AtomicInteger();

    Delivery(RetrySettings retry, NotificationLog log, DeadLetters deadLetters, NotifierMetrics metrics, Clock clock) {
        this.retry = retry;
        this.log = log;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
    }

    void submit(Notification n) {
        inFlight.incrementAndGet();
        executor.execute(() -> {
            try {
                deliver(n);
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    int inFlight() {
        return inFlight.get();
    }

    private void deliver(Notification n) {
        Instant start = clock.instant();
        Notification.Target target = n.target();
        try {
            if (n.alerts().isEmpty()) {
                // Only resolved alerts for a receiver without send_resolved: nothing to send, but the
                // log must learn that the firing set is empty (Alertmanager's RetryStage does the same).
                log.delivered(n);
            } else {
                Integration.Response answer;
                try {
                    answer = attempt(n);
                } catch (RuntimeException bug) {
                    // Only the class: the message of a failure deep in an HTTP client can quote the secret URL.
                    LOG.error("{} failed on {} with {}; dead-lettering it", target.name(), n.groupKey(), bug.getClass().getName());
                    deadLetter(n, "integration_error", target.name() + " failed: " + bug.getClass().getName(), 0, start);
                    n.tickets().forEach(OffsetTracker.Ticket::release);
                    return;
                }
                if (answer.ok()) {
                    log.delivered(n);
                    metrics.delivered(target, Duration.between(start, clock.instant()));
                    LOG.debug("Delivered {} to {}", n.groupKey(), target.name());
                } else {
                    deadLetter(n, answer.retryable() ? "retries_exhausted" : "client_error",
                            target.name() + " answered HTTP " + answer.status() + ": " + answer.body(), answer.status(), start);
                }
            }
            n.tickets().forEach(OffsetTracker.Ticket::release);
        } catch (FailsafeException e) {
            if (isInterrupted(e)) {
                Thread.currentThread().interrupt();
                LOG.info("Delivery of {} to {} stopped by shutdown; it is retried after a restart", n.groupKey(), target.name());
                return;
            }
            String reason = target.name() + " failed after " + retry.attempts() + " attempts: " + e.getCause().getMessage();
            try {
                deadLetter(n, "retries_exhausted", reason, 0, start);
                n.tickets().forEach(OffsetTracker.Ticket::release);
            } catch (InterruptedException | ExecutionException | RuntimeException d) {
                LOG.error("Could not dead-letter {} for {}; its records stay uncommitted", n.groupKey(), target.name(), d);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            LOG.error("Could not record the outcome of {} for {}; its records stay uncommitted and are retried after a restart",
                    n.groupKey(), target.name(), e);
        }
    }

    private Integration.Response attempt(Notification n) {
        RetryPolicy<Integration.Response> policy = RetryPolicy.<Integration.Response>builder()
                .handle(IOException.class)
                .handleResultIf(Integration.Response::retryable)
                .withMaxAttempts(retry.attempts())
                .withDelayFn(ctx -> {
                    Integration.Response last = ctx.getLastResult();
                    Duration backoff = retry.backoff(ctx.getAttemptCount());
                    return last != null && last.retryAfter().isPresent() ? last.retryAfter().get() : backoff;
                })
                .onRetry(e -> LOG.info("Retrying {} to {} (attempt {} failed: {})", n.groupKey(), n.target().name(),
                        e.getAttemptCount(), e.getLastResult() != null ? "HTTP " + e.getLastResult().status()
                                : e.getLastException().getMessage()))
                .build();
        return Failsafe.with(policy).get(() -> n.target().integration().send(n));
    }

    private void deadLetter(Notification n, String failure, String reason, int status, Instant start)
            throws InterruptedException, ExecutionException {
        Notification.Target target = n.target();
        deadLetters.send("notifier:" + target.receiver(), STAGE + "." + target.integration().kind(), reason,
                payload(n).getBytes(StandardCharsets.UTF_8), Map.of(
                        "receiver", target.receiver(),
                        "integration", target.name(),
                        "status", String.valueOf(status),
                        "group_key", n.groupKey())).get();
        metrics.failed(target, failure, Duration.between(start, clock.instant()));
    }

    /** The alerts of the notification, for replay: never the integration's URL or key. */
    private static String payload(Notification n) {
        ObjectNode root = HttpSender.JSON.createObjectNode();
        root.put("groupKey", n.groupKey());
        root.put("status", n.isFiring() ? "firing" : "resolved");
        ArrayNode alerts = root.putArray("alerts");
        n.alerts().forEach(a -> {
            ObjectNode o = alerts.addObject();
            o.put("fingerprint", a.fingerprint());
            o.put("status", n.resolved().contains(a.fingerprint()) ? "resolved" : "firing");
            o.set("labels", HttpSender.JSON.valueToTree(a.labels()));
            o.set("annotations", HttpSender.JSON.valueToTree(a.annotations()));
            o.put("startsAt", a.startsAt().toString());
        });
        return root.toString();
    }

    private static boolean isInterrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    /** Stops deliveries in progress without recording them: their records were not committed. */
    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("{} deliveries did not stop within 10 s", inFlight.get());
        }
    }
}
