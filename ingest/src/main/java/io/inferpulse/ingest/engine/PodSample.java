package io.inferpulse.ingest.engine;

import io.inferpulse.ingest.gpu.GpuSample;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One scrape of one model-server pod, in engine-neutral terms. An empty optional means the server
 * did not report that value, which consumers must not confuse with zero.
 *
 * @param engine                the engine that produced it, e.g. {@code vllm}
 * @param sampleTime            when the scrape completed
 * @param kvCacheUsageRatio     KV-cache use as a fraction 0..1
 * @param requestsWaiting       requests queued, waiting to be scheduled
 * @param requestsRunning       requests being processed
 * @param cacheConfig           the engine's cache configuration (block size, GPU blocks, ...)
 * @param labels                the pod's Kubernetes labels
 * @param gpus                  the GPUs serving the pod, from dcgm-exporter; empty when none is scraped
 * @param status                UP for a scrape, GONE when the pod left its pool (then no value is set)
 */
public record PodSample(String cluster, String namespace, String pool, String pod, String address, String engine,
                        Instant sampleTime, double scrapeDurationSeconds,
                        OptionalDouble kvCacheUsageRatio, OptionalDouble requestsWaiting, OptionalDouble requestsRunning,
                        Optional<Lora> lora, Map<String, String> cacheConfig, Map<String, String> labels,
                        List<GpuSample> gpus, PodStatus status) {

    /** The sample that tells consumers a pod has left its pool. */
    public static PodSample gone(PodIdentity who, String engine, Instant time) {
        return new PodSample(who.cluster(), who.namespace(), who.pool(), who.pod(), who.address(), engine, time, 0,
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), Map.of(),
                who.labels(), List.of(), PodStatus.GONE);
    }

    /** This sample with the GPUs that serve the pod. */
    public PodSample withGpus(List<GpuSample> serving) {
        return new PodSample(cluster, namespace, pool, pod, address, engine, sampleTime, scrapeDurationSeconds,
                kvCacheUsageRatio, requestsWaiting, requestsRunning, lora, cacheConfig, labels, serving, status);
    }

    public PodSample {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(engine, "engine");
        if (engine.isBlank()) {
            throw new IllegalArgumentException("engine must not be blank");
        }
        Objects.requireNonNull(sampleTime, "sampleTime");
        if (!(scrapeDurationSeconds >= 0) || Double.isInfinite(scrapeDurationSeconds)) {
            throw new IllegalArgumentException("scrapeDurationSeconds must be finite and >= 0, got " + scrapeDurationSeconds);
        }
        Objects.requireNonNull(kvCacheUsageRatio, "kvCacheUsageRatio");
        if (kvCacheUsageRatio.isPresent() && !isRatio(kvCacheUsageRatio.getAsDouble())) {
            throw new IllegalArgumentException("kvCacheUsageRatio must be within 0..1, got " + kvCacheUsageRatio.getAsDouble());
        }
        requireCount(requestsWaiting, "requestsWaiting");
        requireCount(requestsRunning, "requestsRunning");
        Objects.requireNonNull(lora, "lora");
        cacheConfig = Map.copyOf(cacheConfig);
        labels = Map.copyOf(labels);
        gpus = List.copyOf(gpus);
        Objects.requireNonNull(status, "status");
    }

    /** Whether {@code value} is a valid {@link #kvCacheUsageRatio}. */
    static boolean isRatio(double value) {
        return value >= 0 && value <= 1;
    }

    /** Whether {@code value} is a valid {@link #requestsWaiting} or {@link #requestsRunning}. */
    static boolean isCount(double value) {
        return value >= 0 && value != Double.POSITIVE_INFINITY;
    }

    private static void requireCount(OptionalDouble count, String name) {
        Objects.requireNonNull(count, name);
        if (count.isPresent() && !isCount(count.getAsDouble())) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + count.getAsDouble());
        }
    }
}
