package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Format {@code gcp-lb}: Google Cloud Application Load Balancer request logs, one Cloud Logging
 * {@code LogEntry} as JSON per line, from the global external ({@code resource.type}
 * {@code http_load_balancer}), regional external ({@code http_external_regional_lb_rule}) and
 * internal ({@code internal_http_lb_rule}) load balancers; GKE Gateways, the Inference Gateway
 * among them, are backed by these.
 *
 * <h2>Lines</h2>
 * A line holds the {@code LogEntry} itself (as a log sink writes it to Cloud Storage, or
 * {@code gcloud logging read --format=json} prints each element), or the entry wrapped once or
 * more, as a Pub/Sub sink delivers it: a Pub/Sub message {@code {"data": "<base64 LogEntry>", ...}},
 * a push envelope {@code {"message": {"data": ...}, "subscription": ...}}, or a log shipper's record
 * whose {@code message} or {@code log} holds the entry as an object or a JSON string. An object is
 * taken as the entry when it has {@code httpRequest}, {@code jsonPayload} or {@code resource}. One
 * entry per line: a JSON array is rejected.
 *
 * <h2>Fields</h2>
 * <ul>
 * <li>request time: {@code timestamp} (when the load balancer received the request), else
 *     {@code receiveTimestamp}, which Cloud Logging also uses when a writer omits the timestamp;</li>
 * <li>status: {@code httpRequest.status}; absent means 0, as protobuf's JSON leaves out zeros, and
 *     the load balancer sends no status when the client went away first;</li>
 * <li>latency: {@code httpRequest.latency}, a protobuf duration such as {@code "0.006023s"} (required);</li>
 * <li>sizes: {@code httpRequest.requestSize}, {@code httpRequest.responseSize}, int64 as decimal strings
 *     (numbers are accepted too);</li>
 * <li>endpoint: {@code httpRequest.serverIp}, the backend that served the request, as logged (the
 *     global load balancer may log the address without a port);</li>
 * <li>{@code jsonPayload.proxyStatus} (the regional and internal load balancers, on errors they
 *     generate, e.g. {@code error="destination_unavailable"; details="failed_to_pick_backend"}) and
 *     {@code jsonPayload.statusDetails} (e.g. {@code response_sent_by_backend}), as logged;</li>
 * <li>request id: the trace id (the last part of {@code trace}), else {@code insertId};</li>
 * <li>cluster, namespace, pool, models and tokens: from the {@link AccessLogMapping}, whose paths
 *     start at the {@code LogEntry}; the defaults match the simulated gateway in devstack.</li>
 * </ul>
 * Unknown fields are ignored. An entry with another {@code resource.type} is rejected, so that
 * other logs in the same sink are reported rather than counted. Immutable and thread-safe.
 */
public final class GcpLoadBalancerLogParser implements AccessLogParser {

    static final String FORMAT = "gcp-lb";

    private static final Set<String> RESOURCE_TYPES =
            Set.of("http_load_balancer", "http_external_regional_lb_rule", "internal_http_lb_rule");
    private static final String LATENCY = "httpRequest.latency";
    private static final long MAX_DURATION_SECONDS = 315_576_000_000L;

    private static final MappedFields.Defaults DEFAULTS = new MappedFields.Defaults(
            MappedFields.from("labels.cluster_name"),
            MappedFields.from("labels.namespace_name"),
            // The regional and internal load balancers name the backend service backend_target_name,
            // the global one backend_service_name.
            MappedFields.from("resource.labels.backend_target_name", "resource.labels.backend_service_name"),
            MappedFields.from("jsonPayload.modelName"),
            MappedFields.from("jsonPayload.targetModelName"),
            MappedFields.from("jsonPayload.inputTokens"),
            MappedFields.from("jsonPayload.outputTokens"));

    private final int maxLineBytes;
    private final MappedFields<JsonNode> fields;

    /**
     * @param maxLineBytes longer lines are rejected unread
     * @throws IllegalArgumentException when the mapping reads a request header, which these logs do not carry
     */
    public GcpLoadBalancerLogParser(AccessLogMapping mapping, int maxLineBytes) {
        this.maxLineBytes = Lines.requireLimit(maxLineBytes);
        this.fields = new MappedFields<>(mapping, DEFAULTS, GcpLoadBalancerLogParser::source);
    }

