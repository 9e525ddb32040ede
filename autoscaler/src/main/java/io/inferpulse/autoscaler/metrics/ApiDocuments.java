package io.inferpulse.autoscaler.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents of {@code external.metrics.k8s.io/v1beta1}, shaped as the kube-aggregator's
 * discovery and HPA's external metrics client decode them.
 */
final class ApiDocuments {
    static final String GROUP = "external.metrics.k8s.io";
    static final String VERSION = "v1beta1";
    static final String GROUP_VERSION = GROUP + "/" + VERSION;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiDocuments() {}

    static byte[] groupList() {
        return write(document("APIGroupList", "v1", Map.of("groups", List.of(groupFields()))));
    }

    static byte[] group() {
        return write(document("APIGroup", "v1", groupFields()));
    }

    private static Map<String, Object> groupFields() {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("groupVersion", GROUP_VERSION);
        version.put("version", VERSION);
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("name", GROUP);
        g.put("versions", List.of(version));
        g.put("preferredVersion", version);
        return g;
    }

    /** Every metric as a namespaced resource with the one verb HPA uses. */
    static byte[] resourceList() {
        List<Map<String, Object>> resources = MetricName.all().map(d -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", d.metricName());
            r.put("singularName", "");
            r.put("namespaced", true);
            r.put("kind", "ExternalMetricValueList");
            r.put("verbs", List.of("get"));
            return r;
        }).toList();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("groupVersion", GROUP_VERSION);
        fields.put("resources", resources);
        return write(document("APIResourceList", "v1", fields));
    }

    static byte[] valueList(List<ExternalMetricValue> items) {
        List<Map<String, Object>> out = items.stream().map(v -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("metricName", v.metricName());
            item.put("metricLabels", v.labels());
            // metav1.Time is RFC 3339 to the second.
            item.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(v.timestamp().truncatedTo(ChronoUnit.SECONDS)));
            item.put("value", Quantities.format(v.value()));
            return item;
        }).toList();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("metadata", Map.of());
        fields.put("items", out);
        return write(document("ExternalMetricValueList", GROUP_VERSION, fields));
    }

    static byte[] status(ApiStatus status) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("metadata", Map.of());
        fields.put("status", "Failure");
        fields.put("message", status.message());
        fields.put("reason", status.reason());
        fields.put("code", status.code());
        return write(document("Status", "v1", fields));
    }

    private static Map<String, Object> document(String kind, String apiVersion, Map<String, Object> fields) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", kind);
        doc.put("apiVersion", apiVersion);
        doc.putAll(fields);
        return doc;
    }

    private static byte[] write(Object document) {
        try {
            return JSON.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + document, e);
        }
    }
}
