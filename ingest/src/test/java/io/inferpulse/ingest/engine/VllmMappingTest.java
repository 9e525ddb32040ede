package io.inferpulse.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The resources are written to look like real scrapes: vllm-v0.10-metrics.prom follows the V1
 * engine's metric set and prometheus_client's output (sorted labels, {@code _created} gauges, the
 * client's {@code e+010} exponents); vllm-v0.8-v0-engine-metrics.prom the older V0 engine's, which
 * has only {@code vllm:gpu_cache_usage_perc}.
 */
class VllmMappingTest {

    private static final PodIdentity POD = new PodIdentity("prod-eu", "llm", "llama-pool", "llama-7c9d-x2k4",
            "10.42.3.17:8000", Map.of("app", "vllm", "pool", "llama-pool"));
    private static final Instant SAMPLE_TIME = Instant.parse("2025-08-04T12:24:06.123Z");

    private final VllmMapping mapping = new VllmMapping();

    @Test
    void shouldMapRealisticVllm010Exposition() {
        PodSample sample = map(resource("vllm-v0.10-metrics.prom"));

        assertThat(sample.cluster()).isEqualTo("prod-eu");
        assertThat(sample.namespace()).isEqualTo("llm");
        assertThat(sample.pool()).isEqualTo("llama-pool");
        assertThat(sample.pod()).isEqualTo("llama-7c9d-x2k4");
        assertThat(sample.address()).isEqualTo("10.42.3.17:8000");
        assertThat(sample.engine()).isEqualTo("vllm").isEqualTo(mapping.engine());
        assertThat(sample.sampleTime()).isEqualTo(SAMPLE_TIME);
        assertThat(sample.scrapeDurationSeconds()).isEqualTo(0.042);
        assertThat(sample.requestsWaiting()).hasValue(2.0);
        assertThat(sample.requestsRunning()).hasValue(4.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.4127318295739348);
        assertThat(sample.labels()).containsOnly(entry("app", "vllm"), entry("pool", "llama-pool"));
    }

    @Test
    void shouldTakeNewestLoraSeriesByValueNotByPosition() {
        PodSample sample = map(resource("vllm-v0.10-metrics.prom"));

        // The third of four series carries the largest timestamp, 1.7543102461234562e+09.
        assertThat(sample.lora()).contains(new Lora(4, List.of("sql-lora", "chat-lora"), List.of("summarize-lora")));
    }

    @Test
    void shouldCopyCacheConfigInfoLabels() {
        PodSample sample = map(resource("vllm-v0.10-metrics.prom"));

        assertThat(sample.cacheConfig()).hasSize(16).contains(
                entry("block_size", "16"),
                entry("num_gpu_blocks", "27484"),
                entry("gpu_memory_utilization", "0.9"),
                entry("enable_prefix_caching", "True"),
                entry("num_cpu_blocks", "None"),
                entry("engine", "0"));
    }

    @Test
    void shouldFallBackToGpuCacheUsageOnOlderVllm() {
        PodSample sample = map(resource("vllm-v0.8-v0-engine-metrics.prom"));

        assertThat(sample.kvCacheUsageRatio()).hasValue(0.9315);
        assertThat(sample.requestsWaiting()).hasValue(11.0);
        assertThat(sample.requestsRunning()).hasValue(7.0);
        assertThat(sample.lora()).contains(new Lora(1, List.of(), List.of()));
        assertThat(sample.cacheConfig()).containsEntry("num_gpu_blocks", "9153").doesNotContainKey("engine");
    }

    @Test
    void shouldPreferKvCacheUsageOverDeprecatedGpuCacheUsage() {
        PodSample sample = map("""
                vllm:gpu_cache_usage_perc{engine="0",model_name="m"} 0.9
                vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25
                """);

        assertThat(sample.kvCacheUsageRatio()).hasValue(0.25);
    }

    @Test
    void shouldSumRequestsAndTakeMaxKvCacheAcrossModelNameSeries() {
        PodSample sample = map("""
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{model_name="llama-base"} 3.0
                vllm:num_requests_waiting{model_name="llama-chat"} 5.0
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{model_name="llama-base"} 8.0
                vllm:num_requests_running{model_name="llama-chat"} 2.0
                # TYPE vllm:kv_cache_usage_perc gauge
                vllm:kv_cache_usage_perc{model_name="llama-base"} 0.61
                vllm:kv_cache_usage_perc{model_name="llama-chat"} 0.61
                """);

        assertThat(sample.requestsWaiting()).hasValue(8.0);
        assertThat(sample.requestsRunning()).hasValue(10.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.61);
    }

    @Test
    void shouldSumRequestsAndTakeFullestCacheAcrossDataParallelEngines() {
        PodSample sample = map("""
                vllm:num_requests_waiting{engine="0",model_name="m"} 1.0
                vllm:num_requests_waiting{engine="1",model_name="m"} 6.0
                vllm:num_requests_running{engine="0",model_name="m"} 16.0
                vllm:num_requests_running{engine="1",model_name="m"} 16.0
                vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.35
                vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.97
                vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="27484"} 1.0
                vllm:cache_config_info{block_size="16",engine="1",num_gpu_blocks="27484"} 1.0
                """);

        assertThat(sample.requestsWaiting()).hasValue(7.0);
        assertThat(sample.requestsRunning()).hasValue(32.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.97);
        assertThat(sample.cacheConfig()).containsOnly(
                entry("block_size", "16"), entry("engine", "0"), entry("num_gpu_blocks", "27484"));
    }

    @Test
    void shouldReturnEmptyValuesWhenMetricsAreMissing() {
        PodSample sample = map("""
                # TYPE process_open_fds gauge
                process_open_fds 78.0
                # TYPE vllm:e2e_request_latency_seconds histogram
                vllm:e2e_request_latency_seconds_count{model_name="m"} 3.0
                """);

        assertThat(sample.requestsWaiting()).isEmpty();
        assertThat(sample.requestsRunning()).isEmpty();
        assertThat(sample.kvCacheUsageRatio()).isEmpty();
        assertThat(sample.lora()).isEmpty();
        assertThat(sample.cacheConfig()).isEmpty();
    }

    @Test
    void shouldReportZeroWhenTheServerReportsZero() {
        PodSample sample = map("""
                vllm:num_requests_waiting{model_name="m"} 0.0
                vllm:kv_cache_usage_perc{model_name="m"} 0.0
                """);

        assertThat(sample.requestsWaiting()).hasValue(0.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.0);
    }

    @Test
    void shouldTreatNaNAsMissing() {
        PodSample sample = map("""
                vllm:num_requests_waiting{model_name="m"} NaN
                vllm:num_requests_running{engine="0",model_name="m"} NaN
                vllm:num_requests_running{engine="1",model_name="m"} 3.0
                vllm:kv_cache_usage_perc{model_name="m"} NaN
                vllm:gpu_cache_usage_perc{model_name="m"} 0.5
                vllm:lora_requests_info{max_lora="2",running_lora_adapters="a",waiting_lora_adapters=""} 1.7e9
                vllm:lora_requests_info{max_lora="2",running_lora_adapters="b",waiting_lora_adapters=""} NaN
                """);

        assertThat(sample.requestsWaiting()).isEmpty();
        assertThat(sample.requestsRunning()).hasValue(3.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.5);
        assertThat(sample.lora()).contains(new Lora(2, List.of("a"), List.of()));
    }

    @Test
    void shouldReportEmptyAdapterListsWhenNewestLoraSeriesIsIdle() {
        PodSample sample = map("""
                vllm:lora_requests_info{max_lora="2",running_lora_adapters="a,b",waiting_lora_adapters="c"} 1754310100.0
                vllm:lora_requests_info{max_lora="2",running_lora_adapters="",waiting_lora_adapters=""} 1754310200.0
                """);

        assertThat(sample.lora()).contains(new Lora(2, List.of(), List.of()));
    }

    @Test
    void shouldReportNoLoraWhenMaxLoraIsNotAnInteger() {
        assertThat(map("vllm:lora_requests_info{max_lora=\"many\",running_lora_adapters=\"a\"} 1.7e9\n").lora()).isEmpty();
        assertThat(map("vllm:lora_requests_info{running_lora_adapters=\"a\"} 1.7e9\n").lora()).isEmpty();
    }

    @Test
    void shouldDropImpossibleValuesInsteadOfFailingTheSample() {
        PodSample sample = map("""
                vllm:num_requests_waiting{model_name="m"} -1.0
                vllm:num_requests_running{model_name="m"} +Inf
                vllm:kv_cache_usage_perc{model_name="m"} 1.2
                vllm:gpu_cache_usage_perc{model_name="m"} 0.8
                """);

        assertThat(sample.requestsWaiting()).isEmpty();
        assertThat(sample.requestsRunning()).isEmpty();
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.8);
    }

    private PodSample map(String text) {
        return mapping.map(POD, PromTextParser.parse(text), SAMPLE_TIME, 0.042);
    }

    private PodSample map(Exposition exposition) {
        return mapping.map(POD, exposition, SAMPLE_TIME, 0.042);
    }

    private static Exposition resource(String name) {
        try (InputStream in = VllmMappingTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return PromTextParser.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
