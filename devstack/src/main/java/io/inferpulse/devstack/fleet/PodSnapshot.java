package io.inferpulse.devstack.fleet;

import java.util.List;

/**
 * Everything a pod's {@code /metrics} reports, frozen at the end of a simulation step so HTTP threads can render it
 * without touching the live model.
 *
 * @param state             the gauges
 * @param unixTimeSeconds   simulated wall-clock time of the snapshot
 * @param promptTokens      prompt tokens prefilled since the start
 * @param generationTokens  tokens generated since the start
 * @param finishedStop      requests that ended at their natural stop
 * @param finishedLength    requests cut at {@code max_model_len}
 * @param preemptions       times a running request was evicted to free KV cache
 * @param e2eLatency        arrival-to-finish latency of finished requests
 * @param timeToFirstToken  arrival-to-first-token latency
 * @param runningAdapters   LoRA adapters of running requests, sorted
 * @param waitingAdapters   LoRA adapters of waiting requests, sorted
 */
record PodSnapshot(
        PodState state,
        double unixTimeSeconds,
        long promptTokens,
        long generationTokens,
        long finishedStop,
        long finishedLength,
        long preemptions,
        Histogram.Snapshot e2eLatency,
        Histogram.Snapshot timeToFirstToken,
        List<String> runningAdapters,
        List<String> waitingAdapters) {

    PodSnapshot {
        runningAdapters = List.copyOf(runningAdapters);
        waitingAdapters = List.copyOf(waitingAdapters);
    }
}
