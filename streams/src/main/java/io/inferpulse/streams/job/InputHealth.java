package io.inferpulse.streams.job;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * What a stage that closes windows on the wall clock must know before it does: that its input is
 * quiet because nothing happened, not because the job cannot read. A stage that hears nothing
 * cannot tell an idle pool from a broker that is away, a registry the first stage waits for, or a
 * first stage that has not started yet; closing then would turn every record of that time into a
 * late one once it arrives. So the wall clock may close only up to the last moment the broker is
 * known to have answered, only once that answer came a whole grace period after the stage's last
 * activity, and never while the registry is away.
 *
 * <p>Kafka Streams creates processors itself, so the job passes its instance in the streams
 * configuration under {@link #CONFIG}; a processor run without one (in a TopologyTestDriver) has an
 * input of its own that is always reachable.
 */
public final class InputHealth {
    public static final String CONFIG = "inferpulse.input.health";

    private final LongSupplier brokerAnsweredMs;
    private final Supplier<Optional<String>> registryOutage;
    /** 0 (long ago) until it happens: an instance that runs no first stage has a quiet one. */
    private final AtomicLong firstStageActiveMs = new AtomicLong();
    private final AtomicLong fedStageActiveMs = new AtomicLong();

    /**
     * @param brokerAnsweredMs the wall-clock time the broker last answered
     * @param registryOutage   the registry outage the job's readers are waiting out, if any
     */
    public InputHealth(LongSupplier brokerAnsweredMs, Supplier<Optional<String>> registryOutage) {
        this.brokerAnsweredMs = brokerAnsweredMs;
        this.registryOutage = registryOutage;
    }

    /** The job's instance, from the processor's configuration. */
    public static InputHealth of(ProcessorContext<?, ?> context) {
        return context.appConfigs().get(CONFIG) instanceof InputHealth health ? health
                : new InputHealth(() -> Long.MAX_VALUE, Optional::empty);
    }

    /**
     * Up to when the wall clock may close windows of a stage whose last record (or start) was at
     * {@code lastActivityMs}; empty while it may not.
     */
    public OptionalLong closableUpTo(long nowMs, long lastActivityMs, long graceMs) {
        if (registryOutage.get().isPresent()) {
            return OptionalLong.empty();
        }
        long confirmedMs = Math.min(nowMs, brokerAnsweredMs.getAsLong());
        return confirmedMs - lastActivityMs >= graceMs ? OptionalLong.of(confirmedMs) : OptionalLong.empty();
    }

    /** A first stage of this instance started or received a record. */
    public void firstStageActive(long wallMs) {
        firstStageActiveMs.accumulateAndGet(wallMs, Math::max);
    }

    /** A stage fed by a first stage (through a repartition topic) received a record. */
    public void fedStageActive(long wallMs) {
        fedStageActiveMs.accumulateAndGet(wallMs, Math::max);
    }

    /**
     * Whether a fed stage may take its own silence for idle traffic: either the first stages of this
     * instance are quiet too, or records from them reached a fed stage within the grace period, so the
     * repartition topic delivers. Otherwise the first stage is busy and nothing comes through: it is
     * restoring, or a killed instance's open transaction still holds the repartition topic.
     */
    public boolean feedFlowing(long nowMs, long graceMs) {
        return nowMs - firstStageActiveMs.get() >= graceMs || nowMs - fedStageActiveMs.get() < graceMs;
    }
}
