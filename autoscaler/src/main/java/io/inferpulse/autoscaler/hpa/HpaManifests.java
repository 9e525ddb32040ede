package io.inferpulse.autoscaler.hpa;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTargetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds a pool's autoscaling/v2 HorizontalPodAutoscaler and writes it as the seed's manifest does. */
public final class HpaManifests {

    /**
     * Keys in the order seed 000 writes them ({@code scaleTargetRef}, {@code minReplicas},
     * {@code maxReplicas}, {@code metrics}; {@code name} before {@code selector}, {@code type}
     * before the rest), so a printed HPA diffs cleanly against one written from the seed. fabric8
     * orders alphabetically. One list serves every level because no two levels order the same keys
     * differently.
     */
    private static final List<String> SEED_ORDER = List.of("apiVersion", "kind", "metadata", "spec", "name",
            "namespace", "uid", "labels", "annotations", "ownerReferences", "scaleTargetRef", "minReplicas",
            "maxReplicas", "metrics", "behavior", "type", "external", "metric", "selector", "matchLabels", "target",
            "value", "averageValue");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    private HpaManifests() {
    }

    /** The HPA for a pool, without owner or labels: what {@code inferpulse autoscaler hpa} prints. */
    public static HorizontalPodAutoscaler build(PoolHpa hpa) {
        MetricTargetBuilder target = new MetricTargetBuilder().withType(hpa.target().type().manifestName);
        Quantity quantity = new Quantity(hpa.target().quantity());
        switch (hpa.target().type()) {
            case VALUE -> target.withValue(quantity);
            case AVERAGE_VALUE -> target.withAverageValue(quantity);
        }
        Map<String, String> selector = hpa.nameForm().selector(hpa.namespace(), hpa.pool(), hpa.cluster());
        return new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName(hpa.pool()).withNamespace(hpa.namespace()).endMetadata()
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion(hpa.scaleTarget().apiVersion())
                .withKind(hpa.scaleTarget().kind())
                .withName(hpa.scaleTarget().name())
                .endScaleTargetRef()
                .withMinReplicas(hpa.minReplicas())
                .withMaxReplicas(hpa.maxReplicas())
                .addNewMetric().withType("External")
                .withNewExternal()
                .withNewMetric().withName(hpa.nameForm().metricName(hpa.metric()))
                .withNewSelector().withMatchLabels(selector).endSelector()
                .endMetric()
                .withTarget(target.build())
                .endExternal()
                .endMetric()
                .endSpec()
                .build();
    }

    /** The HPA as YAML in the seed's key order, one document without a {@code ---} marker. */
    public static String toYaml(HorizontalPodAutoscaler hpa) {
        try {
            return YAML.writeValueAsString(seedOrder(SERIALIZATION.convertValue(hpa, JsonNode.class)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode seedOrder(JsonNode node) {
        if (node.isArray()) {
            node.forEach(HpaManifests::seedOrder);
            return node;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode object = (ObjectNode) node;
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        keys.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (String key : keys) {
            entries.add(Map.entry(key, seedOrder(object.get(key))));
        }
        object.removeAll();
        for (Map.Entry<String, JsonNode> entry : entries) {
            object.set(entry.getKey(), entry.getValue());
        }
        return object;
    }

    /** Listed keys first in {@link #SEED_ORDER}; others after them, in their order (the sort is stable). */
    private static int rank(String key) {
        int index = SEED_ORDER.indexOf(key);
        return index < 0 ? SEED_ORDER.size() : index;
    }
}
