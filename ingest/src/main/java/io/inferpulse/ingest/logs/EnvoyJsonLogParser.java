package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Format {@code envoy-json}: Envoy access logs as JSON, one object per line, with the keys of Envoy
 * Gateway's default JSON format ({@code start_time}, {@code method}, {@code x-envoy-origin-path},
 * {@code protocol}, {@code response_code}, {@code response_flags}, {@code response_code_details},
 * {@code bytes_received}, {@code bytes_sent}, {@code duration}, {@code x-request-id},
 * {@code :authority}, {@code upstream_host}, {@code upstream_cluster}, {@code route_name}, ...).
 *
 * <p>Envoy writes numbers as JSON numbers and unset values as null; older versions wrote both as
 * strings, unset as {@code "-"}; either is read. An object is taken as a record when it has
 * {@code start_time} or {@code response_code}; otherwise the wrappers described on
 * {@link GcpLoadBalancerLogParser} are followed, so a log shipper's {@code {"log": "<the JSON line>"}}
 * works too.
 *
 * <h2>Fields</h2>
 * Required: {@code start_time} (RFC 3339), {@code response_code} (0 when no response was sent) and
 * {@code duration} (milliseconds, from the start time to the last byte sent). Optional:
 * {@code bytes_received}, {@code bytes_sent}, {@code upstream_host} (the endpoint),
 * {@code response_flags} (e.g. {@code UF,URX}), {@code response_code_details} (as status details,
 * e.g. {@code upstream_reset_before_response_started{connection_failure}}) and {@code x-request-id}.
 * Cluster, namespace, pool, models and tokens come from the {@link AccessLogMapping}; by default the
 * pool is the {@code upstream_cluster} (Envoy Gateway names it after the route rule,
 * {@code httproute/<namespace>/<route>/rule/<n>}, which also gives the namespace) and the model the
 * {@code x-gateway-model-name} header, present when the format was extended to log it. A request
 * header named in the mapping is the top-level key of that name, in any case. Unknown fields are
 * ignored. Immutable and thread-safe.
 */
public final class EnvoyJsonLogParser implements AccessLogParser {

    static final String FORMAT = "envoy-json";

    private static final MappedFields.Defaults DEFAULTS = new MappedFields.Defaults(
            Optional.empty(),
            Optional.of(new AccessLogMapping.Rule(List.of("upstream_cluster"),
                    Optional.of("^httproute/(?<namespace>[^/]+)/"), Optional.empty())),
            MappedFields.from("upstream_cluster"),
            MappedFields.from(AccessLogMapping.HEADER + "x-gateway-model-name"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    private final int maxLineBytes;
    private final MappedFields<JsonNode> fields;

    /** @param maxLineBytes longer lines are rejected unread */
    public EnvoyJsonLogParser(AccessLogMapping mapping, int maxLineBytes) {
        this.maxLineBytes = Lines.requireLimit(maxLineBytes);
        this.fields = new MappedFields<>(mapping, DEFAULTS, EnvoyJsonLogParser::source);
    }

    private static MappedField.Source<JsonNode> source(String source) {
        if (!source.startsWith(AccessLogMapping.HEADER)) {
            return LogJson.pathSource(source);
        }
        String header = source.substring(AccessLogMapping.HEADER.length()).toLowerCase(Locale.ROOT);
        return LogJson.keySource(source, header.equals("host") ? ":authority" : header);
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public AccessLogEntry parse(String line) {
        Lines.requireWithin(line, maxLineBytes);
        JsonNode record = LogJson.record(line, EnvoyJsonLogParser::isRecord, "an Envoy access-log record",
                "start_time, response_code");
        String startTime = LogJson.text(record.get("start_time"), "start_time");
        if (startTime == null) {
            throw new AccessLogParseException("start_time is absent");
        }
        OptionalLong status = LogJson.status(record.get("response_code"), "response_code");
        if (status.isEmpty()) {
            throw new AccessLogParseException("response_code is absent");
        }
        OptionalLong durationMillis = LogJson.count(record.get("duration"), "duration", "a number of milliseconds");
        if (durationMillis.isEmpty()) {
            throw new AccessLogParseException("duration is absent");
        }
        MappedFields.Values mapped = fields.resolve(record);
        return new AccessLogEntry(Timestamps.parse(startTime, "start_time"), mapped.cluster(), mapped.namespace(),
                mapped.pool(), mapped.model(), mapped.targetModel(), (int) status.getAsLong(),
                durationMillis.getAsLong() / 1000.0, mapped.inputTokens(), mapped.outputTokens(),
                LogJson.count(record.get("bytes_received"), "bytes_received", "a byte count"),
                LogJson.count(record.get("bytes_sent"), "bytes_sent", "a byte count"),
                text(record, "upstream_host"), Optional.empty(), text(record, "response_code_details"),
                text(record, "response_flags"), text(record, "x-request-id"), FORMAT);
    }

    private static boolean isRecord(JsonNode node) {
        return node.has("start_time") || node.has("response_code");
    }

    private static Optional<String> text(JsonNode record, String key) {
        return Optional.ofNullable(LogJson.text(record.get(key), key));
    }
}
