package io.inferpulse.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.util.Optional;

/** How inferpulse builds its informers, and how it reads their failures. */
public final class Informers {

    private Informers() {
    }

    /**
     * An informer, not yet started, over one namespace's resources or (empty) every namespace's,
     * that keeps relisting after a failed watch as client-go does: fabric8's default gives up, which
     * would freeze what the informer shows without a sign. A 404 is the exception: the resource's
     * API group went away, and the informer stops with that failure.
     */
    public static <T extends HasMetadata, L extends KubernetesResourceList<T>, R extends Resource<T>>
            SharedIndexInformer<T> relisting(MixedOperation<T, L, R> resources, Optional<String> namespace) {
        Informable<T> scoped = namespace.<Informable<T>>map(resources::inNamespace).orElseGet(resources::inAnyNamespace);
        return scoped.runnableInformer(0).exceptionHandler((started, failure) -> started && !notFound(failure));
    }

    /** Whether a failure says the resource does not exist on the server, wherever fabric8 wrapped the 404. */
    public static boolean notFound(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException e && (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND
                    || e.getStatus() != null && Integer.valueOf(HttpURLConnection.HTTP_NOT_FOUND)
                    .equals(e.getStatus().getCode()))) {
                return true;
            }
        }
        return false;
    }
}
