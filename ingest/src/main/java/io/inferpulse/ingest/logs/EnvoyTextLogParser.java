package io.inferpulse.ingest.logs;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Format {@code envoy}: Envoy's default text access log, one request per line:
 * <pre>
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
 * %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
 * "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
 * </pre>
 * for example
 * {@code [2024-05-01T12:00:00.123Z] "POST /v1/completions HTTP/1.1" 200 - 412 1024 845 843 "10.0.0.7"
 * "curl/8.5.0" "6b3c...-a1" "llm.example.com" "10.4.1.17:8000"}. {@code -} marks a value that is not set.
 *
 * <p>Envoy does not escape quotes inside the quoted fields, so the user agent, the one that can
 * contain them in practice, is taken as whatever lies between the forwarded-for field and the last
 * three fields. A line that is a JSON object is taken as a log shipper's record and its {@code log}
 * or {@code message} string is read instead.
 *
 * <p>Required: the start time, response code (0 when no response was sent) and duration
 * (milliseconds, from the start time to the last byte sent). The upstream host is the endpoint, the
 * response flags (e.g. {@code UF,URX}) and request id are kept. The format names no pool, so the
 * {@link AccessLogMapping} default takes the pool from the {@code :authority} (map it to the pool
 * with a regex, or name a fixed pool); mapping sources are the field names listed there, and of
 * request headers only those the format logs: {@code x-forwarded-for}, {@code user-agent},
 * {@code x-request-id} and {@code :authority} (alias {@code host}). Immutable and thread-safe.
 */
public final class EnvoyTextLogParser implements AccessLogParser {

    static final String FORMAT = "envoy";

    /** The fields of the default format in order, named as Envoy Gateway's JSON format names them. */
    private enum Field {
        START_TIME("start_time"),
        METHOD("method"),
        PATH("x-envoy-origin-path"),
        PROTOCOL("protocol"),
        RESPONSE_CODE("response_code"),
        RESPONSE_FLAGS("response_flags"),
        BYTES_RECEIVED("bytes_received"),
        BYTES_SENT("bytes_sent"),
        DURATION("duration"),
        UPSTREAM_SERVICE_TIME("x-envoy-upstream-service-time"),
        FORWARDED_FOR("x-forwarded-for"),
        USER_AGENT("user-agent"),
        REQUEST_ID("x-request-id"),
        AUTHORITY(":authority"),
        UPSTREAM_HOST("upstream_host");

        private static final int COUNT = values().length;
        private static final Map<String, Field> BY_KEY =
                Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(f -> f.key, Function.identity()));
        private static final Map<String, Field> REQUEST_HEADERS = Map.of("x-forwarded-for", FORWARDED_FOR,
                "user-agent", USER_AGENT, "x-request-id", REQUEST_ID, ":authority", AUTHORITY, "host", AUTHORITY);
        /** The unquoted fields between the request line and the quoted ones. */
        private static final List<Field> UNQUOTED = List.of(RESPONSE_CODE, RESPONSE_FLAGS, BYTES_RECEIVED, BYTES_SENT,
                DURATION, UPSTREAM_SERVICE_TIME);

        private final String key;

