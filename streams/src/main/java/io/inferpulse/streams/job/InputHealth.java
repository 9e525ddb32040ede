package io.inferpulse.streams.job;

import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * What a stage that closes windows on the wall clock must know before it does: that its input is
 * quiet because nothing happened, not because the job cannot read. A stage that hears nothing
 * cannot tell an idle pool from a broker that is away or a registry it waits for; closing then would turn every record of that time into a
 * late one once it arrives. So the wall clock may close only up to the last moment the broker is
 * known to have answered, and only once a whole grace period has passed since the stage's last
 * activity and since the broker and the registry were last back from an outage (which leaves the
 * writers that held records through it the grace period to deliver them), and never while the
 * registry is away or a call to it is under way.
 *
 * <p>Kafka Streams creates processors itself, so the job passes its instance in the streams
 * configuration under {@link #CONFIG}; a processor run without one (in a TopologyTestDriver) has an
 * input of its own that is always reachable.
 */
public final class InputHealth {
    public static final String CONFIG = "inferpulse.input.health";

    private final LongSupplier brokerAnsweredMs;
    private final LongSupplier brokerReachableSinceMs;
    private final LongSupplier registrySettledSinceMs;

    /**
     * @param brokerAnsweredMs       the wall-clock time the broker last answered
     * @param brokerReachableSinceMs when the broker's current stretch of answers began
     * @param registrySettledSinceMs since when the registry has answered without an outage
     *                               ({@code Long.MAX_VALUE} while it does not)
     */
    public InputHealth(LongSupplier brokerAnsweredMs, LongSupplier brokerReachableSinceMs, LongSupplier registrySettledSinceMs) {
        this.brokerAnsweredMs = brokerAnsweredMs;
        this.brokerReachableSinceMs = brokerReachableSinceMs;
        this.registrySettledSinceMs = registrySettledSinceMs;
    }

    /** The job's instance, from the processor's configuration. */
    public static InputHealth of(ProcessorContext<?, ?> context) {
        return context.appConfigs().get(CONFIG) instanceof InputHealth health ? health
                : new InputHealth(() -> Long.MAX_VALUE, () -> 0, () -> 0);
    }

    /**
     * Up to when the wall clock may close windows of a stage whose last record (or start) was at
     * {@code lastActivityMs}; empty while it may not.
     */
    public OptionalLong closableUpTo(long nowMs, long lastActivityMs, long graceMs) {
        long settledMs = Math.max(lastActivityMs, Math.max(brokerReachableSinceMs.getAsLong(), registrySettledSinceMs.getAsLong()));
        long confirmedMs = Math.min(nowMs, brokerAnsweredMs.getAsLong());
        return settledMs != Long.MAX_VALUE && confirmedMs - settledMs >= graceMs
                ? OptionalLong.of(confirmedMs) : OptionalLong.empty();
    }
}
