package io.inferpulse.ingest.receive;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.ingest.logs.AccessLogEntry;
import io.inferpulse.schemas.Topics;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Converts a parsed access-log entry to the Avro record of the access-logs topic: the Kafka
 * boundary. Public for the dry run ({@code inferpulse ingest parse}), which prints records as the
 * topic would hold them.
 */
public final class AccessLogRecords {
    private AccessLogRecords() {}

    /** The record key: {@code cluster/namespace/pool}. */
    public static String key(AccessLogEntry e) {
        return Topics.poolKey(e.cluster(), e.namespace(), e.pool());
    }

    public static AccessLog toAvro(AccessLogEntry e) {
        return AccessLog.newBuilder()
                .setRequestTime(e.requestTime())
                .setCluster(e.cluster())
                .setNamespace(e.namespace())
                .setPool(e.pool())
                .setModelName(e.modelName())
                .setTargetModelName(e.targetModelName())
                .setStatus(e.status())
                .setLatencySeconds(e.latencySeconds())
                .setInputTokens(orNull(e.inputTokens()))
                .setOutputTokens(orNull(e.outputTokens()))
                .setRequestBytes(orNull(e.requestBytes()))
                .setResponseBytes(orNull(e.responseBytes()))
                .setEndpoint(orNull(e.endpoint()))
                .setProxyStatus(orNull(e.proxyStatus()))
                .setStatusDetails(orNull(e.statusDetails()))
                .setResponseFlags(orNull(e.responseFlags()))
                .setRequestId(orNull(e.requestId()))
                .setSourceFormat(e.sourceFormat())
                .build();
    }

    private static Long orNull(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }

    private static String orNull(Optional<String> value) {
        return value.orElse(null);
    }
}
