package io.inferpulse.streams.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * How the pool-stats topology judges and reports pods.
 *
 * @param staleness a pod counts while wall-clock now minus its sample time is at most this (the EPP uses 2 s)
 * @param heartbeat longest time a known pool goes without a record on the output topic, even if nothing changed
 * @param evaluationInterval how often pools are re-evaluated on the wall clock, to notice pods going stale and
 *     to send heartbeats
 * @param podRetention a pod not heard from for this long is deleted from the store; a pool with no pods left is
 *     reported with zero ready pods for this long after its last record, then forgotten
 */
public record PoolStatsSettings(Duration staleness, Duration heartbeat, Duration evaluationInterval, Duration podRetention) {

    public PoolStatsSettings {
        requireAtLeastOneMillisecond(staleness, "staleness");
        requireAtLeastOneMillisecond(heartbeat, "heartbeat");
        requireAtLeastOneMillisecond(evaluationInterval, "evaluationInterval");
        requireAtLeastOneMillisecond(podRetention, "podRetention");
        if (evaluationInterval.compareTo(heartbeat) > 0) {
            throw new IllegalArgumentException("evaluationInterval (" + evaluationInterval + ") must not exceed heartbeat ("
                    + heartbeat + "): heartbeats are only sent when pools are evaluated");
        }
        if (podRetention.compareTo(staleness) < 0) {
            throw new IllegalArgumentException("podRetention (" + podRetention + ") must not be shorter than staleness ("
                    + staleness + "): a pod deleted while still fresh would leave the averages too early");
        }
    }

    /** The EPP's 2 s staleness, a heartbeat every second, evaluation every 200 ms, pods kept for 5 minutes. */
    public static PoolStatsSettings defaults() {
        return new PoolStatsSettings(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMinutes(5));
    }

    // Whole milliseconds, because that is the resolution of record timestamps and punctuation.
    private static void requireAtLeastOneMillisecond(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(field + " must be at least 1 ms, was " + value);
        }
    }
}
