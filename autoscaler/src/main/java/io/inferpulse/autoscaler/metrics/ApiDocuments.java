package io.inferpulse.autoscaler.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    /**
     * For the per-request document: Jackson's default buffer pool is per thread, and the server
     * runs each request on a new virtual thread, so every answer would allocate fresh 8 to 16 kB
     * buffers; a shared pool hands the same few back.
     */
    private static final JsonFactory STREAMING = new JsonFactoryBuilder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();

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

    /**
     * Written with the streaming generator rather than through a tree of maps: this is the one
     * document written per request, and the bytes are the same as the tree would give.
     */
    static byte[] valueList(List<ExternalMetricValue> items) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 192 * items.size());
        try (JsonGenerator json = STREAMING.createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField("kind", "ExternalMetricValueList");
            json.writeStringField("apiVersion", GROUP_VERSION);
            json.writeObjectFieldStart("metadata");
            json.writeEndObject();
            json.writeArrayFieldStart("items");
            for (ExternalMetricValue v : items) {
                json.writeStartObject();
                json.writeStringField("metricName", v.metricName());
                json.writeObjectFieldStart("metricLabels");
                for (Map.Entry<String, String> label : v.labels().entrySet()) {
                    json.writeStringField(label.getKey(), label.getValue());
                }
                json.writeEndObject();
                // metav1.Time is RFC 3339 to the second.
                json.writeStringField("timestamp", DateTimeFormatter.ISO_INSTANT.format(v.timestamp().truncatedTo(ChronoUnit.SECONDS)));
                json.writeStringField("value", Quantities.format(v.value()));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write an ExternalMetricValueList", e);
        }
        return bytes.toByteArray();
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
