package io.inferpulse.schemas.registry;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
 * is bad in itself. Closing the client ends every wait at its next attempt, within the longest
 * backoff (5 s).
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
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Outage outage;
    private volatile long settledSinceMs;
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

    /**
     * Since when the registry has answered every call without an outage: 0 when it never failed,
     * {@link Long#MAX_VALUE} while an outage lasts or a call is under way (whose answer may yet be an
     * outage). For readers that must not take a pause of their input for a quiet input.
     */
    public long settledSinceMs() {
        return outage != null || calls.get() > 0 ? Long.MAX_VALUE : settledSinceMs;
    }

    /** Ends every wait: the waiting calls throw their last failure at their next attempt. Closes the delegate. */
    @Override
    public void close() {
        closed = true;
        delegate.close();
    }

    @Override
    public String toString() {
        return "WaitingRegistryClient(" + delegate + ", patience " + patience + ")";
    }

    private <T> T patiently(Supplier<T> call) {
        calls.incrementAndGet();
        try {
            return retried(call);
        } finally {
            calls.decrementAndGet();
        }
    }

    private <T> T retried(Supplier<T> call) {
        RetryPolicy<T> policy = RetryPolicy.<T>builder()
                .handleIf(failure -> failure instanceof SchemaRegistryException e && e.isRetriable())
                .abortIf((result, failure) -> closed)
                .withBackoff(FIRST_BACKOFF, MAX_BACKOFF)
                .withMaxRetries(-1)
                .withMaxDuration(patience)
                .onRetry(attempt -> unreachable((SchemaRegistryException) attempt.getLastException()))
                .build();
        // The delegate throws only SchemaRegistryException, unchecked, which Failsafe rethrows as it is.
        T result = Failsafe.with(policy).get(call::get);
        recovered();
        return result;
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
            settledSinceMs = clock.millis();
            outage = null;
            LOG.info("Schema registry answers again after {} ms; readers resume",
                    Duration.between(ended.since(), clock.instant()).toMillis());
        }
    }
}
