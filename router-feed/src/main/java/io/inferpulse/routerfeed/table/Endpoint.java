package io.inferpulse.routerfeed.table;

import io.inferpulse.avro.EndpointScore;
import io.inferpulse.schemas.Topics;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One endpoint of a pool as the picker sees it: the latest score the streams published for it.
 *
 * @param key the topic key, {@code cluster/namespace/pod:port}; unique within the table
 * @param address what a pick returns, {@code ip:port}
 * @param poolKey {@code cluster/namespace/pool}
 * @param score weighted score, higher is better
 * @param parts each scorer's value before weighting, by scorer name
 * @param clusterLabels the labels backend-policy scopes select on
 * @param load the raw gauges at sample time, which saturation is judged on
 * @param expiresAt after this instant the score no longer describes the endpoint
 */
public record Endpoint(String key, String address, String pod, String poolKey, double score, Map<String, Double> parts,
                       Health health, Map<String, String> clusterLabels, List<String> loraAdapters, Load load,
                       Instant sampleTime, Instant expiresAt) {

    /** Queue, running requests and KV-cache use 0..1 as the pod reported them. */
    public record Load(double waiting, double running, double kvCacheUsage) {
        public static final Load IDLE = new Load(0, 0, 0);
    }

    /** Whether the picker may choose the endpoint. */
    public enum Health {
        /** Fresh and answering. */
        HEALTHY,
        /** No fresh sample. */
        STALE,
        /** Recent requests fail. */
        FAILING
    }

    public Endpoint {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(poolKey, "poolKey");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(sampleTime, "sampleTime");
        Objects.requireNonNull(expiresAt, "expiresAt");
        parts = Map.copyOf(parts);
        clusterLabels = Map.copyOf(clusterLabels);
        loraAdapters = List.copyOf(loraAdapters);
    }

    static Endpoint from(String key, EndpointScore s) {
        // Avro hands over CharSequence (Utf8) keys and values; copy to String so lookups by String work.
        Map<String, Double> parts = new HashMap<>();
        s.getParts().forEach((k, v) -> parts.put(k.toString(), v));
        Map<String, String> labels = new HashMap<>();
        s.getClusterLabels().forEach((k, v) -> labels.put(k.toString(), v.toString()));
        List<String> adapters = s.getLoraAdapters().stream().map(CharSequence::toString).toList();
        return new Endpoint(key, s.getAddress().toString(), s.getPod().toString(),
                Topics.poolKey(s.getCluster().toString(), s.getNamespace().toString(), s.getPool().toString()),
                s.getScore(), parts, Health.valueOf(s.getHealth().name()), labels, adapters,
                new Load(s.getRequestsWaiting(), s.getRequestsRunning(), s.getKvCacheUsageRatio()), s.getSampleTime(),
                s.getExpiresAt());
    }
}
