package io.inferpulse.ingest.receive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.ingest.logs.AccessLogEntry;
import io.inferpulse.ingest.logs.AccessLogParseException;
import io.inferpulse.ingest.logs.AccessLogParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A small, strict access-log format for the receiver tests, so they do not depend on the real
 * parsers: {@code {"time":"<ISO instant>","pool":"p","id":"l-1","status":200,"latency":0.25}}.
 * Missing fields, wrong types and unknown fields are parse errors.
 */
final class TestLines {
    static final String CLUSTER = "it";
    static final String NAMESPACE = "default";
    // Recent, because the access-logs topic deletes records older than a day while a test reads it.
    static final Instant TIME = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private TestLines() {}

    static String good(String pool, String id) {
        return "{\"time\":\"" + TIME + "\",\"pool\":\"" + pool + "\",\"id\":\"" + id + "\",\"status\":200,\"latency\":0.25}";
    }

    static byte[] bytes(String line) {
        return line.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses the test format. */
    static final class Parser implements AccessLogParser {
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final Set<String> FIELDS = Set.of("time", "pool", "id", "status", "latency");

        @Override
        public String format() {
            return "test";
        }

        @Override
        public AccessLogEntry parse(String line) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new AccessLogParseException("malformed JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new AccessLogParseException("not a JSON object");
            }
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    throw new AccessLogParseException("unknown field '" + name + "'");
                }
            }
            Instant time;
            try {
                time = Instant.parse(text(node, "time"));
            } catch (DateTimeParseException e) {
                throw new AccessLogParseException("field 'time' is not an ISO instant");
            }
            return new AccessLogEntry(time, CLUSTER, NAMESPACE, text(node, "pool"), "model", "model",
                    integer(node, "status"), number(node, "latency"), OptionalLong.empty(), OptionalLong.empty(),
                    OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.of(text(node, "id")), "test");
        }

        private static JsonNode field(JsonNode node, String name) {
            JsonNode value = node.get(name);
            if (value == null) {
                throw new AccessLogParseException("missing field '" + name + "'");
            }
            return value;
        }

        private static String text(JsonNode node, String name) {
            JsonNode value = field(node, name);
            if (!value.isTextual()) {
                throw new AccessLogParseException("field '" + name + "' must be a string, got " + value.getNodeType());
            }
            return value.textValue();
        }

        private static int integer(JsonNode node, String name) {
            JsonNode value = field(node, name);
            if (!value.isInt()) {
                throw new AccessLogParseException("field '" + name + "' must be an integer, got " + value.getNodeType());
            }
            return value.intValue();
        }

        private static double number(JsonNode node, String name) {
            JsonNode value = field(node, name);
            if (!value.isNumber()) {
                throw new AccessLogParseException("field '" + name + "' must be a number, got " + value.getNodeType());
            }
            return value.doubleValue();
        }
    }
}
