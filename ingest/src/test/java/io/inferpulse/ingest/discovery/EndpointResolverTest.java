package io.inferpulse.ingest.discovery;

import static io.inferpulse.ingest.discovery.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.kube.InferencePoolApi;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointResolverTest {

    private static final Map<String, String> APP = Map.of("app", "vllm");

    @Test
    void shouldMergeSameNamedPoolsOfBothGroupsIntoOneEndpointPerPodAndPort() {
        PoolSpec v1 = new PoolSpec(PoolRef.of(InferencePoolApi.V1, "ns", "llama"), APP, Set.of(8000, 8001));
        PoolSpec v1alpha2 = new PoolSpec(PoolRef.of(InferencePoolApi.V1ALPHA2, "ns", "llama"), APP, Set.of(8000));

        Set<DiscoveredEndpoint> endpoints = EndpointResolver.resolve("c1", List.of(v1, v1alpha2),
                ns -> List.of(pod(ns, "llama-0", APP, "10.0.0.1", true)));

        PodIdentity at8000 = new PodIdentity("c1", "ns", "llama", "llama-0", "10.0.0.1:8000", APP);
        PodIdentity at8001 = new PodIdentity("c1", "ns", "llama", "llama-0", "10.0.0.1:8001", APP);
        assertThat(endpoints).containsExactlyInAnyOrder(
                new DiscoveredEndpoint(at8000, 8000, Set.of(v1.ref(), v1alpha2.ref())),
                new DiscoveredEndpoint(at8001, 8001, Set.of(v1.ref())));
    }

    @Test
    void shouldBracketIpv6PodAddresses() {
        PoolSpec pool = new PoolSpec(PoolRef.of(InferencePoolApi.V1, "ns", "llama"), APP, Set.of(8000));

        Set<DiscoveredEndpoint> endpoints = EndpointResolver.resolve("c1", List.of(pool),
                ns -> List.of(pod(ns, "llama-0", APP, "fd00:10:244::7", true)));

        assertThat(endpoints).singleElement().extracting(e -> e.pod().address()).isEqualTo("[fd00:10:244::7]:8000");
    }

    @Test
    void shouldCountOnlyPodsWithReadyTrueAnIpAndNoDeletionTimestampAsReady() {
        Pod ready = pod("ns", "p", APP, "10.0.0.1", true);

        assertThat(EndpointResolver.isReady(ready)).isTrue();
        assertThat(EndpointResolver.isReady(pod("ns", "p", APP, "10.0.0.1", false))).isFalse();
        assertThat(EndpointResolver.isReady(new PodBuilder(ready).editStatus().withPodIP(null).endStatus().build()))
                .isFalse();
        assertThat(EndpointResolver.isReady(new PodBuilder(ready).editStatus().withConditions().endStatus().build()))
                .isFalse();
        assertThat(EndpointResolver.isReady(new PodBuilder(ready).withStatus(null).build())).isFalse();
        assertThat(EndpointResolver.isReady(new PodBuilder(ready).editMetadata()
                .withDeletionTimestamp("2025-10-01T12:00:00Z").endMetadata().build())).isFalse();
    }

    @Test
    void shouldIgnorePodUpdatesThatCannotChangeAnEndpoint() {
        Pod before = pod("ns", "p", APP, "10.0.0.1", true);

        assertThat(EndpointResolver.affectsEndpoints(before, new PodBuilder(before).editMetadata()
                .withResourceVersion("42").addToAnnotations("note", "x").endMetadata()
                .editStatus().withPhase("Running").withStartTime("2025-10-01T12:00:00Z").endStatus().build()))
                .isFalse();
        assertThat(EndpointResolver.affectsEndpoints(before, pod("ns", "p", APP, "10.0.0.1", false))).isTrue();
        assertThat(EndpointResolver.affectsEndpoints(before, pod("ns", "p", Map.of("app", "x"), "10.0.0.1", true)))
                .isTrue();
        assertThat(EndpointResolver.affectsEndpoints(before, pod("ns", "p", APP, "10.0.0.2", true))).isTrue();
    }
}
