package io.inferpulse.streams.request;

import io.inferpulse.avro.ModelStats;
import java.time.Instant;

/**
 * Request statistics of one series over the window (windowStart, windowEnd]. Rates are per second of
 * the whole window, as PromQL's rate() over the same range; the ratio and quantiles are null when the
 * window holds no request (NaN in PromQL, which never fires an alert).
 */
public record RequestStats(long windowStartMs, long windowEndMs, long requestCount, long errorCount,
                           double requestRatePerSecond, Double errorRate, Double latencyP50Seconds,
                           Double latencyP90Seconds, Double latencyP99Seconds, double inputTokensPerSecond,
                           double outputTokensPerSecond) {

    static RequestStats of(long windowStartMs, long windowEndMs, RequestBucket merged) {
        double seconds = (windowEndMs - windowStartMs) / 1000.0;
        long count = merged.count();
        boolean any = count > 0;
        return new RequestStats(windowStartMs, windowEndMs, count, merged.errors(), count / seconds,
                any ? (double) merged.errors() / count : null,
                any ? merged.latencyAt(0.5) : null,
                any ? merged.latencyAt(0.9) : null,
                any ? merged.latencyAt(0.99) : null,
                merged.inputTokens() / seconds, merged.outputTokens() / seconds);
    }

    public boolean empty() {
        return requestCount == 0;
    }

    ModelStats toModelStats(String modelName, String targetModelName) {
        return ModelStats.newBuilder()
                .setModelName(modelName)
                .setTargetModelName(targetModelName)
                .setWindowStart(Instant.ofEpochMilli(windowStartMs))
                .setWindowEnd(Instant.ofEpochMilli(windowEndMs))
                .setRequestCount(requestCount)
                .setErrorCount(errorCount)
                .setRequestRatePerSecond(requestRatePerSecond)
                .setErrorRate(errorRate)
                .setLatencyP50Seconds(latencyP50Seconds)
                .setLatencyP90Seconds(latencyP90Seconds)
                .setLatencyP99Seconds(latencyP99Seconds)
                .setInputTokensPerSecond(inputTokensPerSecond)
                .setOutputTokensPerSecond(outputTokensPerSecond)
                .build();
    }
}
