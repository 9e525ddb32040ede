package io.inferpulse.kube;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns a burst of informer events into one run of an action. The first request schedules the
 * action after the delay, and every request until the action starts joins that run; a request made
 * while the action runs schedules another, so the last change is never missed.
 *
 * <p>The action runs on the owner's executor, so it stays serialized with whatever else the owner
 * runs there. It should catch its own failures: a scheduled task's exception is only kept in its
 * future, where nobody looks.
 */
public final class DebouncedTrigger {

    private final ScheduledExecutorService executor;
    private final Duration delay;
    private final Runnable action;
    private final AtomicBoolean pending = new AtomicBoolean();

    public DebouncedTrigger(ScheduledExecutorService executor, Duration delay, Runnable action) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.action = Objects.requireNonNull(action, "action");
    }

    /** Asks for a run; once the executor is shut down, nothing runs any more. */
    public void request() {
        if (executor.isShutdown() || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.schedule(this::run, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shut down meanwhile: nobody waits for the run any more
        }
    }

    private void run() {
        // cleared before the action reads anything, so a change landing while it runs schedules another run
        pending.set(false);
        action.run();
    }
}
