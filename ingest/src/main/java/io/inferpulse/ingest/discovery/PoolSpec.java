package io.inferpulse.ingest.discovery;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.inferpulse.kube.InferencePoolApi;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What discovery needs from an InferencePool of either API group: which pods (same namespace,
 * label equality) and which ports.
 */
record PoolSpec(PoolRef ref, Map<String, String> selector, Set<Integer> ports) {

    PoolSpec {
        selector = Map.copyOf(selector);
        ports = Set.copyOf(ports);
    }

    boolean selects(Map<String, String> podLabels) {
        return podLabels != null && podLabels.entrySet().containsAll(selector.entrySet());
    }

    /**
     * Reads v1 {@code spec.selector.matchLabels} and {@code spec.targetPorts[].number}, or v1alpha2
     * {@code spec.selector} and {@code spec.targetPortNumber}.
     *
     * @throws IllegalArgumentException naming the field when the pool is malformed; the API server's
     *                                  schema normally prevents that, but an older or hand-edited
     *                                  CRD may not
     */
    static PoolSpec parse(InferencePoolApi api, GenericKubernetesResource pool) {
        PoolRef ref = PoolRef.of(api, pool.getMetadata().getNamespace(), pool.getMetadata().getName());
        Map<?, ?> spec = map(pool.getAdditionalProperties().get("spec"), "spec");
        return switch (api) {
            case V1 -> new PoolSpec(ref,
                    selector(map(spec.get("selector"), "spec.selector").get("matchLabels"), "spec.selector.matchLabels"),
                    v1Ports(spec.get("targetPorts")));
            case V1ALPHA2 -> new PoolSpec(ref, selector(spec.get("selector"), "spec.selector"),
                    Set.of(port(spec.get("targetPortNumber"), "spec.targetPortNumber")));
        };
    }

    private static Map<String, String> selector(Object value, String field) {
        Map<?, ?> labels = map(value, field);
        // An empty selector would take in every pod of the namespace, sidecars and unrelated servers
        // alike; v1 forbids it, and a v1alpha2 pool with one is treated as selecting nothing.
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        for (Map.Entry<?, ?> label : labels.entrySet()) {
            if (!(label.getValue() instanceof String)) {
                throw new IllegalArgumentException(field + "." + label.getKey() + " is not a string");
            }
        }
        @SuppressWarnings("unchecked") // keys of a JSON object are strings, values were checked above
        Map<String, String> checked = (Map<String, String>) labels;
        return checked;
    }

    private static Set<Integer> v1Ports(Object value) {
        if (!(value instanceof List<?> entries) || entries.isEmpty()) {
            throw new IllegalArgumentException("spec.targetPorts is missing or empty");
        }
        Set<Integer> ports = new LinkedHashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = "spec.targetPorts[" + i + "]";
            ports.add(port(map(entries.get(i), field).get("number"), field + ".number"));
        }
        return ports;
    }

    private static int port(Object value, String field) {
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1
                || ((Number) value).longValue() > 65535) {
            throw new IllegalArgumentException(field + " is not a port number: " + value);
        }
        return ((Number) value).intValue();
    }

    private static Map<?, ?> map(Object value, String field) {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw new IllegalArgumentException(field + " is missing or not an object");
    }
}
