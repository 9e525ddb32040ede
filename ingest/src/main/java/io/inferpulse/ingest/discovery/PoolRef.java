package io.inferpulse.ingest.discovery;

import io.inferpulse.kube.InferencePoolApi;
import java.util.Objects;

/**
 * One InferencePool object, told apart by its API group and version as well as its name: during a
 * v1alpha2 to v1 migration two objects with the same namespace and name exist, one per group.
 *
 * @param group   {@code inference.networking.k8s.io} (v1) or {@code inference.networking.x-k8s.io}
 *                (v1alpha2)
 * @param version the version discovery read the object at, {@code v1} or {@code v1alpha2}
 */
public record PoolRef(String group, String version, String namespace, String name) {

    public PoolRef {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    static PoolRef of(InferencePoolApi api, String namespace, String name) {
        return new PoolRef(api.group(), api.version(), namespace, name);
    }
}
