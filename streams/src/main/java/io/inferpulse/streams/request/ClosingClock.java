package io.inferpulse.streams.request;

import io.inferpulse.streams.job.InputHealth;
import java.util.OptionalLong;

/**
 * Up to when a task reading access logs may close its windows: on stream time as records arrive,
 * and on the wall clock while it hears nothing, since an idle partition has no stream time, yet a
 * pool whose traffic stopped must report it.
 *
 * <p>Both clocks can run ahead of logs still to come when a partition stalls: a broker outage, a
 * partition moving to a new leader, a transaction left open. Every writer then holds its logs of
 * that time and delivers them once the stall ends, one writer's backlog before another's. While a
 * stall lasts a task cannot tell it from idle traffic, so the wall clock closes only once the task
 * has heard nothing for the stall timeout (and its input is known to flow, {@link InputHealth}).
 * When a stall ends it shows: logs resume after a silence longer than the grace, and the first of
 * them is older than the grace by the wall clock. The task then closes nothing for the stall
 * timeout, so that the first writer's backlog does not carry stream time past the logs of the stall
 * still to come. A sparse pool's next log is fresh and holds nothing. A stall longer than the
 * timeout still makes logs late, and they are dead-lettered with the reason.
 *
 * <p>A start is no stall: records are read in the order they were written. A task that has heard
 * nothing since it started closes on the wall clock a grace period after its first tick: a first
 * fetch comes sooner, and a stream thread waiting for the registry runs no tick.
 */
final class ClosingClock {
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final InputHealth input;
    private final long graceMs;
    private final long stallMs;
    /** The last record's wall-clock time; until the first, the first tick's (Kafka Streams has no time at init()). */
    private long lastRecordMs = UNKNOWN;
    private long heldUntilMs = UNKNOWN;
    private boolean heard;

    ClosingClock(InputHealth input, RequestStatsSettings settings) {
        this.input = input;
        this.graceMs = settings.grace().toMillis();
        this.stallMs = settings.stallTimeout().toMillis();
    }

    /** A record of {@code eventTimeMs} was counted; windows may close up to the returned stream time, or none while held. */
    OptionalLong onRecord(long nowMs, long eventTimeMs, long streamTimeMs) {
        // A silence within a hold does not extend it: a stall's backlog must not hold its windows forever.
        if (heard && nowMs - lastRecordMs > graceMs && nowMs - eventTimeMs > graceMs && nowMs >= heldUntilMs) {
            heldUntilMs = nowMs + stallMs;
        }
        lastRecordMs = nowMs;
        heard = true;
        return nowMs < heldUntilMs ? OptionalLong.empty() : OptionalLong.of(streamTimeMs);
    }

    /**
     * The wall clock ticked: windows may close up to stream time (a hold may just have ended) and,
     * after a silence of the stall timeout, up to the wall clock; none while held.
     */
    OptionalLong onTick(long nowMs, long streamTimeMs) {
        if (lastRecordMs == UNKNOWN) {
            lastRecordMs = nowMs;
        }
        if (nowMs < heldUntilMs) {
            return OptionalLong.empty();
        }
        if (!heard) {
            return input.closableUpTo(nowMs, lastRecordMs, graceMs);
        }
        OptionalLong wallClock = nowMs - lastRecordMs >= stallMs
                ? input.closableUpTo(nowMs, lastRecordMs, graceMs) : OptionalLong.empty();
        return OptionalLong.of(wallClock.isPresent() ? Math.max(wallClock.getAsLong(), streamTimeMs) : streamTimeMs);
    }
}
