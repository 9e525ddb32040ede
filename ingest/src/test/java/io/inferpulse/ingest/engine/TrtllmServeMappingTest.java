package io.inferpulse.ingest.engine;

import static io.inferpulse.ingest.engine.Fixtures.map;
import static io.inferpulse.ingest.engine.Fixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * trtllm-serve-metrics.prom follows trtllm-serve's Prometheus endpoint: prometheus_client in
 * multiprocess mode, so gauges carry the writing process's {@code pid} and help texts read
 * "Multiprocess metric"; iteration gauges next to request histograms and config info gauges.
 */
class TrtllmServeMappingTest {

    private final EngineMapping mapping = Engines.builtIn().mapping("trtllm");

    @Test
    void shouldMapRealisticTrtllmServeExposition() {
        PodSample sample = map(mapping, resource("/engine/trtllm-serve-metrics.prom"));

        assertThat(sample.engine()).isEqualTo("trtllm");
        assertThat(sample.requestsWaiting()).hasValue(3.0);
        assertThat(sample.requestsRunning()).hasValue(12.0);
        // Not the host pool's utilization (0.0) next to it.
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.38214285714285712);
        assertThat(sample.cacheConfig()).isEmpty();
        assertThat(sample.lora()).isEmpty();
    }

    @Test
    void shouldBeFoundUnderTheEndpointPickersName() {
        EngineMapping byEppName = Engines.builtIn().mapping("trtllm-serve");

        assertThat(byEppName.engine()).isEqualTo("trtllm");
        assertThat(map(byEppName, resource("/engine/trtllm-serve-metrics.prom")).requestsWaiting()).hasValue(3.0);
    }

    @Test
    void shouldReportNothingBeforeTheFirstIterationStats() {
        // Until the first iteration, trtllm-serve has only declared its histograms.
        PodSample sample = map(mapping, """
                # HELP trtllm_e2e_request_latency_seconds Multiprocess metric
                # TYPE trtllm_e2e_request_latency_seconds histogram
                trtllm_e2e_request_latency_seconds_count{engine_type="trtllm",model_name="m"} 0.0
                """);

        assertThat(sample.requestsWaiting()).isEmpty();
        assertThat(sample.requestsRunning()).isEmpty();
        assertThat(sample.kvCacheUsageRatio()).isEmpty();
    }
}
