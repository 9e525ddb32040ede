package io.inferpulse.streams.pool;

import io.inferpulse.avro.PoolStats;
import java.time.Instant;
import java.util.Collection;

/**
 * The gauges of one pool over its fresh pods, as the EPP computes them. Mutable and reused, so that
 * evaluating a pool on every record allocates nothing.
 */
final class PoolGauges {
    private int readyPods;
    private long newestSampleTimeMs;
    private boolean hasKv;
    private double averageKv;
    private boolean hasWaiting;
    private double averageWaiting;
    private boolean hasRunning;
    private double averageRunning;
    private double totalWaiting;
    private double totalRunning;

    /** Recomputes the gauges from the pool's pods; a pod counts while {@code now - sampleTime <= stalenessMs}. */
    void compute(Collection<PoolState.Pod> pods, long nowMs, long stalenessMs) {
        int ready = 0;
        long newest = Long.MIN_VALUE;
        int kvCount = 0;
        int waitingCount = 0;
        int runningCount = 0;
        double kvSum = 0;
        double waitingSum = 0;
        double runningSum = 0;
        for (PoolState.Pod pod : pods) {
            PodGauges sample = pod.gauges();
            if (nowMs - sample.sampleTimeMs() > stalenessMs) {
                continue;
            }
            ready++;
            newest = Math.max(newest, sample.sampleTimeMs());
            if (sample.kv() != null) {
                kvSum += sample.kv();
                kvCount++;
            }
            if (sample.waiting() != null) {
                waitingSum += sample.waiting();
                waitingCount++;
            }
            if (sample.running() != null) {
                runningSum += sample.running();
                runningCount++;
            }
        }
        readyPods = ready;
        newestSampleTimeMs = newest;
        // Float means: one EPP version divided integers and reported (1 + 2) / 2 as 1.
        hasKv = kvCount > 0;
        averageKv = hasKv ? kvSum / kvCount : 0;
        hasWaiting = waitingCount > 0;
        averageWaiting = hasWaiting ? waitingSum / waitingCount : 0;
        hasRunning = runningCount > 0;
        averageRunning = hasRunning ? runningSum / runningCount : 0;
        totalWaiting = waitingSum;
        totalRunning = runningSum;
    }

    /**
     * Whether a reader of the output would see the same gauges. The newest sample time is left out:
     * every sample advances it, and a record per sample with unchanged gauges would only add load.
     */
    boolean sameValuesAs(PoolGauges other) {
        return readyPods == other.readyPods
                && sameAverage(hasKv, averageKv, other.hasKv, other.averageKv)
                && sameAverage(hasWaiting, averageWaiting, other.hasWaiting, other.averageWaiting)
                && sameAverage(hasRunning, averageRunning, other.hasRunning, other.averageRunning)
                && Double.compare(totalWaiting, other.totalWaiting) == 0
                && Double.compare(totalRunning, other.totalRunning) == 0;
    }

    PoolStats toPoolStats(String cluster, String namespace, String pool, long computedAtMs) {
        PoolStats stats = new PoolStats();
        stats.setCluster(cluster);
        stats.setNamespace(namespace);
        stats.setPool(pool);
        stats.setComputedAt(Instant.ofEpochMilli(computedAtMs));
        stats.setNewestSampleTime(readyPods > 0 ? Instant.ofEpochMilli(newestSampleTimeMs) : null);
        stats.setReadyPods(readyPods);
        stats.setAverageKvCacheUtilization(hasKv ? averageKv : null);
        stats.setAverageQueueSize(hasWaiting ? averageWaiting : null);
        stats.setAverageRunningRequests(hasRunning ? averageRunning : null);
        stats.setTotalQueueSize(totalWaiting);
        stats.setTotalRunningRequests(totalRunning);
        return stats;
    }

    private static boolean sameAverage(boolean hasA, double a, boolean hasB, double b) {
        return hasA == hasB && (!hasA || Double.compare(a, b) == 0);
    }
}
