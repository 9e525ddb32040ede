package io.inferpulse.ingest.logs;

/**
 * Reads one access-log line (one JSON document, or one text line) of one format. Implementations
 * are thread-safe and never throw anything but {@link AccessLogParseException} for bad input.
 */
public interface AccessLogParser {
    /** The format's name as users write it: {@code gcp-lb}, {@code envoy}, {@code envoy-json}. */
    String format();

    AccessLogEntry parse(String line);
}
