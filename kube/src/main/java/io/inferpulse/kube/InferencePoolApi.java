package io.inferpulse.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The two API groups that serve InferencePools; a cluster may serve either, both or neither.
 * During a v1alpha2 to v1 migration both exist at once (seed 002), so whoever follows pools
 * watches both. Declared in preference order: where a v1 and a v1alpha2 pool share a namespace
 * and name, the v1 pool's settings win.
 */
public enum InferencePoolApi implements ResourceApi {
    V1("inference.networking.k8s.io", "v1"),
    V1ALPHA2("inference.networking.x-k8s.io", "v1alpha2");

    public static final String KIND = "InferencePool";

    private final String group;
    private final String version;
    private final ResourceDefinitionContext context;

    InferencePoolApi(String group, String version) {
        this.group = group;
        this.version = version;
        this.context = new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(KIND)
                .withPlural("inferencepools")
                .withNamespaced(true)
                .build();
    }

    public String group() {
        return group;
    }

    public String version() {
        return version;
    }

    @Override
    public ResourceDefinitionContext context() {
        return context;
    }

    @Override
    public String toString() {
        return apiVersion();
    }
}
