package io.inferpulse.ingest.engine;

import static io.inferpulse.ingest.engine.Fixtures.POD;
import static io.inferpulse.ingest.engine.Fixtures.SAMPLE_TIME;
import static io.inferpulse.ingest.engine.Fixtures.map;
import static io.inferpulse.ingest.engine.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

/**
 * sglang-tp2-metrics.prom is a tensor-parallel (TP=2) SGLang server as prometheus_client's
 * multiprocess collector writes it: "Multiprocess metric" help texts, sorted labels, one series
 * per scheduler rank ({@code tp_rank}) for scheduler gauges, one per model for tokenizer counters.
 */
class SglangMappingTest {

    private final EngineMapping mapping = Engines.builtIn().mapping("sglang");

    @Test
    void shouldMapRealisticTensorParallelExpositionCountingRankCopiesOnce() {
        PodSample sample = map(mapping, resource("/engine/sglang-tp2-metrics.prom"));

        assertThat(sample.engine()).isEqualTo("sglang");
        assertThat(sample.pod()).isEqualTo(POD.pod());
        assertThat(sample.address()).isEqualTo("10.42.7.31:30000");
        assertThat(sample.sampleTime()).isEqualTo(SAMPLE_TIME);
        assertThat(sample.scrapeDurationSeconds()).isEqualTo(0.017);
        // Both ranks report 5 queued and 37 running: one queue, not 10 and 74.
        assertThat(sample.requestsWaiting()).hasValue(5.0);
        assertThat(sample.requestsRunning()).hasValue(37.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.6183);
        assertThat(sample.cacheConfig()).containsOnly(entry("model_name", "Qwen/Qwen2.5-72B-Instruct"),
                entry("num_pages", "314266"), entry("page_size", "1"));
        assertThat(sample.lora()).isEmpty();
        assertThat(sample.labels()).containsEntry("app", "qwen");
        assertThat(sample.status()).isEqualTo(PodStatus.UP);
    }

    @Test
    void shouldSumDataParallelRanksAndCountTensorParallelCopiesOnce() {
        // DP attention: 4 GPUs, 2 data-parallel ranks of 2 tensor-parallel ranks each.
        PodSample sample = map(mapping, """
                # TYPE sglang:num_queue_reqs gauge
                sglang:num_queue_reqs{dp_rank="0",engine_type="unified",model_name="m",pp_rank="0",tp_rank="0"} 4.0
                sglang:num_queue_reqs{dp_rank="0",engine_type="unified",model_name="m",pp_rank="0",tp_rank="1"} 4.0
                sglang:num_queue_reqs{dp_rank="1",engine_type="unified",model_name="m",pp_rank="0",tp_rank="2"} 7.0
                sglang:num_queue_reqs{dp_rank="1",engine_type="unified",model_name="m",pp_rank="0",tp_rank="3"} 7.0
                # TYPE sglang:num_running_reqs gauge
                sglang:num_running_reqs{dp_rank="0",engine_type="unified",model_name="m",pp_rank="0",tp_rank="0"} 30.0
                sglang:num_running_reqs{dp_rank="0",engine_type="unified",model_name="m",pp_rank="0",tp_rank="1"} 31.0
                sglang:num_running_reqs{dp_rank="1",engine_type="unified",model_name="m",pp_rank="0",tp_rank="2"} 12.0
                sglang:num_running_reqs{dp_rank="1",engine_type="unified",model_name="m",pp_rank="0",tp_rank="3"} 12.0
                # TYPE sglang:token_usage gauge
                sglang:token_usage{dp_rank="0",engine_type="unified",model_name="m",pp_rank="0",tp_rank="0"} 0.71
                sglang:token_usage{dp_rank="1",engine_type="unified",model_name="m",pp_rank="0",tp_rank="2"} 0.93
                """);

        assertThat(sample.requestsWaiting()).hasValue(11.0);
        // Ranks caught between two updates disagree by a step; the larger is the newer figure more often than not.
        assertThat(sample.requestsRunning()).hasValue(43.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.93);
    }

    @Test
    void shouldReadOlderSglangThatLabelsByModelOnly() {
        PodSample sample = map(mapping, """
                # HELP sglang:num_running_reqs The number of running requests
                # TYPE sglang:num_running_reqs gauge
                sglang:num_running_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct"} 162.0
                # HELP sglang:token_usage The token usage
                # TYPE sglang:token_usage gauge
                sglang:token_usage{model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.28
                # HELP sglang:num_queue_reqs The number of requests in the waiting queue
                # TYPE sglang:num_queue_reqs gauge
                sglang:num_queue_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct"} 2826.0
                """);

        assertThat(sample.requestsWaiting()).hasValue(2826.0);
        assertThat(sample.requestsRunning()).hasValue(162.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.28);
        assertThat(sample.cacheConfig()).isEmpty();
    }

    @Test
    void shouldIgnoreVllmMetricsOnAnSglangPod() {
        PodSample sample = map(mapping, """
                vllm:num_requests_waiting{model_name="m"} 9.0
                vllm:kv_cache_usage_perc{model_name="m"} 0.5
                """);

        assertThat(sample.requestsWaiting()).isEmpty();
        assertThat(sample.kvCacheUsageRatio()).isEmpty();
    }
}
