package io.inferpulse.ingest.logs;

import java.util.List;
import java.util.Objects;

/** The access-log formats ingest reads, by the names users give them. */
public final class AccessLogFormats {

    /** Lines longer than this many bytes are rejected unless the caller sets another limit. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    private static final List<String> NAMES =
            List.of(GcpLoadBalancerLogParser.FORMAT, EnvoyTextLogParser.FORMAT, EnvoyJsonLogParser.FORMAT);

    private AccessLogFormats() {
    }

    /** {@code gcp-lb}, {@code envoy} and {@code envoy-json}. */
    public static List<String> names() {
        return NAMES;
    }

    /** A parser that rejects lines above {@link #DEFAULT_MAX_LINE_BYTES}. */
    public static AccessLogParser parser(String format, AccessLogMapping mapping) {
        return parser(format, mapping, DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * @param maxLineBytes longer lines (UTF-8) are rejected unread, with their size in the reason
     * @throws IllegalArgumentException for an unknown format, or a mapping that names a source the
     *                                  format cannot have (a request header in {@code gcp-lb} logs,
     *                                  a field the Envoy text format does not log)
     */
    public static AccessLogParser parser(String format, AccessLogMapping mapping, int maxLineBytes) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(mapping, "mapping");
        return switch (format) {
            case GcpLoadBalancerLogParser.FORMAT -> new GcpLoadBalancerLogParser(mapping, maxLineBytes);
            case EnvoyTextLogParser.FORMAT -> new EnvoyTextLogParser(mapping, maxLineBytes);
            case EnvoyJsonLogParser.FORMAT -> new EnvoyJsonLogParser(mapping, maxLineBytes);
            default -> throw new IllegalArgumentException("unknown access-log format '" + format + "' (known: "
                    + String.join(", ", NAMES) + ")");
        };
    }
}
