package io.inferpulse.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Informers over the served InferencePool groups against fabric8's mock API server, whose CRDs
 * decide what API discovery says is served. The mock stores a resource even without its CRD; a
 * real API server would not serve it.
 */
class ServedApiInformersTest {

    private static final String NS = "inference";
    private static final Duration RECHECK = Duration.ofMillis(200);

    @RegisterExtension
    final MockApiServer kube = MockApiServer.crud();

    private final AtomicInteger apisChanged = new AtomicInteger();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void shouldWatchOnlyTheServedGroupsAndListThemInPreferenceOrder() {
        kube.serve(InferencePoolApi.V1ALPHA2, InferencePoolApi.V1);
        create(InferencePoolApi.V1ALPHA2, "llama-preview");
        create(InferencePoolApi.V1, "llama");

        ServedApiInformers<InferencePoolApi> informers = start(Optional.empty());

        assertThat(informers.synced()).isTrue();
        assertThat(informers.resources()).containsOnlyKeys(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        assertThat(informers.resources().keySet()).containsExactly(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        assertThat(names(informers, InferencePoolApi.V1)).containsExactly("llama");
        assertThat(names(informers, InferencePoolApi.V1ALPHA2)).containsExactly("llama-preview");
        assertThat(apisChanged).as("one initial list in per group").hasValue(2);
    }

    @Test
    void shouldSkipAnUnservedGroupAndFollowItsCrdBeingInstalledAndRemoved() {
        kube.serve(InferencePoolApi.V1);
        create(InferencePoolApi.V1ALPHA2, "llama-preview");
        ServedApiInformers<InferencePoolApi> informers = start(Optional.empty());
        assertThat(informers.resources()).containsOnlyKeys(InferencePoolApi.V1);

        // when the group is installed, then its initial list is announced and shown
        kube.serve(InferencePoolApi.V1ALPHA2);
        await().atMost(Duration.ofSeconds(5)).until(() -> apisChanged.get() == 2);
        assertThat(names(informers, InferencePoolApi.V1ALPHA2)).containsExactly("llama-preview");

        // when it is removed, then its resources are dropped before that is announced
        kube.client().apiextensions().v1().customResourceDefinitions()
                .withName("inferencepools." + InferencePoolApi.V1ALPHA2.group()).delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> apisChanged.get() == 3);
        assertThat(informers.resources()).containsOnlyKeys(InferencePoolApi.V1);
    }

    @Test
    void shouldContinueWithTheOtherGroupWhenListingOneAnswers404() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        kube.failGet("/apis/inference.networking.x-k8s.io/v1alpha2/inferencepools?resourceVersion=0", 404, "NotFound",
                "the server could not find the requested resource");
        create(InferencePoolApi.V1, "llama");

        ServedApiInformers<InferencePoolApi> informers = start(Optional.empty());

        assertThat(informers.resources()).containsOnlyKeys(InferencePoolApi.V1);
        assertThat(names(informers, InferencePoolApi.V1)).containsExactly("llama");
    }

    @Test
    void shouldFailToStartNamingTheGroupWhoseResourcesCannotBeListed() {
        kube.serve(InferencePoolApi.V1);
        kube.failGet("/apis/inference.networking.k8s.io/v1/inferencepools?resourceVersion=0", 403, "Forbidden",
                "inferencepools is forbidden");
        ServedApiInformers<InferencePoolApi> informers = informers(Optional.empty());

        assertThatThrownBy(() -> informers.start(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("could not list inference.networking.k8s.io/v1 inferencepools")
                .hasRootCauseInstanceOf(KubernetesClientException.class);
        assertThat(informers.resources()).isEmpty();
    }

    @Test
    void shouldHandEachGroupsEventsToItsHandlerAndWatchOnlyTheNamespaceGiven() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        ServedApiInformers<InferencePoolApi> informers = start(Optional.of(NS));

        create(InferencePoolApi.V1ALPHA2, "elsewhere", "team-b");
        create(InferencePoolApi.V1ALPHA2, "llama-preview");
        create(InferencePoolApi.V1, "llama");

        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(events).containsExactlyInAnyOrder("inference.networking.x-k8s.io/v1alpha2 added llama-preview",
                "inference.networking.k8s.io/v1 added llama");
        assertThat(names(informers, InferencePoolApi.V1ALPHA2)).containsExactly("llama-preview");
    }

    private ServedApiInformers<InferencePoolApi> start(Optional<String> namespace) {
        ServedApiInformers<InferencePoolApi> informers = informers(namespace);
        informers.start(Duration.ofSeconds(10));
        return informers;
    }

    private ServedApiInformers<InferencePoolApi> informers(Optional<String> namespace) {
        return kube.closeAfterServer(new ServedApiInformers<>(kube.client(), namespace,
                List.of(InferencePoolApi.values()), RECHECK, api -> new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource pool) {
                        events.add(api + " added " + pool.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                        events.add(api + " updated " + after.getMetadata().getName());
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource pool, boolean finalStateUnknown) {
                        events.add(api + " deleted " + pool.getMetadata().getName());
                    }
                }, apisChanged::incrementAndGet));
    }

    private static List<String> names(ServedApiInformers<InferencePoolApi> informers, InferencePoolApi api) {
        return informers.resources().get(api).stream().map(pool -> pool.getMetadata().getName()).toList();
    }

    private void create(InferencePoolApi api, String name) {
        create(api, name, NS);
    }

    private void create(InferencePoolApi api, String name, String namespace) {
        kube.client().genericKubernetesResources(api.context()).inNamespace(namespace)
                .resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion(api.apiVersion())
                        .withKind(InferencePoolApi.KIND)
                        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of()))
                        .build())
                .create();
    }
}
