package io.inferpulse.ingest.engine;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.Sample;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Maps vLLM's /metrics (v0.6 to v0.10+ naming) to a {@link PodSample}, reading the same metrics as
 * the Gateway API Inference Extension's endpoint picker.
 *
 * <p>Not a {@link ConfiguredEngine}: vLLM needs a fallback a spec cannot express, the deprecated
 * {@code vllm:gpu_cache_usage_perc} when the server predates {@code vllm:kv_cache_usage_perc}.
 */
public final class VllmMapping implements EngineMapping {

    static final String REQUESTS_WAITING = "vllm:num_requests_waiting";
    static final String REQUESTS_RUNNING = "vllm:num_requests_running";
    static final String KV_CACHE_USAGE = "vllm:kv_cache_usage_perc";
    /** Deprecated in vLLM 0.9 for {@link #KV_CACHE_USAGE}; older servers expose only this one. */
    static final String GPU_CACHE_USAGE = "vllm:gpu_cache_usage_perc";
    static final String LORA_REQUESTS_INFO = "vllm:lora_requests_info";
    static final String CACHE_CONFIG_INFO = "vllm:cache_config_info";

    @Override
    public String engine() {
        return "vllm";
    }

    @Override
    public PodSample map(PodIdentity who, Exposition exposition, Instant sampleTime, double scrapeDurationSeconds) {
        // vLLM labels these gauges by model_name and engine (the data-parallel rank), so a pod
        // can expose several series of each. Every series counts distinct requests, hence the sum.
        Accumulator waiting = new Accumulator(Aggregation.SUM);
        Accumulator running = new Accumulator(Aggregation.SUM);
        // One server, one cache: the model_name series of an engine all report the same KV cache,
        // so a sum would count it twice and could pass 1. With several engines the fullest cache
        // is the one that starts preempting first, so the maximum is the meaningful figure.
        Accumulator kvCache = new Accumulator(Aggregation.MAX);
        Accumulator legacyKvCache = new Accumulator(Aggregation.MAX);
        Sample newestLora = null;
        Sample cacheConfig = null;
        for (Sample sample : exposition.samples()) {
            double value = sample.value();
            switch (sample.name()) {
                case REQUESTS_WAITING -> waiting.add(value);
                case REQUESTS_RUNNING -> running.add(value);
                case KV_CACHE_USAGE -> kvCache.add(value);
                case GPU_CACHE_USAGE -> legacyKvCache.add(value);
                case LORA_REQUESTS_INFO -> {
                    // vLLM sets the series of the current label combination to the current time on
                    // each engine step and never removes old combinations; this is how the EPP reads it too.
                    if (LoraSpec.isNewer(sample, newestLora)) {
                        newestLora = sample;
                    }
                }
                case CACHE_CONFIG_INFO -> {
                    // One series per engine, all from the same configuration: the first will do.
                    if (cacheConfig == null) {
                        cacheConfig = sample;
                    }
                }
                default -> {
                }
            }
        }

        OptionalDouble kvCacheUsage = Accumulator.validated(kvCache.result(), PodSample::isRatio);
        if (kvCacheUsage.isEmpty()) {
            kvCacheUsage = Accumulator.validated(legacyKvCache.result(), PodSample::isRatio);
        }
        return new PodSample(who.cluster(), who.namespace(), who.pool(), who.pod(), who.address(), engine(),
                sampleTime, scrapeDurationSeconds,
                kvCacheUsage,
                Accumulator.validated(waiting.result(), PodSample::isCount),
                Accumulator.validated(running.result(), PodSample::isCount),
                LoraSpec.VLLM.read(newestLora),
                cacheConfig == null ? Map.of() : cacheConfig.labels().asMap(),
                who.labels(), List.of(), PodStatus.UP);
    }
}
