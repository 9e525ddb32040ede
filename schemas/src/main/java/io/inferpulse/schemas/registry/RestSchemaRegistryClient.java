package io.inferpulse.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks the Confluent Schema Registry REST API, which Confluent's registry, Karapace and
 * Apicurio ({@code /apis/ccompat/v7}) all serve. Each call is retried with exponential backoff
 * and jitter while the failure may pass (no answer, time-out, 5xx, 429); a rejection such as 409
 * (incompatible) or 404 fails at once. Within one attempt, a registry that cannot be reached
 * hands over to the next configured URL, which then stays in use.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";
    private static final int BODY_CHARS_IN_MESSAGES = 200;
    private static final double JITTER_FACTOR = 0.25;

    private final RegistryClientConfig config;
    private final List<String> baseUrls;
    private final Optional<String> authorization;
    private final HttpClient http;
    private final RetryPolicy<HttpResponse<String>> retryPolicy;
    private final AtomicInteger preferredUrl = new AtomicInteger();
    private final Map<SubjectSchema, Integer> registered = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, RegisteredSchema> lookedUp = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    public RestSchemaRegistryClient(RegistryClientConfig config) {
        this.config = config;
        this.baseUrls = config.urls().stream().map(u -> u.toString().replaceAll("/+$", "")).toList();
        this.authorization = config.basicAuthUserInfo()
                .map(u -> "Basic " + Base64.getEncoder().encodeToString(u.getBytes(StandardCharsets.UTF_8)))
                .or(() -> config.bearerToken().map(t -> "Bearer " + t));
        this.http = HttpClient.newBuilder()
                // As Confluent's own client: no h2c upgrade offer, which some proxies in front of registries reject.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.retryPolicy = retryPolicy(config);
    }

    /** Registers the schema (or finds it already registered) and returns its global id; asks once per subject and schema. */
    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = registered.get(key);
        if (cached != null) {
            return cached;
        }
        // Outside a computeIfAbsent on purpose: a slow registry must not block callers of other keys.
        // Two threads racing on a new schema both ask, which the registry answers with the same id.
        Response response = call("POST", subjectPath(subject) + "/versions", schemaBody(schema));
        int id = response.requiredInt("id");
        registered.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema cached = lookedUp.get(key);
        if (cached != null) {
            return cached;
        }
        Response response = call("POST", subjectPath(subject), schemaBody(schema));
        RegisteredSchema found = new RegisteredSchema(subject, response.requiredInt("version"), response.requiredInt("id"));
        lookedUp.put(key, found);
        schemasById.putIfAbsent(found.id(), schema);
        return found;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Response response = call("GET", "/schemas/ids/" + id, null);
        String type = response.body().path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw response.unusable("schema " + id + " is a " + type + " schema, not Avro");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(response.requiredText("schema"));
        } catch (AvroRuntimeException | NullPointerException e) { // Avro 1.12 throws an NPE for an unresolved type name
            throw response.unusable("schema " + id + " does not parse: " + e.getMessage());
        }
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient" + baseUrls;
    }

    private static RetryPolicy<HttpResponse<String>> retryPolicy(RegistryClientConfig config) {
        RetryPolicyBuilder<HttpResponse<String>> builder = RetryPolicy.<HttpResponse<String>>builder()
                .handleIf((HttpResponse<String> response, Throwable failure) ->
                        failure instanceof IOException || (response != null && isRetriable(response.statusCode())))
                .withMaxAttempts(config.maxAttempts())
                .withJitter(JITTER_FACTOR)
                .onRetry(e -> LOG.warn("Schema registry call failed (attempt {} of {}): {}; retrying",
                        e.getAttemptCount(), config.maxAttempts(),
                        e.getLastException() != null ? e.getLastException().getMessage()
                                : "HTTP " + e.getLastResult().statusCode() + " from " + e.getLastResult().uri()));
        // Failsafe's backoff needs a maximum strictly above the initial delay; equal ones mean a fixed delay.
        return (config.maxBackoff().compareTo(config.initialBackoff()) > 0
                ? builder.withBackoff(config.initialBackoff(), config.maxBackoff())
                : builder.withDelay(config.initialBackoff()))
                .build();
    }

    private static boolean isRetriable(int status) {
        return status >= 500 || status == 429;
    }

    private Response call(String method, String path, String body) {
        HttpResponse<String> response;
        try {
            response = Failsafe.with(retryPolicy).get(() -> send(method, path, body));
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("Interrupted during " + method + " " + path + " to the schema registry", cause);
            }
            throw new SchemaRegistryException("Could not reach the schema registry at " + baseUrls + " for " + method + " "
                    + path + " in " + config.maxAttempts() + " attempts: " + cause.getMessage(), cause);
        }
        if (response.statusCode() >= 300) {
            throw error(method, response);
        }
        return new Response(method, response);
    }

    /** One attempt: the preferred URL first, then the others in turn while none can be reached. */
    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        int first = preferredUrl.get();
        IOException failure = null;
        for (int i = 0; i < baseUrls.size(); i++) {
            int index = (first + i) % baseUrls.size();
            try {
                HttpResponse<String> response = http.send(request(baseUrls.get(index), method, path, body),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                preferredUrl.set(index);
                return response;
            } catch (IOException e) {
                // The JDK's ConnectException carries no message of its own: name the URL and the root cause.
                IOException described = new IOException(method + " " + baseUrls.get(index) + path + ": " + describe(e), e);
                LOG.debug("Schema registry did not answer: {}", described.getMessage());
                if (failure == null) {
                    failure = described;
                } else {
                    failure.addSuppressed(described);
                }
            }
        }
        throw failure;
    }

    private HttpRequest request(String baseUrl, String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT);
        authorization.ifPresent(a -> builder.header("Authorization", a));
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
    }

    private static SchemaRegistryException error(String method, HttpResponse<String> response) {
        int status = response.statusCode();
        String where = "HTTP " + status + " from " + method + " " + response.uri();
        String body = response.body() == null ? "" : response.body();
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.hasNonNull("message")) {
                return new SchemaRegistryException(status, error.path("error_code").asInt(-1),
                        error.get("message").asText() + " (" + where + ")");
            }
        } catch (JsonProcessingException e) {
            // Proxies and load balancers answer in HTML or plain text: fall back to the raw body.
        }
        return new SchemaRegistryException(status, -1, where + ": " + abbreviate(body));
    }

    private static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return failure.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return failure.getClass().getSimpleName();
    }

    private static String subjectPath(String subject) {
        // URLEncoder encodes for forms, where a space is '+'; in a path '+' is literal.
        return "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String schemaBody(Schema schema) {
        // No schemaType: AVRO is Confluent's default, and some ccompat implementations reject the field.
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String abbreviate(String body) {
        String flat = body.strip();
        return flat.isEmpty() ? "(empty body)"
                : flat.length() <= BODY_CHARS_IN_MESSAGES ? flat : flat.substring(0, BODY_CHARS_IN_MESSAGES) + "...";
    }

    /** A successful answer and the means to complain about its content. */
    private record Response(String method, HttpResponse<String> http, JsonNode body) {
        Response(String method, HttpResponse<String> http) {
            this(method, http, parse(method, http));
        }

        private static JsonNode parse(String method, HttpResponse<String> http) {
            try {
                JsonNode node = JSON.readTree(http.body());
                if (node != null && node.isObject()) {
                    return node;
                }
            } catch (JsonProcessingException e) {
                // reported below with the body
            }
            throw new SchemaRegistryException(http.statusCode(), -1, "Unreadable answer (HTTP " + http.statusCode()
                    + " from " + method + " " + http.uri() + "): " + abbreviate(String.valueOf(http.body())));
        }

        int requiredInt(String field) {
            JsonNode value = body.get(field);
            if (value == null || !value.canConvertToInt()) {
                throw unusable("no integer \"" + field + "\" in " + abbreviate(body.toString()));
            }
            return value.intValue();
        }

        String requiredText(String field) {
            JsonNode value = body.get(field);
            if (value == null || !value.isTextual()) {
                throw unusable("no text \"" + field + "\" in " + abbreviate(body.toString()));
            }
            return value.asText();
        }

        /** Not retriable: the registry answered, and asking again gets the same answer. */
        SchemaRegistryException unusable(String problem) {
            return new SchemaRegistryException(http.statusCode(), -1,
                    "Unusable answer from " + method + " " + http.uri() + ": " + problem);
        }
    }
}
