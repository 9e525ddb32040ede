package io.inferpulse.ingest.discovery;

import static io.inferpulse.ingest.discovery.TestObjects.manifest;
import static io.inferpulse.ingest.discovery.TestObjects.pod;
import static io.inferpulse.ingest.discovery.TestObjects.v1Pool;
import static io.inferpulse.ingest.discovery.TestObjects.v1alpha2Pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.kube.InferencePoolApi;
import io.inferpulse.kube.MockApiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Discovery against fabric8's mock API server in CRUD mode: objects are created, changed and
 * deleted through the client, and the endpoint sets the listener receives are checked.
 */
class InferencePoolDiscoveryTest {

    private static final String NS = "inference";
    private static final Map<String, String> LLAMA = Map.of("app", "vllm-llama3-8b-instruct");
    private static final Map<String, String> MISTRAL = Map.of("app", "vllm-mistral-7b");
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    @RegisterExtension
    final MockApiServer kube = MockApiServer.crud();

    private final List<Set<DiscoveredEndpoint>> deliveries = new CopyOnWriteArrayList<>();
    private InferencePoolDiscovery discovery;

    @Test
    void shouldDiscoverReadyPodsOfPoolsInBothApiGroupsWithEveryV1TargetPort() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000, 8001));
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool(NS, "mistral", MISTRAL, 9000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod(NS, "llama-unready", LLAMA, "10.0.0.9", false));
        createPod(pod(NS, "unrelated", Map.of("app", "redis"), "10.0.0.8", true));

        start(Optional.empty());

        assertThat(deliveries).hasSize(1);
        assertThat(summaries(deliveries.getFirst())).containsExactlyInAnyOrder(
                "inference/llama llama-0 10.0.0.1:8000 v1",
                "inference/llama llama-0 10.0.0.1:8001 v1");

        createPod(pod(NS, "llama-1", LLAMA, "10.0.0.2", true));
        createPod(pod(NS, "mistral-0", MISTRAL, "10.0.1.1", true));

        awaitEndpoints(
                "inference/llama llama-0 10.0.0.1:8000 v1",
                "inference/llama llama-0 10.0.0.1:8001 v1",
                "inference/llama llama-1 10.0.0.2:8000 v1",
                "inference/llama llama-1 10.0.0.2:8001 v1",
                "inference/mistral mistral-0 10.0.1.1:9000 v1alpha2");
        DiscoveredEndpoint mistral = discovery.current().stream()
                .filter(e -> e.pod().pool().equals("mistral")).findFirst().orElseThrow();
        assertThat(mistral.pod()).isEqualTo(
                new PodIdentity("test-cluster", NS, "mistral", "mistral-0", "10.0.1.1:9000", MISTRAL));
        assertThat(mistral.pools()).containsExactly(
                new PoolRef("inference.networking.x-k8s.io", "v1alpha2", NS, "mistral"));
        assertThat(deliveries.getLast()).isEqualTo(discovery.current());
    }

    @Test
    void shouldDropPodRelabelledOutOfTheSelectorAndTakeItBackWhenRelabelledIn() {
        kube.serve(InferencePoolApi.V1);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod(NS, "llama-1", LLAMA, "10.0.0.2", true));
        start(Optional.empty());

        editPod("llama-1", p -> new PodBuilder(p).editMetadata().addToLabels("app", "quarantined").endMetadata()
                .build());
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1");

        editPod("llama-1", p -> new PodBuilder(p).editMetadata().addToLabels(LLAMA).endMetadata().build());
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1", "inference/llama llama-1 10.0.0.2:8000 v1");
    }

    @Test
    void shouldDropPodThatBecomesUnreadyAndTakeItBackWhenReady() {
        kube.serve(InferencePoolApi.V1);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod(NS, "llama-1", LLAMA, "10.0.0.2", true));
        start(Optional.empty());

        editPod("llama-1", p -> withReady(p, "False"));
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1");

        editPod("llama-1", p -> withReady(p, "True"));
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1", "inference/llama llama-1 10.0.0.2:8000 v1");
    }

    @Test
    void shouldDropTerminatingPodWhileItIsStillReady() {
        kube.serve(InferencePoolApi.V1);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        // A finalizer keeps the deleted pod around with a deletionTimestamp, as a grace period does.
        createPod(new PodBuilder(pod(NS, "llama-1", LLAMA, "10.0.0.2", true))
                .editMetadata().addToFinalizers("example.com/drain").endMetadata().build());
        start(Optional.empty());
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1", "inference/llama llama-1 10.0.0.2:8000 v1");

        kube.client().pods().inNamespace(NS).withName("llama-1").delete();

        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1");
        assertThat(kube.client().pods().inNamespace(NS).withName("llama-1").get()).isNotNull();
    }

    @Test
    void shouldDropDeletedPod() {
        kube.serve(InferencePoolApi.V1ALPHA2);
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool(NS, "llama", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod(NS, "llama-1", LLAMA, "10.0.0.2", true));
        start(Optional.empty());

        kube.client().pods().inNamespace(NS).withName("llama-0").delete();

        awaitEndpoints("inference/llama llama-1 10.0.0.2:8000 v1alpha2");
    }

    @Test
    void shouldDropOnlyTheEndpointsOfADeletedPool() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool(NS, "mistral", MISTRAL, 9000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod(NS, "mistral-0", MISTRAL, "10.0.1.1", true));
        start(Optional.empty());

        pools(InferencePoolApi.V1ALPHA2).inNamespace(NS).withName("mistral").delete();
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1");

        pools(InferencePoolApi.V1).inNamespace(NS).withName("llama").delete();
        awaitEndpoints();
    }

    @Test
    void shouldFollowAPoolWhoseSelectorAndPortsChange() {
        kube.serve(InferencePoolApi.V1);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod(NS, "mistral-0", MISTRAL, "10.0.1.1", true));
        start(Optional.empty());

        pools(InferencePoolApi.V1).inNamespace(NS).resource(v1Pool(NS, "llama", MISTRAL, 8000, 8002)).update();

        awaitEndpoints("inference/llama mistral-0 10.0.1.1:8000 v1", "inference/llama mistral-0 10.0.1.1:8002 v1");
    }

    @Test
    void shouldCountEachPodPortOnceWithBothRefsWhenSameNamedPoolsInBothGroupsSelectIt() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        // Stage 1 of the zero-downtime migration: the v1 pool is installed beside the v1alpha2 one.
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool(NS, "llama", LLAMA, 8000));
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000, 8001));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod(NS, "llama-1", LLAMA, "10.0.0.2", true));
        start(Optional.empty());

        awaitEndpoints(
                "inference/llama llama-0 10.0.0.1:8000 v1+v1alpha2",
                "inference/llama llama-0 10.0.0.1:8001 v1",
                "inference/llama llama-1 10.0.0.2:8000 v1+v1alpha2",
                "inference/llama llama-1 10.0.0.2:8001 v1");
        assertThat(discovery.current().stream().filter(e -> e.port() == 8000).findFirst().orElseThrow().pools())
                .containsExactlyInAnyOrder(
                        new PoolRef("inference.networking.k8s.io", "v1", NS, "llama"),
                        new PoolRef("inference.networking.x-k8s.io", "v1alpha2", NS, "llama"));

        // Stage 3: the v1alpha2 pool is removed; the endpoints stay, with the v1 ref only.
        pools(InferencePoolApi.V1ALPHA2).inNamespace(NS).withName("llama").delete();
        awaitEndpoints(
                "inference/llama llama-0 10.0.0.1:8000 v1",
                "inference/llama llama-0 10.0.0.1:8001 v1",
                "inference/llama llama-1 10.0.0.2:8000 v1",
                "inference/llama llama-1 10.0.0.2:8001 v1");
    }

    @Test
    void shouldYieldOneEndpointPerPoolWhenDifferentlyNamedPoolsSelectTheSamePod() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        create(InferencePoolApi.V1, v1Pool(NS, "llama-canary", LLAMA, 8000));
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool(NS, "llama-preview", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        start(Optional.empty());

        awaitEndpoints(
                "inference/llama llama-0 10.0.0.1:8000 v1",
                "inference/llama-canary llama-0 10.0.0.1:8000 v1",
                "inference/llama-preview llama-0 10.0.0.1:8000 v1alpha2");
    }

    @Test
    void shouldTreatTheSeedsPreviewAndGaPoolsAsTwoPoolsOverTheSamePods() {
        // Seed 002's zero-downtime path names the v1 pool differently (-ga) from the v1alpha2 one
        // (-preview), so during the traffic split they are two pools, each counting every pod.
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        create(InferencePoolApi.V1ALPHA2, manifest("inferencepool-v1alpha2.yaml"));
        create(InferencePoolApi.V1, manifest("inferencepool-v1.yaml"));
        createPod(pod("default", "vllm-0", Map.of("app", "vllm-llama3-8b-instruct"), "10.4.0.11", true));
        start(Optional.empty());

        awaitEndpoints(
                "default/vllm-llama3-8b-instruct-ga vllm-0 10.4.0.11:8000 v1",
                "default/vllm-llama3-8b-instruct-ga vllm-0 10.4.0.11:8001 v1",
                "default/vllm-llama3-8b-instruct-preview vllm-0 10.4.0.11:8000 v1alpha2");
    }

    @Test
    void shouldSelectPodsOnlyInThePoolsNamespace() {
        kube.serve(InferencePoolApi.V1);
        create(InferencePoolApi.V1, v1Pool("team-a", "llama", LLAMA, 8000));
        createPod(pod("team-a", "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod("team-b", "llama-0", LLAMA, "10.0.2.1", true));
        start(Optional.empty());

        awaitEndpoints("team-a/llama llama-0 10.0.0.1:8000 v1");
    }

    @Test
    void shouldWatchOnlyTheConfiguredNamespace() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        create(InferencePoolApi.V1, v1Pool("team-a", "llama", LLAMA, 8000));
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool("team-b", "llama", LLAMA, 8000));
        createPod(pod("team-a", "llama-0", LLAMA, "10.0.0.1", true));
        createPod(pod("team-b", "llama-0", LLAMA, "10.0.2.1", true));
        start(Optional.of("team-a"));

        createPod(pod("team-b", "llama-1", LLAMA, "10.0.2.2", true));
        createPod(pod("team-a", "llama-1", LLAMA, "10.0.0.2", true));

        awaitEndpoints("team-a/llama llama-0 10.0.0.1:8000 v1", "team-a/llama llama-1 10.0.0.2:8000 v1");
        assertThat(summaries(discovery.current())).noneMatch(s -> s.startsWith("team-b/"));
    }

    @Test
    void shouldDeliverTheLatestStateAfterABurstOfChanges() {
        kube.serve(InferencePoolApi.V1);
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        start(Optional.empty());

        int changes = 0;
        for (int i = 0; i < 30; i++) {
            createPod(pod(NS, "llama-" + i, LLAMA, "10.0.0." + (i + 1), true));
            changes++;
        }
        for (int i = 0; i < 10; i++) {
            kube.client().pods().inNamespace(NS).withName("llama-" + i).delete();
            changes++;
        }
        for (int i = 10; i < 15; i++) {
            editPod("llama-" + i, p -> withReady(p, "False"));
            changes++;
        }

        List<String> expected = new ArrayList<>();
        for (int i = 15; i < 30; i++) {
            expected.add("inference/llama llama-" + i + " 10.0.0." + (i + 1) + ":8000 v1");
        }
        awaitEndpoints(expected.toArray(String[]::new));
        assertThat(deliveries.size() - 1).as("deliveries after the initial one").isLessThan(changes / 2);
        assertThat(deliveries.getLast()).isEqualTo(discovery.current());
    }

    @Test
    void shouldSkipAnUnservedApiGroupAndFollowItsCrdBeingInstalledAndRemoved() {
        kube.serve(InferencePoolApi.V1);
        // The mock stores the object even without its CRD; a real API server would not serve it.
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool(NS, "llama-preview", LLAMA, 8000));
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));
        start(Optional.empty());
        assertThat(summaries(discovery.current())).containsExactly("inference/llama llama-0 10.0.0.1:8000 v1");

        kube.serve(InferencePoolApi.V1ALPHA2);
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1",
                "inference/llama-preview llama-0 10.0.0.1:8000 v1alpha2");

        kube.client().apiextensions().v1().customResourceDefinitions().withName("inferencepools." + InferencePoolApi.V1ALPHA2.group())
                .delete();
        awaitEndpoints("inference/llama llama-0 10.0.0.1:8000 v1");
    }

    @Test
    void shouldContinueWithTheOtherGroupWhenListingPoolsAnswers404() {
        kube.serve(InferencePoolApi.V1, InferencePoolApi.V1ALPHA2);
        kube.failGet("/apis/inference.networking.x-k8s.io/v1alpha2/inferencepools?resourceVersion=0", 404, "NotFound",
                "the server could not find the requested resource");
        create(InferencePoolApi.V1ALPHA2, v1alpha2Pool(NS, "llama-preview", LLAMA, 8000));
        create(InferencePoolApi.V1, v1Pool(NS, "llama", LLAMA, 8000));
        createPod(pod(NS, "llama-0", LLAMA, "10.0.0.1", true));

        start(Optional.empty());

        assertThat(summaries(discovery.current())).containsExactly("inference/llama llama-0 10.0.0.1:8000 v1");
    }

    @Test
    void shouldFailToStartWhenPodsCannotBeListed() {
        kube.serve(InferencePoolApi.V1);
        kube.failGet("/api/v1/pods?resourceVersion=0", 403, "Forbidden", "pods is forbidden");
        discovery = kube.closeAfterServer(new InferencePoolDiscovery(kube.client(), "test-cluster", Optional.empty(),
                deliveries::add, Duration.ofMillis(100), Duration.ofMillis(200)));

        assertThatThrownBy(discovery::start).isInstanceOf(IllegalStateException.class)
                .hasRootCauseInstanceOf(KubernetesClientException.class);
        assertThat(deliveries).isEmpty();
    }

    private void start(Optional<String> namespace) {
        discovery = kube.closeAfterServer(new InferencePoolDiscovery(kube.client(), "test-cluster", namespace,
                deliveries::add, Duration.ofMillis(100), Duration.ofMillis(200)));
        discovery.start();
    }

    private void awaitEndpoints(String... expected) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(summaries(deliveries.getLast())).containsExactlyInAnyOrder(expected));
        assertThat(discovery.current()).isEqualTo(deliveries.getLast());
    }

    /** {@code namespace/pool pod address versions}, versions of the refs sorted and joined by +. */
    private static Set<String> summaries(Set<DiscoveredEndpoint> endpoints) {
        return endpoints.stream().map(e -> e.pod().namespace() + "/" + e.pod().pool() + " " + e.pod().pod() + " "
                        + e.pod().address() + " "
                        + e.pools().stream().map(PoolRef::version).sorted().collect(Collectors.joining("+")))
                .collect(Collectors.toSet());
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> pools(InferencePoolApi api) {
        return kube.client().genericKubernetesResources(api.context());
    }

    private void create(InferencePoolApi api, GenericKubernetesResource pool) {
        pools(api).inNamespace(pool.getMetadata().getNamespace()).resource(pool).create();
    }

    private void createPod(Pod pod) {
        kube.client().pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    }

    private void editPod(String name, UnaryOperator<Pod> change) {
        kube.client().pods().inNamespace(NS).withName(name).edit(change);
    }

    private static Pod withReady(Pod pod, String status) {
        Pod changed = new PodBuilder(pod).build();
        changed.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                .forEach(c -> c.setStatus(status));
        return changed;
    }
}