    private static MappedField.Source<JsonNode> source(String source) {
        if (source.startsWith(AccessLogMapping.HEADER)) {
            throw new IllegalArgumentException(FORMAT + ": load balancer logs carry no request headers, so "
                    + source + " can never be found; name a JSON path in the LogEntry instead");
        }
        return LogJson.pathSource(source);
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public AccessLogEntry parse(String line) {
        Lines.requireWithin(line, maxLineBytes);
        JsonNode entry = LogJson.record(line, GcpLoadBalancerLogParser::isLogEntry, "a Cloud Logging LogEntry",
                "httpRequest, jsonPayload, resource");
        requireLoadBalancer(entry);
        JsonNode http = LogJson.object(entry, "httpRequest", "httpRequest");
        if (http == null) {
            throw new AccessLogParseException("httpRequest is absent: not a request log");
        }
        JsonNode payload = LogJson.object(entry, "jsonPayload", "jsonPayload");
        int status = (int) LogJson.status(http.get("status"), "httpRequest.status").orElse(0);
        double latency = latencySeconds(http.get("latency"));
        OptionalLong requestBytes = LogJson.count(http.get("requestSize"), "httpRequest.requestSize", "a byte count");
        OptionalLong responseBytes =
                LogJson.count(http.get("responseSize"), "httpRequest.responseSize", "a byte count");
        Optional<String> endpoint = Optional.ofNullable(LogJson.text(http.get("serverIp"), "httpRequest.serverIp"));
        Optional<String> proxyStatus = payload == null ? Optional.empty()
                : Optional.ofNullable(LogJson.text(payload.get("proxyStatus"), "jsonPayload.proxyStatus"));
        Optional<String> statusDetails = payload == null ? Optional.empty()
                : Optional.ofNullable(LogJson.text(payload.get("statusDetails"), "jsonPayload.statusDetails"));
        Instant requestTime = requestTime(entry);
        Optional<String> requestId = requestId(entry);
        MappedFields.Values mapped = fields.resolve(entry);
        return new AccessLogEntry(requestTime, mapped.cluster(), mapped.namespace(), mapped.pool(), mapped.model(),
                mapped.targetModel(), status, latency, mapped.inputTokens(), mapped.outputTokens(), requestBytes,
                responseBytes, endpoint, proxyStatus, statusDetails, Optional.empty(), requestId, FORMAT);
    }

    private static boolean isLogEntry(JsonNode node) {
        return node.has("httpRequest") || node.has("jsonPayload") || node.has("resource");
    }

    private static void requireLoadBalancer(JsonNode entry) {
        JsonNode resource = LogJson.object(entry, "resource", "resource");
        String type = resource == null ? null : LogJson.text(resource.get("type"), "resource.type");
        if (type != null && !RESOURCE_TYPES.contains(type)) {
            throw new AccessLogParseException("resource.type: " + Lines.quote(type) + " is not a load balancer"
                    + " (expected http_load_balancer, http_external_regional_lb_rule or internal_http_lb_rule)");
        }
    }

    private static double latencySeconds(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new AccessLogParseException(LATENCY + " is absent");
        }
        if (!node.isTextual()) {
            throw new AccessLogParseException(LATENCY + ": expected a protobuf duration like \"0.006023s\", got "
                    + LogJson.describe(node));
        }
        double seconds = protobufDurationSeconds(node.textValue());
        if (seconds < 0) {
            throw new AccessLogParseException(LATENCY + ": " + Lines.quote(node.textValue())
                    + " is not a protobuf duration like 0.006023s");
        }
        return seconds;
    }

    /**
     * Seconds of a duration in protobuf's JSON form, whole seconds with up to nine decimals and the
     * suffix {@code s}; -1 for anything else, a negative duration included (a latency cannot be).
     */
    private static double protobufDurationSeconds(String text) {
        int end = text.length() - 1;
        if (end < 1 || text.charAt(end) != 's') {
            return -1;
        }
        int dot = text.indexOf('.');
        long seconds = Lines.nonNegative(text.substring(0, dot < 0 ? end : dot));
        if (seconds < 0 || seconds > MAX_DURATION_SECONDS) {
            return -1;
        }
        if (dot < 0) {
            return seconds;
        }
        int digits = end - dot - 1;
        if (digits < 1 || digits > 9 || Lines.nonNegative(text.substring(dot + 1, end)) < 0) {
            return -1;
        }
        // The decimal text itself, so that "1.761230s" is the double nearest 1.76123, not a sum of two roundings.
        return Double.parseDouble(text.substring(0, end));
    }

    private static Instant requestTime(JsonNode entry) {
        String timestamp = LogJson.text(entry.get("timestamp"), "timestamp");
        if (timestamp != null) {
            return Timestamps.parse(timestamp, "timestamp");
        }
        String received = LogJson.text(entry.get("receiveTimestamp"), "receiveTimestamp");
        if (received != null) {
            return Timestamps.parse(received, "receiveTimestamp");
        }
        throw new AccessLogParseException("no request time: timestamp and receiveTimestamp are absent");
    }

    private static Optional<String> requestId(JsonNode entry) {
        String trace = LogJson.text(entry.get("trace"), "trace");
        String traceId = trace == null ? "" : trace.substring(trace.lastIndexOf('/') + 1);
        return traceId.isEmpty()
                ? Optional.ofNullable(LogJson.text(entry.get("insertId"), "insertId"))
                : Optional.of(traceId);
    }
}
