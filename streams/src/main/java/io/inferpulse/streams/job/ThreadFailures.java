package io.inferpulse.streams.job;

import io.inferpulse.runtime.fault.Transience;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a job does when a stream thread dies. A transient failure (the broker or the registry away
 * for longer than a reader waits) replaces the thread after a growing pause: the new thread reads
 * again from the last commit, which is the retry. Any other failure replaces the thread too, but
 * {@value #MAX_FAILURES} of them within {@link #WINDOW} stop the job, whose state then turns ERROR
 * and fails liveness with the last cause: a thread that dies on the same input every time must not
 * loop unseen.
 */
final class ThreadFailures implements StreamsUncaughtExceptionHandler {
    static final int MAX_FAILURES = 3;
    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(ThreadFailures.class);
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final String job;
    private final Clock clock;
    private final Consumer<Duration> sleep;
    private final Deque<Instant> failures = new ArrayDeque<>();
    private Duration pause = FIRST_PAUSE;
    private Instant lastTransient = Instant.MIN;
    private volatile String lastFailure;
    private volatile boolean stopped;

    ThreadFailures(String job, Clock clock) {
        this(job, clock, ThreadFailures::sleep);
    }

    ThreadFailures(String job, Clock clock, Consumer<Duration> sleep) {
        this.job = job;
        this.clock = clock;
        this.sleep = sleep;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        Instant now = clock.instant();
        lastFailure = describe(exception);
        if (Transience.isTransient(exception)) {
            if (Duration.between(lastTransient, now).compareTo(MAX_PAUSE.multipliedBy(4)) > 0) {
                pause = FIRST_PAUSE;
            }
            lastTransient = now;
            LOG.warn("{}: stream thread stopped on a transient failure; a new one reads again from the last commit in {} ms: {}",
                    job, pause.toMillis(), lastFailure);
            sleep.accept(pause);
            pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        failures.addLast(now);
        while (Duration.between(failures.getFirst(), now).compareTo(WINDOW) > 0) {
            failures.removeFirst();
        }
        if (failures.size() >= MAX_FAILURES) {
            stopped = true;
            LOG.error("{}: stream threads failed {} times within {} min; stopping the job (liveness fails)", job,
                    failures.size(), WINDOW.toMinutes(), exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.error("{}: stream thread failed ({} of {} within {} min before the job stops); replacing it", job,
                failures.size(), MAX_FAILURES, WINDOW.toMinutes(), exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** Why the job stopped, once repeated failures have stopped it. */
    Optional<String> stoppedBecause() {
        return stopped ? Optional.of("stream threads failed " + MAX_FAILURES + " times within " + WINDOW.toMinutes()
                + " min; last: " + lastFailure) : Optional.empty();
    }

    private static String describe(Throwable exception) {
        Throwable root = exception;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == exception ? exception.toString() : exception.getMessage() + " (caused by " + root + ")";
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
