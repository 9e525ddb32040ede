package io.inferpulse.ingest.publish;

import io.inferpulse.avro.LoraInfo;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.schemas.Topics;
import java.util.List;

/** Converts the scraper's sample to the Avro record of the pod-metrics topic: the Kafka boundary. */
final class PodMetricsRecords {
    private PodMetricsRecords() {}

    static String key(PodSample s) {
        return Topics.poolKey(s.cluster(), s.namespace(), s.pool());
    }

    static PodMetrics toAvro(PodSample s) {
        return PodMetrics.newBuilder()
                .setCluster(s.cluster())
                .setNamespace(s.namespace())
                .setPool(s.pool())
                .setPod(s.pod())
                .setAddress(s.address())
                .setEngine(s.engine())
                .setStatus(PodStatus.UP)
                .setSampleTime(s.sampleTime())
                .setScrapeDurationSeconds(s.scrapeDurationSeconds())
                .setKvCacheUsageRatio(s.kvCacheUsageRatio().isPresent() ? s.kvCacheUsageRatio().getAsDouble() : null)
                .setRequestsWaiting(s.requestsWaiting().isPresent() ? s.requestsWaiting().getAsDouble() : null)
                .setRequestsRunning(s.requestsRunning().isPresent() ? s.requestsRunning().getAsDouble() : null)
                .setLora(s.lora().map(l -> new LoraInfo(l.maxLora(), l.runningAdapters(), l.waitingAdapters())).orElse(null))
                .setCacheConfig(s.cacheConfig())
                .setGpus(List.of())
                .setLabels(s.labels())
                .build();
    }
}
