package io.inferpulse.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.Test;

class InformersTest {

    @Test
    void shouldRecognise404AsNotFoundWhereverFabric8WrapsIt() {
        KubernetesClientException notFound = new KubernetesClientException(
                new StatusBuilder().withCode(404).withReason("NotFound").build());
        assertThat(Informers.notFound(notFound)).isTrue();
        assertThat(Informers.notFound(new KubernetesClientException("not found", 404, null))).isTrue();
        assertThat(Informers.notFound(new WatcherException("watch failed", notFound))).isTrue();
        assertThat(Informers.notFound(new IllegalStateException("start", notFound))).isTrue();
        assertThat(Informers.notFound(new KubernetesClientException("forbidden", 403, null))).isFalse();
        assertThat(Informers.notFound(new WatcherException("closed"))).isFalse();
    }
}
