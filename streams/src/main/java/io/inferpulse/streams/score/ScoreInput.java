package io.inferpulse.streams.score;

/**
 * What scorers know of one healthy endpoint: its latest sample and its recent requests.
 *
 * @param waiting requests queued, null when the server does not report it
 * @param running requests being processed, null when not reported
 * @param kv KV-cache use 0..1, null when not reported
 * @param maxLora LoRA adapters the server can hold at once, 0 when it reports no LoRA information
 * @param loraAdapters adapters loaded or waiting to be (running and waiting adapters, each once)
 * @param recentRequests requests completed within the request window
 * @param recentErrors of those, the ones that failed (status 0, 429 or 5xx)
 * @param recentLatencySeconds the sum of their latencies
 */
record ScoreInput(Double waiting, Double running, Double kv, int maxLora, int loraAdapters, long recentRequests,
                  long recentErrors, double recentLatencySeconds) {

    /** Mean latency of the recent requests, NaN when there were none. */
    double meanLatencySeconds() {
        return recentRequests == 0 ? Double.NaN : recentLatencySeconds / recentRequests;
    }
}
