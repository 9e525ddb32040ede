package io.inferpulse.devstack.fleet;

/**
 * What one simulated pod is doing at the end of the last simulation step. Pinned metrics
 * ({@link FleetSimulator#pinMetrics}) change only what {@code /metrics} reports, never this.
 *
 * @param namespace    Kubernetes namespace
 * @param pool         InferencePool the pod serves
 * @param pod          pod name
 * @param model        base model the pod serves
 * @param running      requests in the batch (prefilling or decoding)
 * @param waiting      requests queued for the batch
 * @param kvCacheUsage share of KV-cache tokens in use, 0..1
 * @param completed    requests finished successfully since the start
 */
public record PodState(
        String namespace,
        String pool,
        String pod,
        String model,
        int running,
        int waiting,
        double kvCacheUsage,
        long completed) {
}
