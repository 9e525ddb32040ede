package io.inferpulse.devstack.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

/** One parsed access-log line, for assertions. */
record AccessLogLine(JsonNode node) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static AccessLogLine parse(String line) {
        try {
            return new AccessLogLine(JSON.readTree(line));
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    static List<AccessLogLine> parseAll(List<String> lines) {
        return lines.stream().map(AccessLogLine::parse).toList();
    }

    int status() {
        return node.path("httpRequest").path("status").asInt();
    }

    /** The text at {@code path} below the root, or {@code null} when it is missing. */
    String text(String... path) {
        JsonNode at = node;
        for (String field : path) {
            at = at.path(field);
        }
        return at.isMissingNode() ? null : at.asText();
    }
}