        Field(String key) {
            this.key = key;
        }
    }

    private static final String QUOTE_SEPARATOR = "\" \"";
    private static final String QUOTED_FIELDS = "five quoted fields (x-forwarded-for, user-agent, x-request-id,"
            + " :authority, upstream_host) after x-envoy-upstream-service-time";

    private static final MappedFields.Defaults DEFAULTS = new MappedFields.Defaults(
            Optional.empty(), Optional.empty(), MappedFields.from(Field.AUTHORITY.key), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    private final int maxLineBytes;
    private final MappedFields<String[]> fields;

    /**
     * @param maxLineBytes longer lines are rejected unread
     * @throws IllegalArgumentException when the mapping names a field or header the default format does not log
     */
    public EnvoyTextLogParser(AccessLogMapping mapping, int maxLineBytes) {
        this.maxLineBytes = Lines.requireLimit(maxLineBytes);
        this.fields = new MappedFields<>(mapping, DEFAULTS, EnvoyTextLogParser::source);
    }

    private static MappedField.Source<String[]> source(String source) {
        Field field;
        if (source.startsWith(AccessLogMapping.HEADER)) {
            String header = source.substring(AccessLogMapping.HEADER.length()).toLowerCase(Locale.ROOT);
            field = Field.REQUEST_HEADERS.get(header);
            if (field == null) {
                throw new IllegalArgumentException(FORMAT + ": the default text format logs only the request headers"
                        + " x-forwarded-for, user-agent, x-request-id and :authority (host), so " + source
                        + " can never be found");
            }
        } else {
            field = Field.BY_KEY.get(source);
            if (field == null) {
                throw new IllegalArgumentException(FORMAT + ": '" + source + "' is not a field of the default text"
                        + " format (" + Arrays.stream(Field.values()).map(f -> f.key).collect(Collectors.joining(", "))
                        + ")");
            }
        }
        int index = field.ordinal();
        return new MappedField.Source<>(source, values -> values[index]);
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public AccessLogEntry parse(String line) {
        Lines.requireWithin(line, maxLineBytes);
        String text = line.strip();
        if (text.startsWith("{")) {
            text = LogJson.shippedLine(text).strip();
        }
        String[] values = split(text);
        String startTime = require(values, Field.START_TIME);
        long status = Lines.nonNegative(require(values, Field.RESPONSE_CODE));
        if (status < 0 || status > 999) {
            throw new AccessLogParseException(Field.RESPONSE_CODE.key + ": "
                    + Lines.quote(values[Field.RESPONSE_CODE.ordinal()]) + " is not an HTTP status");
        }
        long durationMillis = Lines.nonNegative(require(values, Field.DURATION));
        if (durationMillis < 0) {
            throw new AccessLogParseException(Field.DURATION.key + ": " + Lines.quote(values[Field.DURATION.ordinal()])
                    + " is not a number of milliseconds");
        }
        MappedFields.Values mapped = fields.resolve(values);
        return new AccessLogEntry(Timestamps.parse(startTime, Field.START_TIME.key), mapped.cluster(),
                mapped.namespace(), mapped.pool(), mapped.model(), mapped.targetModel(), (int) status,
                durationMillis / 1000.0, mapped.inputTokens(), mapped.outputTokens(),
                byteCount(values, Field.BYTES_RECEIVED), byteCount(values, Field.BYTES_SENT),
                optional(values, Field.UPSTREAM_HOST), Optional.empty(), Optional.empty(),
                optional(values, Field.RESPONSE_FLAGS), optional(values, Field.REQUEST_ID), FORMAT);
    }

    /** The line's fields in {@link Field} order, null where the line has {@code -}. */
    private static String[] split(String line) {
        String[] values = new String[Field.COUNT];
        if (!line.startsWith("[")) {
            throw malformed("expected '[' and the start time at the beginning", line);
        }
        int close = line.indexOf(']');
        if (close < 0 || !line.startsWith(" \"", close + 1)) {
            throw malformed("expected '[start time] \"' at the beginning", line);
        }
        values[Field.START_TIME.ordinal()] = value(line.substring(1, close));

        int start = close + 3;
        int end = requestLineEnd(line, start);
        String request = line.substring(start, end);
        int firstSpace = request.indexOf(' ');
        int lastSpace = request.lastIndexOf(' ');
        if (firstSpace < 0 || firstSpace == lastSpace) {
            throw new AccessLogParseException("request line " + Lines.quote(request)
                    + " is not \"METHOD PATH PROTOCOL\"");
        }
        values[Field.METHOD.ordinal()] = value(request.substring(0, firstSpace));
        values[Field.PATH.ordinal()] = value(request.substring(firstSpace + 1, lastSpace));
        values[Field.PROTOCOL.ordinal()] = value(request.substring(lastSpace + 1));

        int position = end + 2;
        for (Field field : Field.UNQUOTED) {
            int space = line.indexOf(' ', position);
            if (space < 0) {
                throw malformed("the line ends at " + field.key, line);
            }
            values[field.ordinal()] = value(line.substring(position, space));
            position = space + 1;
        }

        if (position >= line.length() - 1 || line.charAt(position) != '"' || !line.endsWith("\"")) {
            throw malformed("expected " + QUOTED_FIELDS, line);
        }
        String quoted = line.substring(position + 1, line.length() - 1);
        int skip = QUOTE_SEPARATOR.length();
        // Separators must not overlap: in '" " "' an empty field lies between two of them.
        int afterForwardedFor = quoted.indexOf(QUOTE_SEPARATOR);
        int beforeUpstream = quoted.lastIndexOf(QUOTE_SEPARATOR);
        int beforeAuthority = beforeUpstream < 0 ? -1 : quoted.lastIndexOf(QUOTE_SEPARATOR, beforeUpstream - skip);
        int beforeRequestId = beforeAuthority < 0 ? -1 : quoted.lastIndexOf(QUOTE_SEPARATOR, beforeAuthority - skip);
        if (afterForwardedFor < 0 || beforeRequestId < afterForwardedFor + skip) {
            throw malformed("expected " + QUOTED_FIELDS, line);
        }
        values[Field.FORWARDED_FOR.ordinal()] = value(quoted.substring(0, afterForwardedFor));
        values[Field.USER_AGENT.ordinal()] = value(quoted.substring(afterForwardedFor + skip, beforeRequestId));
        values[Field.REQUEST_ID.ordinal()] = value(quoted.substring(beforeRequestId + skip, beforeAuthority));
        values[Field.AUTHORITY.ordinal()] = value(quoted.substring(beforeAuthority + skip, beforeUpstream));
        values[Field.UPSTREAM_HOST.ordinal()] = value(quoted.substring(beforeUpstream + skip));
        return values;
    }

    /**
     * The closing quote of the request line: the first quote followed by a space and a response
     * code, since a path may itself contain quotes.
     */
    private static int requestLineEnd(String line, int from) {
        for (int quote = line.indexOf('"', from); quote >= 0; quote = line.indexOf('"', quote + 1)) {
            int digits = quote + 2;
            while (digits < line.length() && line.charAt(digits) >= '0' && line.charAt(digits) <= '9') {
                digits++;
            }
            if (line.startsWith(" ", quote + 1) && digits > quote + 2 && line.startsWith(" ", digits)) {
                return quote;
            }
        }
        throw malformed("expected '\"METHOD PATH PROTOCOL\" RESPONSE_CODE' after the start time", line);
    }

    private static String value(String text) {
        return text.isBlank() || text.equals("-") ? null : text;
    }

    private static String require(String[] values, Field field) {
        String value = values[field.ordinal()];
        if (value == null) {
            throw new AccessLogParseException(field.key + " is not set");
        }
        return value;
    }

    private static OptionalLong byteCount(String[] values, Field field) {
        String value = values[field.ordinal()];
        if (value == null) {
            return OptionalLong.empty();
        }
        long count = Lines.nonNegative(value);
        if (count < 0) {
            throw new AccessLogParseException(field.key + ": " + Lines.quote(value) + " is not a byte count");
        }
        return OptionalLong.of(count);
    }

    private static Optional<String> optional(String[] values, Field field) {
        return Optional.ofNullable(values[field.ordinal()]);
    }

    private static AccessLogParseException malformed(String reason, String line) {
        return new AccessLogParseException("not Envoy's default format: " + reason + " in " + Lines.quote(line));
    }
}
