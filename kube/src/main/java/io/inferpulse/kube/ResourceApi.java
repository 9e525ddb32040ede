package io.inferpulse.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** A namespaced custom resource kind at one API group and version, as {@link ServedApiInformers} watches it. */
public interface ResourceApi {

    ResourceDefinitionContext context();

    /** {@code group/version}, as in a manifest's {@code apiVersion} and in API discovery. */
    default String apiVersion() {
        return context().getGroup() + "/" + context().getVersion();
    }

    default String kind() {
        return context().getKind();
    }

    /** One resource kind at one group and version, for a service that follows only that. */
    static ResourceApi of(ResourceDefinitionContext context) {
        record Single(ResourceDefinitionContext context) implements ResourceApi {
            @Override
            public String toString() {
                return apiVersion();
            }
        }
        return new Single(context);
    }
}
