package io.inferpulse.routerfeed.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.inferpulse.kube.MockApiServer;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.runtime.config.Configuration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cluster's GCPBackendPolicy resources against fabric8's mock API server in CRUD mode: policies
 * are created, changed and deleted through the client, and what the picker would apply is read back.
 */
class BackendPolicyResourcesTest {
    private static final String NS = "llm";
    private static final Map<String, String> WEST = Map.of("gke.io/region", "us-west2");

    @RegisterExtension
    final MockApiServer kube = MockApiServer.crud();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private BackendPolicyResources resources;

    private void serveBackendPolicies() {
        kube.serve(BackendPolicyResources.API);
    }

    private static GenericKubernetesResource policy(String namespace, String name, String targetKind, String pool,
                                                    Map<String, Object> defaults) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("networking.gke.io/v1").withKind("GCPBackendPolicy")
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .addToAdditionalProperties("spec", Map.of(
                        "targetRef", Map.of("group", "inference.networking.k8s.io", "kind", targetKind, "name", pool),
                        "default", defaults))
                .build();
    }

    private static Map<String, Object> scaledInWest(int percent) {
        return Map.of("scopes", List.of(Map.of("selector", WEST, "capacityScalerPercent", percent)));
    }

    private void apply(GenericKubernetesResource resource) {
        kube.client().genericKubernetesResources(BackendPolicyResources.API.context()).resource(resource).createOr(r -> r.update());
    }

    private double gauge(String state) {
        return meters.get("inferpulse_router_feed_backend_policies").tag("state", state).gauge().value();
    }

    @Test
    void shouldFollowPoliciesAsTheyAreCreatedChangedAndDeleted() {
        // given a policy in the cluster before the picker starts
        serveBackendPolicies();
        apply(policy(NS, "vllm-policy", "InferencePool", "vllm", scaledInWest(50)));

        // when the picker reads them
        resources = kube.closeAfterServer(BackendPolicyResources.start(kube.client(), Optional.empty(), meters));

        // then it is applied to its pool in its namespace only
        assertThat(resources.get().policyFor("gke-a/llm/vllm").resolve(WEST).capacityScale()).isEqualTo(0.5);
        assertThat(resources.get().policyFor("gke-a/other/vllm")).isNull();
        assertThat(gauge("applied")).isEqualTo(1);

        // when it is changed, then the change applies
        apply(policy(NS, "vllm-policy", "InferencePool", "vllm", scaledInWest(0)));
        await().atMost(Duration.ofSeconds(10)).until(() -> resources.get().policyFor("gke-a/llm/vllm").resolve(WEST).drained());

        // when it is deleted, then the pool has none
        kube.client().genericKubernetesResources(BackendPolicyResources.API.context()).inNamespace(NS).withName("vllm-policy").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> resources.get().policyFor("gke-a/llm/vllm") == null);
        assertThat(gauge("applied")).isZero();
    }

    @Test
    void shouldCloseTheClientThePickersSettingsOpenedThePoliciesWithWhenTheyClose() {
        serveBackendPolicies();
        apply(policy(NS, "vllm-policy", "InferencePool", "vllm", scaledInWest(50)));
        PickerSettings settings = PickerSettings.from(Configuration.load(PickerSettings.PARAMETERS, Set.of(),
                Configuration.Sources.of(Map.of("picker.policy.kubernetes", "true"))));
        KubernetesClient own = new KubernetesClientBuilder().withConfig(kube.client().getConfiguration()).build();

        PolicySource policies = settings.openPolicies(() -> own, meters);
        assertThat(policies.get().policyFor("gke-a/llm/vllm").resolve(WEST).capacityScale()).isEqualTo(0.5);
        assertThat(own.getHttpClient().isClosed()).isFalse();

        kube.stopServer();
        policies.close();
        assertThat(own.getHttpClient().isClosed()).as("the picker's Kubernetes client, closed at shutdown").isTrue();
    }

    @Test
    void shouldRejectAnInvalidPolicyWithoutStoppingAndLeaveOtherBackendsAlone() {
        serveBackendPolicies();
        apply(policy(NS, "good", "InferencePool", "vllm", scaledInWest(50)));
        apply(policy(NS, "service-policy", "Service", "frontend",
                Map.of("maxRatePerEndpoint", "not a number")));
        resources = kube.closeAfterServer(BackendPolicyResources.start(kube.client(), Optional.empty(), meters));

        // Seed 004's own invalid policy: the mode at the default level, its limit in a scope.
        apply(policy(NS, "echoserver-v2", "GCPInferencePoolImport", "test-inference-pool", Map.of(
                "balancingMode", "IN_FLIGHT",
                "scopes", List.of(Map.of("selector", Map.of("gke.io/zone", "us-central1-a"), "maxInFlightPerEndpoint", 100)))));

        await().atMost(Duration.ofSeconds(10)).until(() -> !resources.rejected().isEmpty());
        assertThat(resources.rejected()).containsOnlyKeys("llm/echoserver-v2");
        assertThat(resources.rejected().get("llm/echoserver-v2"))
                .startsWith("GCPBackendPolicy llm/echoserver-v2: spec.default.scopes[0].maxInFlightPerEndpoint:")
                .contains("balancingMode IN_FLIGHT is set at the default level");
        assertThat(resources.get().policyFor("c/llm/test-inference-pool")).isNull();
        assertThat(resources.get().policyFor("c/llm/vllm")).as("the valid one still applies").isNotNull();
        assertThat(gauge("rejected")).isEqualTo(1);
    }

    @Test
    void shouldApplyTheOlderOfTwoPoliciesForOnePool() {
        serveBackendPolicies();
        // Named against the tie-break (namespace/name), so only the creation time can make "older" win.
        apply(policy(NS, "older", "InferencePool", "vllm", scaledInWest(90)));
        String olderCreated = resource("older").getMetadata().getCreationTimestamp();
        // The API server stamps creation to the second: the newer one must be created in a later second.
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .isAfter(Instant.parse(olderCreated)));
        apply(policy(NS, "a-newer", "InferencePool", "vllm", scaledInWest(10)));

        resources = kube.closeAfterServer(BackendPolicyResources.start(kube.client(), Optional.empty(), meters));

        assertThat(resources.get().policyFor("c/llm/vllm").name()).isEqualTo("older");
        assertThat(resources.rejected().get("llm/a-newer"))
                .isEqualTo("GCPBackendPolicy llm/a-newer targets pool vllm, which the older GCPBackendPolicy llm/older"
                        + " already targets; a pool takes one policy");
    }

    private GenericKubernetesResource resource(String name) {
        return kube.client().genericKubernetesResources(BackendPolicyResources.API.context()).inNamespace(NS).withName(name).get();
    }

    @Test
    void shouldReadOnlyTheNamespaceItIsGiven() {
        serveBackendPolicies();
        apply(policy(NS, "mine", "InferencePool", "vllm", scaledInWest(50)));
        apply(policy("elsewhere", "theirs", "InferencePool", "sglang", scaledInWest(50)));

        resources = kube.closeAfterServer(BackendPolicyResources.start(kube.client(), Optional.of(NS), meters));

        assertThat(resources.get().all()).extracting(BackendPolicy::name).containsExactly("mine");
    }

    @Test
    void shouldRefuseToStartWhereGcpBackendPolicyIsNotServed() {
        assertThatThrownBy(() -> BackendPolicyResources.start(kube.client(), Optional.empty(), meters))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not serve GCPBackendPolicy (networking.gke.io/v1)")
                .hasMessageContaining("picker.policy.file");
    }
}
