package io.inferpulse.ingest.logs;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One request through the gateway, normalized from any access-log format. An empty optional means
 * the log did not carry the value.
 *
 * @param requestTime when the request was received (event time)
 * @param status HTTP status returned to the client; 0 when the connection failed before a status
 * @param latencySeconds time from request received to response completed
 * @param endpoint backend endpoint as ip:port
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
