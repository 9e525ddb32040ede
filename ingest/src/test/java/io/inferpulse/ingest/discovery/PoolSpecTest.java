package io.inferpulse.ingest.discovery;

import static io.inferpulse.ingest.discovery.TestObjects.manifest;
import static io.inferpulse.ingest.discovery.TestObjects.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.inferpulse.kube.InferencePoolApi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolSpecTest {

    @Test
    void shouldReadMatchLabelsAndEveryTargetPortOfARenderedV1Pool() {
        PoolSpec spec = PoolSpec.parse(InferencePoolApi.V1, manifest("inferencepool-v1.yaml"));

        assertThat(spec.ref()).isEqualTo(
                new PoolRef("inference.networking.k8s.io", "v1", "default", "vllm-llama3-8b-instruct-ga"));
        assertThat(spec.selector()).containsExactly(Map.entry("app", "vllm-llama3-8b-instruct"));
        assertThat(spec.ports()).containsExactlyInAnyOrder(8000, 8001);
    }

    @Test
    void shouldReadSelectorAndTargetPortNumberOfARenderedV1alpha2Pool() {
        PoolSpec spec = PoolSpec.parse(InferencePoolApi.V1ALPHA2, manifest("inferencepool-v1alpha2.yaml"));

        assertThat(spec.ref()).isEqualTo(new PoolRef("inference.networking.x-k8s.io", "v1alpha2", "default",
                "vllm-llama3-8b-instruct-preview"));
        assertThat(spec.selector()).containsExactly(Map.entry("app", "vllm-llama3-8b-instruct"));
        assertThat(spec.ports()).containsExactly(8000);
    }

    @Test
    void shouldRejectMalformedPoolsNamingTheField() {
        Map<String, String> app = Map.of("app", "vllm");
        assertRejected(InferencePoolApi.V1ALPHA2, Map.of("selector", Map.of(), "targetPortNumber", 8000), "spec.selector is empty");
        assertRejected(InferencePoolApi.V1, Map.of("selector", app, "targetPorts", List.of(Map.of("number", 8000))),
                "spec.selector.matchLabels is missing");
        assertRejected(InferencePoolApi.V1, Map.of("selector", Map.of("matchLabels", Map.of("app", 7)),
                "targetPorts", List.of(Map.of("number", 8000))), "spec.selector.matchLabels.app is not a string");
        assertRejected(InferencePoolApi.V1, Map.of("selector", Map.of("matchLabels", app), "targetPorts", List.of()),
                "spec.targetPorts is missing or empty");
        assertRejected(InferencePoolApi.V1, Map.of("selector", Map.of("matchLabels", app),
                "targetPorts", List.of(Map.of("number", 8000), Map.of("number", 70000))), "spec.targetPorts[1].number");
        assertRejected(InferencePoolApi.V1ALPHA2, Map.of("selector", app, "targetPortNumber", "8000"), "spec.targetPortNumber");
        assertRejected(InferencePoolApi.V1ALPHA2, Map.of("selector", app, "targetPortNumber", 0), "spec.targetPortNumber");
        assertThatThrownBy(() -> PoolSpec.parse(InferencePoolApi.V1, new GenericKubernetesResourceBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata()
                .build())).hasMessageContaining("spec is missing");
    }

    @Test
    void shouldSelectPodsWhoseLabelsContainEverySelectorEntry() {
        PoolSpec spec = PoolSpec.parse(InferencePoolApi.V1, manifest("inferencepool-v1.yaml"));

        assertThat(spec.selects(Map.of("app", "vllm-llama3-8b-instruct", "pod-template-hash", "5d7c9f"))).isTrue();
        assertThat(spec.selects(Map.of("app", "vllm-llama3-8b-instruct-epp"))).isFalse();
        assertThat(spec.selects(Map.of())).isFalse();
        assertThat(spec.selects(null)).isFalse();
    }

    private static void assertRejected(InferencePoolApi api, Map<String, Object> spec, String message) {
        assertThatThrownBy(() -> PoolSpec.parse(api, pool(api, "ns", "p", spec)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
