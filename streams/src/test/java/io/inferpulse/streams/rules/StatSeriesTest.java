package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatSeriesTest {

    @Test
    void shouldNamePoolGaugesAfterTheEndpointPickerMetrics() {
        PoolStats stats = PoolStats.newBuilder().setCluster("eu-1").setNamespace("llm").setPool("pool-a")
                .setComputedAt(Instant.ofEpochMilli(5)).setReadyPods(3).setAverageKvCacheUtilization(0.5)
                .setAverageQueueSize(2.5).setAverageRunningRequests(7.0).build();
        Map<String, String> labels = Map.of("cluster", "eu-1", "namespace", "llm", "name", "pool-a");

        assertThat(StatSeries.of(stats)).containsExactly(
                Sample.of("inference_pool_average_kv_cache_utilization", labels, 0.5),
                Sample.of("inference_pool_average_queue_size", labels, 2.5),
                Sample.of("inference_pool_average_running_requests", labels, 7.0),
                Sample.of("inference_pool_ready_pods", labels, 3.0));
    }

    @Test
    void shouldGivePerTargetRatesAndQuantiles() {
        // 40 requests, 10 of them failed, over a window whose rate the record states as 0.2/s.
        ModelStats stats = model("llama", "llama-8b", 40, 10, 0.2, 0.1, null, 2.0);
        Map<String, String> labels = Map.of("model_name", "llama", "target_model_name", "llama-8b");

        List<Sample> samples = StatSeries.of(stats);

        assertThat(samples).containsExactly(
                Sample.of(StatSeries.REQUEST_RATE, labels, 0.2),
                Sample.of(StatSeries.ERROR_RATE, labels, 0.05),
                Sample.of(StatSeries.LATENCY_P50, labels, 0.1),
                Sample.of(StatSeries.LATENCY_P90, labels, Double.NaN),
                Sample.of(StatSeries.LATENCY_P99, labels, 2.0));
    }

    @Test
    void shouldGiveOnlyPerModelQuantilesFromTheModelTotal() {
        ModelStats stats = model("llama", "", 0, 0, 0.0, null, null, null);

        assertThat(StatSeries.of(stats)).containsExactly(
                Sample.of(StatSeries.MODEL_LATENCY_P50, Map.of("model_name", "llama"), Double.NaN),
                Sample.of(StatSeries.MODEL_LATENCY_P90, Map.of("model_name", "llama"), Double.NaN),
                Sample.of(StatSeries.MODEL_LATENCY_P99, Map.of("model_name", "llama"), Double.NaN));
    }

    @Test
    void shouldReportNoErrorsPerSecondForAWindowWithoutRequests() {
        ModelStats stats = model("m", "t", 0, 0, 0.0, null, null, null);

        assertThat(StatSeries.of(stats)).filteredOn(s -> s.labels().get("__name__").equals(StatSeries.ERROR_RATE))
                .extracting(Sample::value).containsExactly(0.0);
    }

    private static ModelStats model(String model, String target, long requests, long errors, double rate, Double p50,
            Double p90, Double p99) {
        return ModelStats.newBuilder().setModelName(model).setTargetModelName(target)
                .setWindowStart(Instant.ofEpochMilli(0)).setWindowEnd(Instant.ofEpochMilli(200_000))
                .setRequestCount(requests).setErrorCount(errors).setRequestRatePerSecond(rate)
                .setLatencyP50Seconds(p50).setLatencyP90Seconds(p90).setLatencyP99Seconds(p99).build();
    }
}
