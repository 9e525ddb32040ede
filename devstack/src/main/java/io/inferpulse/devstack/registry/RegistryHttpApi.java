package io.inferpulse.devstack.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The subset of Confluent's REST API that serdes and operators use, over {@link RegistryService}. */
final class RegistryHttpApi implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final RegistryService service;

    RegistryHttpApi(RegistryService service) {
        this.service = service;
    }

    private record Answer(int status, Object body) {
        static Answer ok(Object body) {
            return new Answer(200, body);
        }

        static Answer error(int status, int errorCode, String message) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error_code", errorCode);
            body.put("message", message);
            return new Answer(status, body);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Request request = Request.of(exchange);
            Answer answer;
            try {
                answer = route(request);
            } catch (RegistryException e) {
                answer = Answer.error(e.status(), e.errorCode(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", request.method(), request.rawPath(), e);
                answer = Answer.error(500, 500, "Internal error: " + e);
            }
            byte[] body = JSON.writeValueAsBytes(answer.body());
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private Answer route(Request r) {
        List<String> p = r.path();
        int n = p.size();
        String root = n == 0 ? "" : p.getFirst();
        if (root.equals("subjects") && n == 1) {
            return r.on(Map.of("GET", () -> Answer.ok(service.subjects())));
        }
        if (root.equals("subjects") && n == 2) {
            return r.on(Map.of("POST", () -> Answer.ok(json(service.lookup(p.get(1), r.schema())))));
        }
        if (root.equals("subjects") && n == 3 && p.get(2).equals("versions")) {
            String subject = p.get(1);
            return r.on(Map.of(
                    "GET", () -> Answer.ok(service.versions(subject).stream().map(SubjectVersion::version).toList()),
                    "POST", () -> Answer.ok(Map.of("id", service.register(subject, r.schema())))));
        }
        if (root.equals("subjects") && n == 4 && p.get(2).equals("versions")) {
            return r.on(Map.of("GET", () -> Answer.ok(json(service.version(p.get(1), p.get(3))))));
        }
        if (root.equals("schemas") && n == 3 && p.get(1).equals("ids") && p.get(2).matches("\\d{1,9}")) {
            return r.on(Map.of("GET", () -> Answer.ok(Map.of("schema", service.schema(Integer.parseInt(p.get(2))).toString()))));
        }
        if (root.equals("compatibility") && n == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
            return r.on(Map.of("POST", () -> compatibility(r, p.get(2), p.get(4))));
        }
        if (root.equals("config") && n <= 2) {
            Optional<String> subject = n == 2 ? Optional.of(p.get(1)) : Optional.empty();
            return r.on(Map.of(
                    "GET", () -> Answer.ok(Map.of("compatibilityLevel", subject
                            .map(s -> service.subjectLevel(s, r.flag("defaultToGlobal")))
                            .orElseGet(service::globalLevel).name())),
                    "PUT", () -> {
                        CompatibilityLevel level = r.level();
                        service.setLevel(subject, level);
                        return Answer.ok(Map.of("compatibility", level.name()));
                    }));
        }
        throw RegistryException.notFound(r.rawPath());
    }

    private Answer compatibility(Request r, String subject, String version) {
        List<String> problems = service.incompatibilities(subject, version, r.schema());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("is_compatible", problems.isEmpty());
        if (r.flag("verbose")) {
            body.put("messages", problems);
        }
        return Answer.ok(body);
    }

    private static Map<String, Object> json(SubjectVersion v) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", v.subject());
        body.put("version", v.version());
        body.put("id", v.id());
        body.put("schema", v.schema().toString());
        return body;
    }

    private record Request(String method, String rawPath, List<String> path, Map<String, String> query, byte[] body) {
        static Request of(HttpExchange exchange) throws IOException {
            String rawPath = exchange.getRequestURI().getRawPath();
            List<String> path = Arrays.stream(rawPath.split("/")).filter(s -> !s.isEmpty()).map(Request::decode).toList();
            Map<String, String> query = new HashMap<>();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    String[] kv = pair.split("=", 2);
                    query.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
                }
            }
            return new Request(exchange.getRequestMethod(), rawPath, path, query, exchange.getRequestBody().readAllBytes());
        }

        private static String decode(String component) {
            // URLDecoder decodes forms, where '+' is a space; in a path it is a plus.
            return URLDecoder.decode(component.replace("+", "%2B"), StandardCharsets.UTF_8);
        }

        Answer on(Map<String, Supplier<Answer>> handlers) {
            Supplier<Answer> handler = handlers.get(method);
            if (handler == null) {
                throw RegistryException.methodNotAllowed(method, rawPath);
            }
            return handler.get();
        }

        boolean flag(String name) {
            return Boolean.parseBoolean(query.get(name));
        }

        /** The Avro schema of a register, lookup or compatibility request. */
        Schema schema() {
            JsonNode json = json();
            String type = json.path("schemaType").asText("AVRO");
            if (!type.equals("AVRO")) {
                throw RegistryException.invalidSchema("schema type " + type + " is not supported: this registry keeps Avro schemas only");
            }
            if (!json.path("references").isEmpty()) {
                throw RegistryException.invalidSchema("schema references are not supported");
            }
            JsonNode schema = json.get("schema");
            if (schema == null || !schema.isTextual()) {
                throw RegistryException.invalidSchema("the request has no \"schema\" string");
            }
            return RegistryService.parse(schema.asText());
        }

        /** The level of a config update; Confluent's clients send either field name. */
        CompatibilityLevel level() {
            JsonNode json = json();
            JsonNode level = json.hasNonNull("compatibility") ? json.get("compatibility") : json.get("compatibilityLevel");
            String text = level == null ? "" : level.asText();
            return CompatibilityLevel.parse(text).orElseThrow(() -> RegistryException.invalidCompatibilityLevel(text));
        }

        private JsonNode json() {
            try {
                JsonNode json = JSON.readTree(body);
                if (json == null || !json.isObject()) {
                    throw RegistryException.badRequest("Expected a JSON object as the request body");
                }
                return json;
            } catch (IOException e) {
                throw RegistryException.badRequest("Unreadable JSON in the request body: " + e.getMessage());
            }
        }
    }
}
