package io.inferpulse.ingest.engine;

import java.util.Map;
import java.util.Objects;

/**
 * Which model-server pod a scrape came from, as discovery knows it.
 *
 * @param address the model server's endpoint as {@code ip:port}
 * @param labels  the pod's Kubernetes labels
 */
public record PodIdentity(String cluster, String namespace, String pool, String pod, String address,
                          Map<String, String> labels) {

    public PodIdentity {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(address, "address");
        labels = Map.copyOf(labels);
    }
}
