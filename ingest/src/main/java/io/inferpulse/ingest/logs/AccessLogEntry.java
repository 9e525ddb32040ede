package io.inferpulse.ingest.logs;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One request through the gateway, normalized from any access-log format. An empty optional means
 * the log did not carry the value. Where cluster, namespace, pool, models and token counts come
 * from is set by an {@link AccessLogMapping}; the other fields are fixed per format (see
 * {@link GcpLoadBalancerLogParser}, {@link EnvoyTextLogParser}, {@link EnvoyJsonLogParser}).
 *
 * @param requestTime when the request was received (event time)
 * @param cluster the cluster of the pool; the mapping's default cluster when the log names none
 * @param namespace the namespace of the pool; empty when the log does not name it
 * @param pool the InferencePool (or backend) that served the request; never empty, a line without
 *        one is rejected
 * @param modelName the model the client asked for; empty when the log does not carry it
 * @param targetModelName the model the request was routed to; empty when the log does not carry it
 *        (not the requested model, which would claim no rewrite happened)
 * @param status HTTP status returned to the client; 0 when the connection failed before a status
 * @param latencySeconds time from request received to response completed
 * @param endpoint backend endpoint as ip:port, as logged (Google's global load balancer may log the
 *        address without the port)
 * @param proxyStatus Google Cloud load balancer's {@code jsonPayload.proxyStatus}, e.g.
 *        {@code error="destination_unavailable"; details="failed_to_pick_backend"}
 * @param statusDetails why the response has its status: {@code jsonPayload.statusDetails} of Google
 *        Cloud load balancers (e.g. {@code response_sent_by_backend}), Envoy's
 *        {@code response_code_details} (e.g. {@code no_healthy_upstream})
 * @param responseFlags Envoy's response flags, e.g. {@code UF,URX}
 * @param requestId Envoy's {@code x-request-id}; for Google Cloud logs the trace id, else the
 *        entry's {@code insertId}
 * @param sourceFormat the format it was parsed from, e.g. {@code gcp-lb} or {@code envoy}
 */
public record AccessLogEntry(Instant requestTime, String cluster, String namespace, String pool,
                             String modelName, String targetModelName, int status, double latencySeconds,
                             OptionalLong inputTokens, OptionalLong outputTokens,
                             OptionalLong requestBytes, OptionalLong responseBytes,
                             Optional<String> endpoint, Optional<String> proxyStatus, Optional<String> statusDetails,
                             Optional<String> responseFlags, Optional<String> requestId, String sourceFormat) {
    public AccessLogEntry {
        Objects.requireNonNull(requestTime, "requestTime");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(targetModelName, "targetModelName");
        if (!(latencySeconds >= 0) || Double.isInfinite(latencySeconds)) {
            throw new IllegalArgumentException("latencySeconds must be finite and >= 0, got " + latencySeconds);
        }
        Objects.requireNonNull(inputTokens, "inputTokens");
        Objects.requireNonNull(outputTokens, "outputTokens");
        Objects.requireNonNull(requestBytes, "requestBytes");
        Objects.requireNonNull(responseBytes, "responseBytes");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(proxyStatus, "proxyStatus");
        Objects.requireNonNull(statusDetails, "statusDetails");
        Objects.requireNonNull(responseFlags, "responseFlags");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(sourceFormat, "sourceFormat");
    }
}
