package io.inferpulse.autoscaler.hpa;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The two API groups that serve InferencePools. During a v1alpha2 to v1 migration both exist at
 * once (seed 002), so the reconciler watches both. Ingest's discovery knows the same two groups
 * together with their spec shapes; the autoscaler reads no spec, only metadata, which is why it
 * keeps these coordinates rather than depending on ingest.
 */
enum InferencePoolApi {
    V1("inference.networking.k8s.io", "v1"),
    V1ALPHA2("inference.networking.x-k8s.io", "v1alpha2");

    static final String KIND = "InferencePool";

    final String group;
    final String version;

    InferencePoolApi(String group, String version) {
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

    @Override
    public String toString() {
        return apiVersion();
    }
}
