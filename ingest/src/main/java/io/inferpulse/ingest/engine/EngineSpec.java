package io.inferpulse.ingest.engine;

import java.util.Objects;
import java.util.Optional;

/**
 * An engine described by data rather than code: where its /metrics keeps each engine-neutral
 * value. {@link ConfiguredEngine} turns one into an {@link EngineMapping}; {@link Engines} holds
 * the built-in ones and reads user-defined ones from settings.
 *
 * @param name              lower-case, as in the pod label {@value Engines#ENGINE_LABEL}, e.g. {@code sglang}
 * @param waiting           requests queued, waiting to be scheduled
 * @param running           requests being processed
 * @param kvCache           KV-cache use; after {@link FieldSpec#scale()} a fraction 0..1
 * @param cacheConfigMetric an info gauge whose labels describe the cache (block size, block count)
 * @param lora              where LoRA adapter state comes from, for engines that report it
 */
public record EngineSpec(String name, FieldSpec waiting, FieldSpec running, FieldSpec kvCache,
                         Optional<String> cacheConfigMetric, Optional<LoraSpec> lora) {

    public EngineSpec {
        Names.requireEngine(name);
        Objects.requireNonNull(waiting, "waiting");
        Objects.requireNonNull(running, "running");
        Objects.requireNonNull(kvCache, "kvCache");
        Objects.requireNonNull(cacheConfigMetric, "cacheConfigMetric");
        cacheConfigMetric.ifPresent(metric -> Names.requireMetric(metric, "cache-config metric"));
        Objects.requireNonNull(lora, "lora");
    }
}
