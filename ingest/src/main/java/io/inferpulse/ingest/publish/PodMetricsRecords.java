package io.inferpulse.ingest.publish;

import io.inferpulse.avro.GpuSample;
import io.inferpulse.avro.LoraInfo;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.schemas.Topics;
import java.util.OptionalDouble;

/** Converts the scraper's sample to the Avro record of the pod-metrics topic: the Kafka boundary. */
public final class PodMetricsRecords {
    private PodMetricsRecords() {}

    public static String key(PodSample s) {
        return Topics.poolKey(s.cluster(), s.namespace(), s.pool());
    }

    public static PodMetrics toAvro(PodSample s) {
        return PodMetrics.newBuilder()
                .setCluster(s.cluster())
                .setNamespace(s.namespace())
                .setPool(s.pool())
                .setPod(s.pod())
                .setAddress(s.address())
                .setEngine(s.engine())
                .setStatus(s.status() == io.inferpulse.ingest.engine.PodStatus.GONE ? PodStatus.GONE : PodStatus.UP)
                .setSampleTime(s.sampleTime())
                .setScrapeDurationSeconds(s.scrapeDurationSeconds())
                .setKvCacheUsageRatio(orNull(s.kvCacheUsageRatio()))
                .setRequestsWaiting(orNull(s.requestsWaiting()))
                .setRequestsRunning(orNull(s.requestsRunning()))
                .setLora(s.lora().map(l -> new LoraInfo(l.maxLora(), l.runningAdapters(), l.waitingAdapters())).orElse(null))
                .setCacheConfig(s.cacheConfig())
                .setGpus(s.gpus().stream().map(PodMetricsRecords::gpu).toList())
                .setLabels(s.labels())
                .build();
    }

    public static GpuSample gpu(io.inferpulse.ingest.gpu.GpuSample g) {
        return GpuSample.newBuilder()
                .setGpu(g.gpu())
                .setUuid(g.uuid())
                .setModelName(g.modelName())
                .setHostname(g.hostname())
                .setUtilizationPercent(orNull(g.utilizationPercent()))
                .setFramebufferUsedMib(orNull(g.framebufferUsedMib()))
                .setFramebufferFreeMib(orNull(g.framebufferFreeMib()))
                .setPowerWatts(orNull(g.powerWatts()))
                .setTemperatureCelsius(orNull(g.temperatureCelsius()))
                .setOther(g.other())
                .build();
    }

    private static Double orNull(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }
}
