package io.inferpulse.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Hands a workload's items to a sink in the background, each at its own wall-clock time (a request's
 * log line is written when the request completes), so a scenario's fault strikes while input keeps
 * arriving, as it would in production.
 */
final class Feeder<T> implements AutoCloseable {
    private final AtomicInteger fed = new AtomicInteger();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    /** An item and when it is due. */
    record Due<T>(T item, Instant at) {}

    private Feeder(List<Due<T>> items, Consumer<T> sink) {
        this.thread = Thread.ofPlatform().daemon().name("feeder").start(() -> {
            for (Due<T> due : items) {
                long waitNanos;
                while (!stopped && (waitNanos = TimeUnit.MILLISECONDS.toNanos(due.at().toEpochMilli() - System.currentTimeMillis())) > 0) {
                    LockSupport.parkNanos(waitNanos);
                }
                if (stopped) {
                    return;
                }
                try {
                    sink.accept(due.item());
                } catch (RuntimeException | AssertionError e) {
                    failures.add(e);
                    return;
                }
                fed.incrementAndGet();
            }
        });
    }

    static <T> Feeder<T> start(List<Due<T>> items, Consumer<T> sink) {
        return new Feeder<>(items, sink);
    }

    int fed() {
        return fed.get();
    }

    /** Waits until every item was handed over; fails with the sink's error, if it threw. */
    void awaitDone(Duration deadline) {
        try {
            if (!thread.join(deadline)) {
                throw new AssertionError("The feeder had handed over " + fed() + " items after " + deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("The feeder failed after " + fed() + " items", failures.peek());
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(Duration.ofSeconds(10));
    }
}
