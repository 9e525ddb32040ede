package io.inferpulse.ingest.engine;

import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;

/**
 * Maps vLLM's /metrics (v0.6 to v0.10+ naming) to a {@link PodSample}, reading the same metrics as
 * the Gateway API Inference Extension's endpoint picker.
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
        Sum waiting = new Sum();
        Sum running = new Sum();
        // One server, one cache: the model_name series of an engine all report the same KV cache,
        // so a sum would count it twice and could pass 1. With several engines the fullest cache
        // is the one that starts preempting first, so the maximum is the meaningful figure.
        Max kvCache = new Max();
        Max legacyKvCache = new Max();
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
                    if (!Double.isNaN(value) && (newestLora == null || value > newestLora.value())) {
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

        OptionalDouble kvCacheUsage = valid(kvCache.result(), PodSample::isRatio);
        if (kvCacheUsage.isEmpty()) {
            kvCacheUsage = valid(legacyKvCache.result(), PodSample::isRatio);
        }
        return new PodSample(who.cluster(), who.namespace(), who.pool(), who.pod(), who.address(), engine(),
                sampleTime, scrapeDurationSeconds,
                kvCacheUsage,
                valid(waiting.result(), PodSample::isCount),
                valid(running.result(), PodSample::isCount),
                lora(newestLora),
                cacheConfig == null ? Map.of() : cacheConfig.labels().asMap(),
                who.labels(), List.of(), PodStatus.UP);
    }

    // An impossible value (a negative queue, a cache 120% full) is dropped like a missing one
    // rather than failing the sample, so the pod's other values still get through.
    private static OptionalDouble valid(OptionalDouble value, DoublePredicate isValid) {
        return value.isPresent() && !isValid.test(value.getAsDouble()) ? OptionalDouble.empty() : value;
    }

    /**
     * vLLM sets the series of the current (max_lora, running, waiting adapters) label combination
     * to the current time on each engine step and never removes old combinations, so the series
     * with the largest value is the present state; this is how the EPP reads it too. Unlike the
     * EPP, a newest series with both adapter lists empty is kept: the EPP skips it to remember which
     * adapters may still be loaded for routing, but for telemetry "nothing running" is the truth.
     */
    private static Optional<Lora> lora(Sample newest) {
        if (newest == null) {
            return Optional.empty();
        }
        // Without its capacity the adapter state cannot be interpreted, so none is reported.
        String maxLabel = newest.labels().get("max_lora");
        if (maxLabel == null) {
            return Optional.empty();
        }
        int maxLora;
        try {
            maxLora = Integer.parseInt(maxLabel.strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (maxLora < 0) {
            return Optional.empty();
        }
        return Optional.of(new Lora(maxLora,
                adapters(newest.labels().get("running_lora_adapters")),
                adapters(newest.labels().get("waiting_lora_adapters"))));
    }

    private static List<String> adapters(String commaSeparated) {
        List<String> names = new ArrayList<>();
        if (commaSeparated != null) {
            for (String name : commaSeparated.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.strip());
                }
            }
        }
        return names;
    }

    /** A NaN series is a missing one; no non-NaN series means no value, not zero. */
    private static final class Sum {
        private double total;
        private boolean seen;

        void add(double value) {
            if (!Double.isNaN(value)) {
                total += value;
                seen = true;
            }
        }

        OptionalDouble result() {
            return seen ? OptionalDouble.of(total) : OptionalDouble.empty();
        }
    }

    /** A NaN series is a missing one; no non-NaN series means no value, not zero. */
    private static final class Max {
        private double max = Double.NEGATIVE_INFINITY;
        private boolean seen;

        void add(double value) {
            if (!Double.isNaN(value)) {
                max = Math.max(max, value);
                seen = true;
            }
        }

        OptionalDouble result() {
            return seen ? OptionalDouble.of(max) : OptionalDouble.empty();
        }
    }
}
