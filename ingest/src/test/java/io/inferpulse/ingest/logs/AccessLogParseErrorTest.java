package io.inferpulse.ingest.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every kind of bad line is rejected with {@link AccessLogParseException} and a reason that says what and where. */
class AccessLogParseErrorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GCP = Samples.line("gcp-lb/http_external_regional_lb_rule.jsonl", 0);
    private static final String ENVOY = Samples.line("envoy/default-format.log", 0);
    private static final String ENVOY_JSON = Samples.line("envoy/gateway-default.jsonl", 0);
    /** The authority lost, leaving '" "' where one separator could be read as two. */
    private static final String OVERLAPPING =
            ENVOY.replace("\"vllm-llama3-8b-instruct.llm.svc:8000\" \"10.4.1.17:8000\"", "\" \"10.4.1.17:8000\"");
    private static final String RFC_3339 = " is not an RFC 3339 time like 2024-05-01T12:00:00.123Z";

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource
    void shouldRejectWithReason(String format, String description, String line, String reason) {
        // when
        AccessLogParseException e = catchThrowableOfType(AccessLogParseException.class,
                () -> Samples.parser(format).parse(line));

        // then
        assertThat(e).as("%s: %s", format, line).isNotNull();
        assertThat(e.getMessage()).isEqualTo(reason);
    }

    static Stream<Arguments> shouldRejectWithReason() {
        return Stream.of(
                gcp("null line", null, "no line (null)"),
                gcp("empty line", "", "line: empty, expected a JSON object"),
                gcp("blank line", "   ", "line: empty, expected a JSON object"),
                gcp("truncated JSON", GCP.substring(0, 120),
                        "line: not JSON: Unexpected end-of-input in field name at column 121"),
                gcp("array of entries", "[" + GCP + "]", "line: expected a JSON object, got an array"),
                gcp("two entries on a line", GCP + GCP,
                        "line: not JSON: Trailing token (of type START_OBJECT) found after value (bound as"
                                + " `com.fasterxml.jackson.databind.JsonNode`): not allowed as per"
                                + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS` at column " + (GCP.length() + 1)),
                gcp("not a LogEntry", "{\"level\":\"info\",\"msg\":\"started\"}",
                        "line: not a Cloud Logging LogEntry (none of httpRequest, jsonPayload, resource) nor a"
                                + " wrapper of one (message, log or data); its keys: level, msg"),
                gcp("deeply nested", "[".repeat(100) + "]".repeat(100),
                        "line: not JSON: Document nesting depth (65) exceeds the maximum allowed (64, from"
                                + " `StreamReadConstraints.getMaxNestingDepth()`)"),
                gcp("other resource type", gcp(e -> ((ObjectNode) e.get("resource")).put("type", "k8s_container")),
                        "resource.type: 'k8s_container' is not a load balancer (expected http_load_balancer,"
                                + " http_external_regional_lb_rule or internal_http_lb_rule)"),
                gcp("no httpRequest", gcp(e -> e.remove("httpRequest")), "httpRequest is absent: not a request log"),
                gcp("httpRequest a string", gcp(e -> e.put("httpRequest", "GET /")),
                        "httpRequest: expected an object, got the string 'GET /'"),
                gcp("latency in ms", gcp(e -> http(e).put("latency", "12ms")),
                        "httpRequest.latency: '12ms' is not a protobuf duration like 0.006023s"),
                gcp("latency negative", gcp(e -> http(e).put("latency", "-0.5s")),
                        "httpRequest.latency: '-0.5s' is not a protobuf duration like 0.006023s"),
                gcp("latency with ten decimals", gcp(e -> http(e).put("latency", "0.0000000001s")),
                        "httpRequest.latency: '0.0000000001s' is not a protobuf duration like 0.006023s"),
                gcp("latency a number", gcp(e -> http(e).put("latency", 0.5)),
                        "httpRequest.latency: expected a protobuf duration like \"0.006023s\", got the number 0.5"),
                gcp("latency absent", gcp(e -> http(e).remove("latency")), "httpRequest.latency is absent"),
                gcp("status a word", gcp(e -> http(e).put("status", "OK")),
                        "httpRequest.status: 'OK' is not an HTTP status"),
                gcp("status a boolean", gcp(e -> http(e).put("status", true)),
                        "httpRequest.status: 'true' is not an HTTP status"),
                gcp("status too large", gcp(e -> http(e).put("status", 2000)),
                        "httpRequest.status: 2000 is not an HTTP status"),
                gcp("status negative", gcp(e -> http(e).put("status", -1)),
                        "httpRequest.status: -1 is not an HTTP status"),
                gcp("status fractional", gcp(e -> http(e).put("status", 200.5)),
                        "httpRequest.status: 200.5 is not an HTTP status"),
                gcp("size negative", gcp(e -> http(e).put("requestSize", "-5")),
                        "httpRequest.requestSize: '-5' is not a byte count"),
                gcp("size an object", gcp(e -> http(e).putObject("responseSize")),
                        "httpRequest.responseSize: expected a string, got an object"),
                gcp("size overflowing int64", gcp(e -> http(e).put("responseSize", "92233720368547758070")),
                        "httpRequest.responseSize: '92233720368547758070' is not a byte count"),
                gcp("serverIp an array", gcp(e -> http(e).putArray("serverIp")),
                        "httpRequest.serverIp: expected a string, got an array"),
                gcp("jsonPayload an array", gcp(e -> e.putArray("jsonPayload")),
                        "jsonPayload: expected an object, got an array"),
                gcp("timestamp not RFC 3339", gcp(e -> e.put("timestamp", "2025-03-11 08:15:02")),
                        "timestamp: '2025-03-11 08:15:02'" + RFC_3339),
                gcp("timestamp month 13", gcp(e -> e.put("timestamp", "2025-13-11T08:15:02Z")),
                        "timestamp: '2025-13-11T08:15:02Z'" + RFC_3339),
                gcp("no time at all", gcp(e -> e.remove(List.of("timestamp", "receiveTimestamp"))),
                        "no request time: timestamp and receiveTimestamp are absent"),
                gcp("no pool", gcp(e -> labels(e).remove("backend_target_name")),
                        "no pool: resource.labels.backend_target_name and resource.labels.backend_service_name"
                                + " are absent"),
                gcp("empty pool", gcp(e -> labels(e).put("backend_target_name", "")),
                        "no pool: resource.labels.backend_target_name and resource.labels.backend_service_name"
                                + " are absent"),
                gcp("token count a word", gcp(e -> payload(e).put("inputTokens", "many")),
                        "jsonPayload.inputTokens: 'many' is not a token count"),
                gcp("token count fractional", gcp(e -> payload(e).put("outputTokens", 1.5)),
                        "jsonPayload.outputTokens: '1.5' is not a token count"),
                gcp("model an object", gcp(e -> payload(e).putObject("modelName")),
                        "jsonPayload.modelName: expected a string, got an object"),
                gcp("Pub/Sub data not base64", "{\"message\":{\"data\":\"not base64!\"}}",
                        "message.data: not base64 (Illegal base64 character 20)"),
                gcp("Pub/Sub data not JSON", "{\"data\":\"bm90IGpzb24=\"}",
                        "data: not JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array,"
                                + " Object or token 'null', 'true' or 'false') at column 1"),
                gcp("shipper message not JSON", "{\"message\":\"GET / 200\"}",
                        "message: not JSON: Unrecognized token 'GET': was expecting (JSON String, Number, Array,"
                                + " Object or token 'null', 'true' or 'false') at column 1"),
                gcp("wrapped too deep", "{\"message\":{\"message\":{\"message\":{\"message\":" + GCP + "}}}}",
                        "message.message.message: not a Cloud Logging LogEntry (none of httpRequest, jsonPayload,"
                                + " resource) nor a wrapper of one (message, log or data); its keys: message"),
                gcp("wrapper holding a number", "{\"log\":42}", "log: expected a JSON object, got the number 42"),
                gcp("replacement characters", "{\"\uFFFD\":\"\uFFFD\uFFFD\"}",
                        "line: not a Cloud Logging LogEntry (none of httpRequest, jsonPayload, resource) nor a"
                                + " wrapper of one (message, log or data); its keys: \uFFFD"),

                envoy("empty line", "", "not Envoy's default format: expected '[' and the start time at the"
                        + " beginning in ''"),
                envoy("no closing bracket", "[2024-05-01T12:00:00.123Z \"GET / HTTP/1.1\" 200",
                        "not Envoy's default format: expected '[start time] \"' at the beginning in"
                                + " '[2024-05-01T12:00:00.123Z \"GET / HTTP/1.1\" 200'"),
                envoy("request line without protocol", ENVOY.replace(" HTTP/1.1\"", "\""),
                        "request line 'POST /v1/completions' is not \"METHOD PATH PROTOCOL\""),
                envoy("no response code", "[2024-05-01T12:00:00.123Z] \"GET / HTTP/1.1\" OK",
                        "not Envoy's default format: expected '\"METHOD PATH PROTOCOL\" RESPONSE_CODE' after the"
                                + " start time in '[2024-05-01T12:00:00.123Z] \"GET / HTTP/1.1\" OK'"),
                envoy("response code too large", ENVOY.replace("\" 200 -", "\" 2000 -"),
                        "response_code: '2000' is not an HTTP status"),
                envoy("duration not set", ENVOY.replace(" 845 843 ", " - 843 "), "duration is not set"),
                envoy("duration fractional", ENVOY.replace(" 845 843 ", " 845.5 843 "),
                        "duration: '845.5' is not a number of milliseconds"),
                envoy("bytes a word", ENVOY.replace(" 412 1024 ", " many 1024 "),
                        "bytes_received: 'many' is not a byte count"),
                envoy("start time not RFC 3339", ENVOY.replace("2024-05-01T12:00:00.123Z", "01/May/2024:12:00:00"),
                        "start_time: '01/May/2024:12:00:00'" + RFC_3339),
                envoy("truncated after the counters", ENVOY.substring(0, ENVOY.indexOf(" 843 ")),
                        "not Envoy's default format: the line ends at duration in"
                                + " '[2024-05-01T12:00:00.123Z] \"POST /v1/completions HTTP/1.1\" 200 - 412 1024"
                                + " 845'"),
                envoy("missing quoted fields", ENVOY.substring(0, ENVOY.indexOf(" \"10.4.1.17:8000\"")),
                        "not Envoy's default format: expected five quoted fields (x-forwarded-for, user-agent,"
                                + " x-request-id, :authority, upstream_host) after x-envoy-upstream-service-time in "
                                + Lines.quote(ENVOY.substring(0, ENVOY.indexOf(" \"10.4.1.17:8000\"")))),
                envoy("quoted fields overlapping", OVERLAPPING,
                        "not Envoy's default format: expected five quoted fields (x-forwarded-for, user-agent,"
                                + " x-request-id, :authority, upstream_host) after x-envoy-upstream-service-time in "
                                + Lines.quote(OVERLAPPING)),
                envoy("blank authority", ENVOY.replace("\"vllm-llama3-8b-instruct.llm.svc:8000\"", "\" \""),
                        "no pool: :authority is absent"),
                envoy("no pool", ENVOY.replace("\"vllm-llama3-8b-instruct.llm.svc:8000\"", "\"-\""),
                        "no pool: :authority is absent"),
                envoy("JSON without a line", "{\"level\":\"info\"}",
                        "line: JSON without a log or message string to take a text line from; its keys: level"),

                envoyJson("not a record", "{\"level\":\"info\",\"msg\":\"starting\"}",
                        "line: not an Envoy access-log record (none of start_time, response_code) nor a wrapper of"
                                + " one (message, log or data); its keys: level, msg"),
                envoyJson("no start time", envoyJson(e -> e.remove("start_time")), "start_time is absent"),
                envoyJson("start time null", envoyJson(e -> e.putNull("start_time")), "start_time is absent"),
                envoyJson("start time not RFC 3339", envoyJson(e -> e.put("start_time", "1724196118")),
                        "start_time: '1724196118'" + RFC_3339),
                envoyJson("no response code", envoyJson(e -> e.remove("response_code")), "response_code is absent"),
                envoyJson("response code a word", envoyJson(e -> e.put("response_code", "abc")),
                        "response_code: 'abc' is not an HTTP status"),
                envoyJson("duration negative", envoyJson(e -> e.put("duration", -1)),
                        "duration: -1 is not a number of milliseconds"),
                envoyJson("no duration", envoyJson(e -> e.remove("duration")), "duration is absent"),
                envoyJson("bytes fractional", envoyJson(e -> e.put("bytes_sent", 1.5)),
                        "bytes_sent: 1.5 is not a byte count"),
                envoyJson("request id an object", envoyJson(e -> e.putObject("x-request-id")),
                        "x-request-id: expected a string, got an object"),
                envoyJson("no pool", envoyJson(e -> e.putNull("upstream_cluster")),
                        "no pool: upstream_cluster is absent"),
                envoyJson("truncated", ENVOY_JSON.substring(0, ENVOY_JSON.length() - 1),
                        "line: not JSON: Unexpected end-of-input: expected close marker for Object at column "
                                + ENVOY_JSON.length()));
    }

    private static Arguments gcp(String description, String line, String reason) {
        return arguments("gcp-lb", description, line, reason);
    }

    private static Arguments envoy(String description, String line, String reason) {
        return arguments("envoy", description, line, reason);
    }

    private static Arguments envoyJson(String description, String line, String reason) {
        return arguments("envoy-json", description, line, reason);
    }

    private static String gcp(Consumer<ObjectNode> change) {
        return changed(GCP, change);
    }

    private static String envoyJson(Consumer<ObjectNode> change) {
        return changed(ENVOY_JSON, change);
    }

    private static String changed(String line, Consumer<ObjectNode> change) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(line);
            change.accept(node);
            return node.toString();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode http(ObjectNode entry) {
        return (ObjectNode) entry.get("httpRequest");
    }

    private static ObjectNode payload(ObjectNode entry) {
        return (ObjectNode) entry.get("jsonPayload");
    }

    private static ObjectNode labels(ObjectNode entry) {
        return (ObjectNode) entry.get("resource").get("labels");
    }
}
