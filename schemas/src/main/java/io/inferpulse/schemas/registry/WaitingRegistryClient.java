package io.inferpulse.schemas.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry client for readers, which must not take an unreachable registry for a bad record: a
 * call the registry could not answer (no answer, time-out, 5xx, 429) is tried again with backoff
 * until it succeeds, the patience runs out or the client is closed, so the reader pauses on the
 * record instead of dead-lettering it. While it waits, {@link #outage()} names the cause, for
 * readiness. A rejection (404 for an unknown id, an unparseable schema) fails at once: that record
 * is bad in itself.
 *
 * <p>Patience is the longest one call waits. A reader in a consumer group must give up before its
 * {@code max.poll.interval.ms}, or the group takes its partitions away; it then lets the failure
 * pass as transient and reads the record again. A reader with its own assignment can wait as long
 * as it runs.
 */
public final class WaitingRegistryClient implements SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(WaitingRegistryClient.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Patience of a reader that may wait as long as it runs. */
    public static final Duration UNTIL_CLOSED = Duration.ofDays(365L * 100);

    private final SchemaRegistryClient delegate;
    private final Duration patience;
    private final Clock clock;
    private final Object monitor = new Object();
    private volatile Outage outage;
    private volatile boolean closed;

    private record Outage(Instant since, String cause) {}

    public WaitingRegistryClient(SchemaRegistryClient delegate, Duration patience) {
        this(delegate, patience, Clock.systemUTC());
    }

    WaitingRegistryClient(SchemaRegistryClient delegate, Duration patience, Clock clock) {
        this.delegate = delegate;
        this.patience = patience;
        this.clock = clock;
    }

    @Override
    public int register(String subject, Schema schema) {
        return patiently(() -> delegate.register(subject, schema));
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        return patiently(() -> delegate.lookup(subject, schema));
    }

    @Override
    public Schema schemaById(int id) {
        return patiently(() -> delegate.schemaById(id));
    }

    /** Why the registry cannot be used now, while a call is waiting for it; empty otherwise. */
    public Optional<String> outage() {
        Outage now = outage;
        return now == null ? Optional.empty()
                : Optional.of("schema registry unreachable since " + now.since() + ": " + now.cause());
    }

    /** Ends every wait: the waiting calls throw their last failure. Closes the delegate. */
    @Override
    public void close() {
        closed = true;
        synchronized (monitor) {
            monitor.notifyAll();
        }
        delegate.close();
    }

    @Override
    public String toString() {
        return "WaitingRegistryClient(" + delegate + ", patience " + patience + ")";
    }

    private <T> T patiently(Supplier<T> call) {
        Instant deadline = clock.instant().plus(patience);
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                T result = call.get();
                recovered();
                return result;
            } catch (SchemaRegistryException e) {
                if (!e.isRetriable() || closed || !clock.instant().plus(backoff).isBefore(deadline)) {
                    throw e;
                }
                unreachable(e);
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private void unreachable(SchemaRegistryException e) {
        if (outage == null) {
            outage = new Outage(clock.instant(), e.getMessage());
            LOG.warn("Schema registry unreachable; readers pause on their next record until it answers: {}", e.getMessage());
        }
    }

    private void recovered() {
        Outage ended = outage;
        if (ended != null) {
            outage = null;
            LOG.info("Schema registry answers again after {} ms; readers resume",
                    Duration.between(ended.since(), clock.instant()).toMillis());
        }
    }

    private void pause(Duration backoff) {
        synchronized (monitor) {
            if (closed) {
                return;
            }
            try {
                monitor.wait(backoff.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("Interrupted while waiting for the schema registry", ie);
            }
        }
    }
}
