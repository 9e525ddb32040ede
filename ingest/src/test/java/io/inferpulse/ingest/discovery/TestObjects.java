package io.inferpulse.ingest.discovery;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.inferpulse.kube.InferencePoolApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/** Pods and pools shaped as the API server and the inference extension's manifests have them. */
final class TestObjects {

    private TestObjects() {
    }

    static Pod pod(String namespace, String name, Map<String, String> labels, String ip, boolean ready) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("server").withImage("vllm/vllm-openai:v0.10.1")
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus()
                .build();
    }

    /** A v1 pool as the inferencepool Helm chart renders it. */
    static GenericKubernetesResource v1Pool(String namespace, String name, Map<String, String> matchLabels,
                                            Integer... ports) {
        return pool(InferencePoolApi.V1, namespace, name, Map.of(
                "selector", Map.of("matchLabels", matchLabels),
                "targetPorts", Arrays.stream(ports).map(port -> Map.of("number", port)).toList(),
                "appProtocol", "http",
                "endpointPickerRef", Map.of("name", name + "-epp", "kind", "Service",
                        "port", Map.of("number", 9002), "failureMode", "FailClose")));
    }

    /** A v1alpha2 pool as the v0.3.0 manifests have it. */
    static GenericKubernetesResource v1alpha2Pool(String namespace, String name, Map<String, String> selector,
                                                  int port) {
        return pool(InferencePoolApi.V1ALPHA2, namespace, name, Map.of(
                "selector", selector,
                "targetPortNumber", port,
                "extensionRef", Map.of("name", name + "-epp", "failureMode", "FailClose")));
    }

    static GenericKubernetesResource pool(InferencePoolApi api, String namespace, String name, Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(api.apiVersion())
                .withKind(InferencePoolApi.KIND)
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    /** A pool manifest from {@code src/test/resources/discovery/}. */
    static GenericKubernetesResource manifest(String file) {
        try (InputStream in = TestObjects.class.getResourceAsStream("/discovery/" + file)) {
            return new KubernetesSerialization().unmarshal(Objects.requireNonNull(in, file),
                    GenericKubernetesResource.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
