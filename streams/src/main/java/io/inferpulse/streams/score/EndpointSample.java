package io.inferpulse.streams.score;

import io.inferpulse.avro.LoraInfo;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.schemas.Topics;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the job keeps of an endpoint's latest pod sample; the value of the per-endpoint sample store.
 *
 * @param sampleTimeMs when the scrape completed, epoch milliseconds
 * @param kv KV-cache use 0..1, null when the server did not report it
 * @param waiting requests queued, null when not reported
 * @param running requests in progress, null when not reported
 * @param maxLora adapter slots of the server, 0 when it reports no LoRA information
 * @param loraAdapters running and waiting adapters, each once
 * @param address {@code ip:port}, what a picker returns
 */
record EndpointSample(long sampleTimeMs, Double kv, Double waiting, Double running, int maxLora, List<String> loraAdapters,
                      String cluster, String namespace, String pool, String pod, String address) {

    EndpointSample {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(address, "address");
        loraAdapters = List.copyOf(loraAdapters);
    }

    static EndpointSample of(PodMetrics sample) {
        LoraInfo lora = sample.getLora();
        Set<String> adapters = new LinkedHashSet<>();
        if (lora != null) {
            adapters.addAll(lora.getRunningAdapters());
            adapters.addAll(lora.getWaitingAdapters());
        }
        return new EndpointSample(sample.getSampleTime().toEpochMilli(), sample.getKvCacheUsageRatio(),
                sample.getRequestsWaiting(), sample.getRequestsRunning(), lora == null ? 0 : Math.max(0, lora.getMaxLora()),
                List.copyOf(adapters), sample.getCluster(), sample.getNamespace(), sample.getPool(), sample.getPod(),
                sample.getAddress());
    }

    /** The endpoint's key on the endpoint-scores topic, {@code cluster/namespace/pod:port}. */
    String endpointKey() {
        return endpointKey(cluster, namespace, pod, address);
    }

    String poolKey() {
        return Topics.poolKey(cluster, namespace, pool);
    }

    static String endpointKey(String cluster, String namespace, String pod, String address) {
        return cluster + '/' + namespace + '/' + pod + ':' + port(address);
    }

    /** The port of {@code host:port} or {@code [v6]:port}; the caller checked with {@link #invalid}. */
    private static String port(String address) {
        return address.substring(address.lastIndexOf(':') + 1);
    }

    /**
     * Why a pod-metrics record cannot be scored, or null when it can. A sample keyed by another pool
     * than its own would be scored by the task of the wrong pool and normalised against the wrong pods.
     */
    static String invalid(String key, PodMetrics sample) {
        if (key == null) {
            return "pod sample without a key: the pool (cluster/namespace/pool) decides its partition and task";
        }
        if (sample == null) {
            return "pod-metrics record without a value";
        }
        String poolKey = Topics.poolKey(sample.getCluster(), sample.getNamespace(), sample.getPool());
        if (!key.equals(poolKey)) {
            return "pod sample keyed '" + key + "' is of pool '" + poolKey + "': the key must be the sample's cluster/namespace/pool";
        }
        String address = sample.getAddress();
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || !isPort(address.substring(colon + 1))) {
            return "address '" + address + "' of pod " + sample.getPod() + " is not ip:port";
        }
        if (sample.getKvCacheUsageRatio() != null && !(sample.getKvCacheUsageRatio() >= 0 && sample.getKvCacheUsageRatio() <= 1)) {
            return "kv_cache_usage_ratio of pod " + sample.getPod() + " is " + sample.getKvCacheUsageRatio() + "; it must be within 0..1";
        }
        if (!isCount(sample.getRequestsWaiting()) || !isCount(sample.getRequestsRunning())) {
            return "requests_waiting " + sample.getRequestsWaiting() + " / requests_running " + sample.getRequestsRunning()
                    + " of pod " + sample.getPod() + ": each must be a finite number >= 0";
        }
        return null;
    }

    private static boolean isPort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(text);
        return port > 0 && port <= 65535;
    }

    private static boolean isCount(Double value) {
        return value == null || (value >= 0 && !value.isInfinite());
    }
}
