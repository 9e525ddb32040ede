package io.inferpulse.ingest.discovery;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** The two API groups that serve InferencePools; a cluster may serve either, both or neither. */
enum PoolApi {
    V1("inference.networking.k8s.io", "v1"),
    V1ALPHA2("inference.networking.x-k8s.io", "v1alpha2");

    static final String KIND = "InferencePool";

    final String group;
    final String version;

    PoolApi(String group, String version) {
        this.group = group;
        this.version = version;
    }

    String apiVersion() {
        return group + "/" + version;
    }

    ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(KIND)
                .withPlural("inferencepools")
                .withNamespaced(true)
                .build();
    }

    PoolRef ref(String namespace, String name) {
        return new PoolRef(group, version, namespace, name);
    }

    @Override
    public String toString() {
        return apiVersion();
    }
}
