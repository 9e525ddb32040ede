package io.inferpulse.devstack.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Writes a gateway exchange as one line of Cloud Logging {@code LogEntry} JSON, the way a regional external
 * Application Load Balancer (resource type {@value #RESOURCE_TYPE}) logs a request, e.g. when exported by a log sink.
 *
 * <p>Meaning of the fields that carry time:
 * <ul>
 *   <li>{@code timestamp}: when the load balancer received the request (event time), RFC 3339 with nanoseconds;
 *   <li>{@code httpRequest.latency}: from receipt to the end of the response, as a protobuf duration
 *       ({@code "1.234567s"});
 *   <li>{@code receiveTimestamp}: when Cloud Logging received the entry, a little after the response ended.
 * </ul>
 *
 * <p>A real load balancer does not log what an LLM gateway knows, so the simulator adds it in fixed places a parser
 * can be configured to read:
 * <ul>
 *   <li>{@code jsonPayload.modelName}: the model the client asked for, base model or LoRA adapter (what the
 *       Inference Gateway's body-based router puts in the {@code X-Gateway-Model-Name} header);
 *   <li>{@code jsonPayload.targetModelName}: the model that served it; the simulator rewrites no model names, so it
 *       equals {@code modelName};
 *   <li>{@code jsonPayload.inputTokens}, {@code jsonPayload.outputTokens}: JSON numbers, on status 200 only;
 *   <li>{@code labels.cluster_name}, {@code labels.namespace_name}: cluster and Kubernetes namespace of the pool, which
 *       {@code resource.labels.backend_target_name} names.
 * </ul>
 * {@code jsonPayload.proxyStatus} appears only when the load balancer produced the response itself (the 503 with
 * {@code failed_to_pick_backend}); responses the pod sent carry {@code statusDetails} {@code response_sent_by_backend}
 * and a {@code httpRequest.serverIp} of the pod's {@code 127.0.0.1:port}, the same address its metrics endpoint has.
 *
 * <p>Not thread-safe: it draws ids from a generator owned by the simulation thread.
 */
final class GcpLoadBalancerLog {

    private static final String RESOURCE_TYPE = "http_external_regional_lb_rule";
    private static final String PAYLOAD_TYPE = "type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry";

    private static final DateTimeFormatter RFC3339_NANOS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectWriter WRITER = new ObjectMapper().writer();

    private final FleetConfig config;
    private final Instant origin;
    private final RandomGenerator random;
    private final String logName;
    private final String lbNamePrefix;
    private final Map<String, String> podAddresses;

    /** {@code podAddresses} maps each pod name to the {@code ip:port} logged as {@code serverIp}. */
    GcpLoadBalancerLog(FleetConfig config, Instant origin, RandomGenerator random, Map<String, String> podAddresses) {
        this.config = config;
        this.origin = origin;
        this.random = random;
        this.podAddresses = Map.copyOf(podAddresses);
        FleetConfig.Gateway gateway = config.gateway();
        this.logName = "projects/" + gateway.projectId()
                + "/logs/loadbalancing.googleapis.com%2Fexternal_regional_lb_rule_requests";
        // GKE names the load balancer resources of a Gateway gkegw1-<hash>-<namespace>-<gateway>-<hash>.
        this.lbNamePrefix = "gkegw1-" + shortHash(config.cluster(), 4) + "-" + config.namespace() + "-"
                + gateway.gatewayName() + "-";
    }

    String format(GatewayExchange exchange) {
        InferenceRequest request = exchange.request();
        FleetConfig.Gateway gateway = config.gateway();
        boolean served = exchange.status() == 200;
        Payload payload = new Payload(PAYLOAD_TYPE, "projects/" + gateway.projectNumber(), exchange.proxyStatus(),
                exchange.statusDetails(), request.model(), request.model(),
                served ? request.promptTokens() : null, exchange.outputTokens());
        long latencyNanos = exchange.finishNanos() - request.arrivalNanos();
        String serverIp = exchange.pod() == null ? null : podAddresses.get(exchange.pod());
        HttpRequest http = new HttpRequest("POST", "http://" + gateway.host() + "/v1/completions",
                Long.toString(requestBytes(request)), exchange.status(), Long.toString(responseBytes(exchange)),
                request.userAgent(), request.clientIp(), serverIp, duration(latencyNanos), "HTTP/1.1");
        Instant received = origin.plusNanos(request.arrivalNanos());
        // Cloud Logging ingests the entry some tens of milliseconds after the response is complete.
        Instant ingested = origin.plusNanos(exchange.finishNanos()).plusMillis(20 + random.nextInt(230));
        LogEntry entry = new LogEntry(Sampling.alphanumeric(random, 14), payload, http,
                new Resource(RESOURCE_TYPE, resourceLabels(exchange)), RFC3339_NANOS.format(received), "INFO",
                logName, "projects/" + gateway.projectId() + "/traces/" + Sampling.hex(random, 32),
                RFC3339_NANOS.format(ingested),
                new TreeMap<>(Map.of("cluster_name", config.cluster(), "namespace_name", config.namespace())));
        try {
            return WRITER.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an access-log entry", e);
        }
    }

    private Map<String, String> resourceLabels(GatewayExchange exchange) {
        FleetConfig.Gateway gateway = config.gateway();
        boolean picked = exchange.pod() != null;
        String hash = shortHash(config.namespace() + "/" + gateway.gatewayName(), 12);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("backend_target_name", exchange.pool());
        // No backend was picked for a load balancer error, so the backend-level labels are empty.
        labels.put("backend_name", picked ? negName(exchange.pool()) : "");
        labels.put("backend_type", picked ? "NETWORK_ENDPOINT_GROUP" : "");
        labels.put("backend_scope", picked ? gateway.region() + "-a" : "");
        labels.put("backend_scope_type", picked ? "ZONE" : "");
        labels.put("forwarding_rule_name", lbNamePrefix + hash);
        labels.put("matched_url_path_rule", "UNMATCHED");
        labels.put("network_name", "default");
        labels.put("project_id", gateway.projectId());
        labels.put("region", gateway.region());
        labels.put("target_proxy_name", lbNamePrefix + hash);
        labels.put("url_map_name", lbNamePrefix + hash);
        return labels;
    }

    private String negName(String pool) {
        return "k8s1-" + shortHash(config.cluster(), 8) + "-" + config.namespace() + "-" + pool + "-8000-"
                + shortHash(config.namespace() + "/" + pool, 8);
    }

    /** Roughly the JSON body of an OpenAI-style completion call: about four bytes a token plus the envelope. */
    private static long requestBytes(InferenceRequest request) {
        return 180L + 4L * request.promptTokens();
    }

    private static long responseBytes(GatewayExchange exchange) {
        if (exchange.outputTokens() != null) {
            return 320L + 4L * exchange.outputTokens();
        }
        return exchange.status() == 503 ? 19 : 98;
    }

    private static String duration(long nanos) {
        return String.format(Locale.ROOT, "%.6fs", nanos / 1e9);
    }

    /** Stable across runs, unlike a random suffix, so the same pool always has the same backend names. */
    private static String shortHash(String text, int length) {
        String hex = String.format(Locale.ROOT, "%016x", (long) text.hashCode() * 0x9E3779B97F4A7C15L);
        return hex.substring(0, length);
    }

    @JsonPropertyOrder({"insertId", "jsonPayload", "httpRequest", "resource", "timestamp", "severity", "logName",
            "trace", "receiveTimestamp", "labels"})
    record LogEntry(
            String insertId,
            Payload jsonPayload,
            HttpRequest httpRequest,
            Resource resource,
            String timestamp,
            String severity,
            String logName,
            String trace,
            String receiveTimestamp,
            Map<String, String> labels) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"@type", "backendTargetProjectNumber", "proxyStatus", "statusDetails", "modelName",
            "targetModelName", "inputTokens", "outputTokens"})
    record Payload(
            @JsonProperty("@type") String type,
            String backendTargetProjectNumber,
            String proxyStatus,
            String statusDetails,
            String modelName,
            String targetModelName,
            Integer inputTokens,
            Integer outputTokens) {
    }

    /** Sizes are strings because Cloud Logging renders int64 fields of {@code HttpRequest} that way. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"requestMethod", "requestUrl", "requestSize", "status", "responseSize", "userAgent",
            "remoteIp", "serverIp", "latency", "protocol"})
    record HttpRequest(
            String requestMethod,
            String requestUrl,
            String requestSize,
            int status,
            String responseSize,
            String userAgent,
            String remoteIp,
            String serverIp,
            String latency,
            String protocol) {
    }

    record Resource(String type, Map<String, String> labels) {
    }
}
