package io.inferpulse.ingest.gpu;

import java.util.Objects;

/** A pod by namespace and name: how dcgm-exporter says which pod a GPU serves. */
public record PodRef(String namespace, String pod) {

    public PodRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pod, "pod");
        if (namespace.isBlank() || pod.isBlank()) {
            throw new IllegalArgumentException(
                    "namespace and pod must not be blank, got '" + namespace + "/" + pod + "'");
        }
    }

    @Override
    public String toString() {
        return namespace + "/" + pod;
    }
}
