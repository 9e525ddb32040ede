package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;

/** Reading JSON access-log records: the line, its wrappers, and typed fields with reasons that name them. */
final class LogJson {

    /** Wrappers nest at most this deep (a Pub/Sub push envelope: message, then data). */
    private static final int MAX_WRAPPING = 3;
    private static final List<String> WRAPPER_KEYS = List.of("message", "log", "data");

    /**
     * Log records nest a few levels; a deeply nested line is hostile or broken, and the limit keeps
     * it from costing a deep recursion. Trailing tokens would mean two records on one line.
     */
    private static final ObjectReader READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build())
            .readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private LogJson() {
    }

    /**
     * The record a line holds: the line's JSON object itself when {@code isRecord} accepts it, else
     * the one inside a wrapper, found by following, in this order, a {@code message} (a Pub/Sub push
     * envelope, or a log shipper's record), a {@code log} (Fluent Bit's key for a collected line) or
     * a {@code data} (a Pub/Sub message, base64) key. A wrapped record may be a JSON object or a
     * string holding one.
     *
     * @param what what a record is, for the reason when none is found, e.g. {@code a Cloud Logging LogEntry}
     * @param keys the keys that mark a record, for that reason
     */
    static JsonNode record(String line, Predicate<JsonNode> isRecord, String what, String keys) {
        JsonNode node = read(line, "line");
        String path = "line";
        for (int depth = 0; ; depth++) {
            if (!node.isObject()) {
                throw new AccessLogParseException(path + ": expected a JSON object, got " + describe(node));
            }
            if (isRecord.test(node)) {
                return node;
            }
            String key = WRAPPER_KEYS.stream().filter(node::has).findFirst().orElse(null);
            if (key == null || depth == MAX_WRAPPING) {
                throw new AccessLogParseException(path + ": not " + what + " (none of " + keys
                        + ") nor a wrapper of one (message, log or data)" + keysOf(node));
            }
            path = path.equals("line") ? key : path + "." + key;
            node = unwrap(node.get(key), key, path);
        }
    }

    /**
     * The text line a log shipper's JSON record carries in its {@code log} (Fluent Bit) or
     * {@code message} (Vector) field.
     */
    static String shippedLine(String line) {
        JsonNode record = read(line, "line");
        for (String key : List.of("log", "message")) {
            JsonNode value = record.get(key);
            if (value != null && value.isTextual()) {
                return value.textValue();
            }
        }
        throw new AccessLogParseException("line: JSON without a log or message string to take a text line from"
                + (record.isObject() ? keysOf(record) : ""));
    }

    private static JsonNode unwrap(JsonNode inner, String key, String path) {
        if (!inner.isTextual()) {
            return inner;
        }
        if (!key.equals("data")) {
            return read(inner.textValue(), path);
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(inner.textValue());
        } catch (IllegalArgumentException e) {
            throw new AccessLogParseException(path + ": not base64 (" + e.getMessage() + ")");
        }
        try {
            return present(READER.readTree(decoded), path);
        } catch (IOException e) {
            throw new AccessLogParseException(path + ": not JSON: " + reason(e));
        }
    }

    private static JsonNode read(String text, String path) {
        try {
            return present(READER.readTree(text), path);
        } catch (JsonProcessingException e) {
            throw new AccessLogParseException(path + ": not JSON: " + reason(e));
        }
    }

    /** Jackson reads nothing at all, or only whitespace, as a missing node rather than an error. */
    private static JsonNode present(JsonNode node, String path) {
        if (node.isMissingNode()) {
            throw new AccessLogParseException(path + ": empty, expected a JSON object");
        }
        return node;
    }

    /** Jackson's message without the source location it appends; the column says where. */
    private static String reason(IOException e) {
        String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
        if (message == null) {
            message = e.getClass().getSimpleName();
        }
        int cut = message.indexOf(" (start marker at");
        if (cut < 0) {
            cut = message.indexOf('\n');
        }
        message = cut < 0 ? message : message.substring(0, cut);
        if (e instanceof JsonProcessingException json && json.getLocation() != null
                && json.getLocation().getColumnNr() > 0) {
            message += " at column " + json.getLocation().getColumnNr();
        }
        return message;
    }

    private static String keysOf(JsonNode node) {
        List<String> keys = new ArrayList<>();
        Iterator<String> names = node.fieldNames();
        while (names.hasNext() && keys.size() < 10) {
            keys.add(names.next());
        }
        return keys.isEmpty() ? "; it is empty" : "; its keys: " + String.join(", ", keys)
                + (names.hasNext() ? ", ..." : "");
    }

    /** The object at {@code key}, or null when absent or null. */
    static JsonNode object(JsonNode parent, String key, String label) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new AccessLogParseException(label + ": expected an object, got " + describe(node));
        }
        return node;
    }

    /**
     * A scalar as text, or null when absent, null, blank or {@code -}. Numbers and booleans are
     * taken as written, since JSON exports disagree about quoting them.
     */
    static String text(JsonNode node, String label) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isContainerNode()) {
            throw new AccessLogParseException(label + ": expected a string, got " + describe(node));
        }
        String text = node.asText();
        return text.isBlank() || text.equals("-") ? null : text;
    }

    /**
     * A non-negative integer, written as a JSON number or as a decimal string (protobuf's JSON form
     * of int64, and what Envoy writes in older versions), or empty when absent, null, blank or {@code -}.
     *
     * @param unit what the number counts, for the reason, e.g. {@code a byte count}
     */
    static OptionalLong count(JsonNode node, String label, String unit) {
        if (node != null && node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return OptionalLong.of(node.longValue());
        }
        if (node != null && node.isNumber()) {
            throw new AccessLogParseException(label + ": " + node.asText() + " is not " + unit);
        }
        String text = text(node, label);
        if (text == null) {
            return OptionalLong.empty();
        }
        long value = Lines.nonNegative(text);
        if (value < 0) {
            throw new AccessLogParseException(label + ": " + Lines.quote(text) + " is not " + unit);
        }
        return OptionalLong.of(value);
    }

    /** An HTTP status, 0 to 999. */
    static OptionalLong status(JsonNode node, String label) {
        OptionalLong status = count(node, label, "an HTTP status");
        if (status.isPresent() && status.getAsLong() > 999) {
            throw new AccessLogParseException(label + ": " + status.getAsLong() + " is not an HTTP status");
        }
        return status;
    }

    /** Reads a dotted path; the path names the source in reasons. */
    static MappedField.Source<JsonNode> pathSource(String path) {
        JsonPath compiled = new JsonPath(path);
        return new MappedField.Source<>(path, record -> text(compiled.find(record), path));
    }

    /** Reads a top-level key matched without regard to case, as header names are. */
    static MappedField.Source<JsonNode> keySource(String label, String key) {
        return new MappedField.Source<>(label, record -> {
            JsonNode exact = record.get(key);
            if (exact != null) {
                return text(exact, label);
            }
            for (Map.Entry<String, JsonNode> field : record.properties()) {
                if (field.getKey().equalsIgnoreCase(key)) {
                    return text(field.getValue(), label);
                }
            }
            return null;
        });
    }

    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "the string " + Lines.quote(node.textValue());
            case NUMBER -> "the number " + node.asText();
            case BOOLEAN -> node.asText();
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /**
     * A dotted path such as {@code resource.labels.backend_target_name}. Keys may themselves contain
     * dots, as Cloud Logging labels often do ({@code compute.googleapis.com/resource_name}), so where
     * a segment is not a key the next ones are tried joined to it.
     */
    private static final class JsonPath {
        /** {@code keys[i][j]} is segments i..j joined with dots. */
        private final String[][] keys;

        JsonPath(String path) {
            String[] segments = path.split("\\.", -1);
            keys = new String[segments.length][segments.length];
            for (int i = 0; i < segments.length; i++) {
                StringBuilder key = new StringBuilder();
                for (int j = i; j < segments.length; j++) {
                    key.append(j == i ? "" : ".").append(segments[j]);
                    keys[i][j] = key.toString();
                }
            }
        }

        JsonNode find(JsonNode root) {
            return find(root, 0);
        }

        private JsonNode find(JsonNode node, int from) {
            if (!node.isObject()) {
                return null;
            }
            int last = keys.length - 1;
            for (int to = from; to <= last; to++) {
                JsonNode child = node.get(keys[from][to]);
                if (child != null) {
                    JsonNode found = to == last ? child : find(child, to + 1);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }
    }
}
