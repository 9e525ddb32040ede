package io.inferpulse.ingest.engine;

import static io.inferpulse.ingest.engine.Fixtures.map;
import static io.inferpulse.ingest.engine.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * triton-trtllm-backend-metrics.prom is a Triton server with the TensorRT-LLM backend serving an
 * ensemble (preprocessing, tensorrt_llm, postprocessing), as prometheus-cpp writes it: integer
 * values without a fraction, Triton's nv_inference_* and nv_gpu_* families, and the backend's
 * nv_trt_llm_* families where one gauge holds several quantities told apart by a label.
 */
class TritonTrtLlmMappingTest {

    private final EngineMapping mapping = Engines.builtIn().mapping("triton");

    @Test
    void shouldMapRealisticTritonExpositionReadingOnlyTheSelectedSeries() {
        PodSample sample = map(mapping, resource("/engine/triton-trtllm-backend-metrics.prom"));

        assertThat(sample.engine()).isEqualTo("triton");
        // Not context (3), active (54) or max (64).
        assertThat(sample.requestsWaiting()).hasValue(6.0);
        assertThat(sample.requestsRunning()).hasValue(48.0);
        // Not tokens_per (64), used, free, max or reused blocks.
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.4184965539349255);
        assertThat(sample.cacheConfig()).isEmpty();
    }

    @Test
    void shouldSumRequestsAndTakeFullestCacheAcrossTrtLlmModels() {
        PodSample sample = map(mapping, """
                # TYPE nv_trt_llm_request_metrics gauge
                nv_trt_llm_request_metrics{model="llama",request_type="waiting",version="1"} 2
                nv_trt_llm_request_metrics{model="llama",request_type="scheduled",version="1"} 10
                nv_trt_llm_request_metrics{model="mistral",request_type="waiting",version="1"} 5
                nv_trt_llm_request_metrics{model="mistral",request_type="scheduled",version="1"} 7
                # TYPE nv_trt_llm_kv_cache_block_metrics gauge
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction",model="llama",version="1"} 0.25
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction",model="mistral",version="1"} 0.75
                """);

        assertThat(sample.requestsWaiting()).hasValue(7.0);
        assertThat(sample.requestsRunning()).hasValue(17.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.75);
    }

    @Test
    void shouldLeaveValuesEmptyOnOlderBackendsWithoutWaitingAndFractionSeries() {
        // Backends of 2023 reported context/scheduled/max/active requests and block counts only.
        PodSample sample = map(mapping, """
                # HELP nv_trt_llm_request_metrics TRT LLM request metrics
                # TYPE nv_trt_llm_request_metrics gauge
                nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="context",version="1"} 1
                nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="scheduled",version="1"} 1
                nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="max",version="1"} 512
                nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="active",version="1"} 0
                # HELP nv_trt_llm_kv_cache_block_metrics TRT LLM KV cache block metrics
                # TYPE nv_trt_llm_kv_cache_block_metrics gauge
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="tokens_per",model="tensorrt_llm",version="1"} 64
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used",model="tensorrt_llm",version="1"} 1
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="free",model="tensorrt_llm",version="1"} 6239
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="max",model="tensorrt_llm",version="1"} 6239
                """);

        assertThat(sample.requestsWaiting()).isEmpty();
        assertThat(sample.requestsRunning()).hasValue(1.0);
        assertThat(sample.kvCacheUsageRatio()).isEmpty();
    }

    @Test
    void shouldBeFoundUnderTheEndpointPickersName() {
        assertThat(Engines.builtIn().mapping("triton-tensorrt-llm").engine()).isEqualTo("triton");
    }
}
