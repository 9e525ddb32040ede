package io.inferpulse.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.schemas.registry.StubRegistryServer.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RestSchemaRegistryClientTest {
    private static final String SUBJECT = "inferpulse.pod-metrics-value";
    private static final Schema SCHEMA = PodMetrics.getClassSchema();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldRetryA503AndA429AndThenSucceed() {
        try (var server = new StubRegistryServer(
                Reply.json(503, "{\"error_code\":50003,\"message\":\"leader unavailable\"}"),
                Reply.json(429, "{\"error_code\":42901,\"message\":\"rate limit exceeded\"}"),
                Reply.json(200, "{\"id\":7}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")))) {

            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(7);
            assertThat(server.requests()).hasSize(3);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {409, 422, 404})
    void shouldFailAtOnceOnARejection(int status) {
        try (var server = new StubRegistryServer(Reply.json(status,
                "{\"error_code\":" + status + "01,\"message\":\"Schema being registered is incompatible\"}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")))) {

            assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(status);
                        assertThat(e.errorCode()).isEqualTo(status * 100 + 1);
                        assertThat(e.isRetriable()).isFalse();
                    })
                    .hasMessageContaining("Schema being registered is incompatible")
                    .hasMessageContaining("HTTP " + status);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void shouldExplainAnErrorBodyThatIsNotJson() {
        String html = "<html><body>" + "Bad gateway from the load balancer. ".repeat(10) + "</body></html>";
        try (var server = new StubRegistryServer(new Reply(502, "text/html", html, Duration.ZERO));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")).withRetries(2, Duration.ofMillis(5), Duration.ofMillis(10)))) {

            assertThatThrownBy(() -> client.schemaById(3))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(502);
                        assertThat(e.isRetriable()).isTrue();
                        assertThat(e.getMessage()).contains("HTTP 502", "/schemas/ids/3", html.substring(0, 200))
                                .doesNotContain(html.substring(0, 201));
                    });
            assertThat(server.requests()).hasSize(2);
        }
    }

    @Test
    void shouldSendBasicAuthCredentials() {
        try (var server = new StubRegistryServer(Reply.json(200, "{\"id\":1}"));
             var client = new RestSchemaRegistryClient(RegistryClientConfig.fromSerdeConfig(Map.of(
                     "schema.registry.url", server.url("").toString(),
                     "basic.auth.credentials.source", "USER_INFO",
                     "basic.auth.user.info", "svc-ingest:s3cret")))) {

            client.register(SUBJECT, SCHEMA);

            assertThat(server.requests().getFirst().authorization())
                    .isEqualTo("Basic " + Base64.getEncoder().encodeToString("svc-ingest:s3cret".getBytes()));
        }
    }

    @Test
    void shouldSendABearerToken() {
        try (var server = new StubRegistryServer(Reply.json(200, "{\"id\":1}"));
             var client = new RestSchemaRegistryClient(RegistryClientConfig.fromSerdeConfig(Map.of(
                     "schema.registry.url", server.url("").toString(),
                     "bearer.auth.credentials.source", "STATIC_TOKEN",
                     "bearer.auth.token", "eyJhbGciOi.token")))) {

            client.register(SUBJECT, SCHEMA);

            assertThat(server.requests().getFirst().authorization()).isEqualTo("Bearer eyJhbGciOi.token");
        }
    }

    @Test
    void shouldKeepThePathOfTheBaseUrlAndSpeakTheRegistryMediaType() throws IOException {
        try (var server = new StubRegistryServer(Reply.json(200, "{\"id\":3}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("/apis/ccompat/v7/")))) {

            client.register(SUBJECT, SCHEMA);

            StubRegistryServer.Request request = server.requests().getFirst();
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.rawPath()).isEqualTo("/apis/ccompat/v7/subjects/inferpulse.pod-metrics-value/versions");
            assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
            assertThat(request.accept()).startsWith("application/vnd.schemaregistry.v1+json");
            JsonNode body = JSON.readTree(request.body());
            assertThat(body.has("schemaType")).isFalse();
            assertThat(new Schema.Parser().parse(body.get("schema").asText())).isEqualTo(SCHEMA);
        }
    }

    @Test
    void shouldEncodeTheSubjectInThePath() {
        try (var server = new StubRegistryServer(Reply.json(200, "{\"id\":3}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")))) {

            client.register("team a/pods+gpus", SCHEMA);

            assertThat(server.requests().getFirst().rawPath()).isEqualTo("/subjects/team%20a%2Fpods%2Bgpus/versions");
        }
    }

    @Test
    void shouldRegisterEachSchemaOnceAndKnowItsIdAfterwards() {
        try (var server = new StubRegistryServer(Reply.json(200, "{\"id\":3}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")))) {

            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(3);
            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(3);
            assertThat(client.schemaById(3)).isEqualTo(SCHEMA);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void shouldFetchASchemaByIdOnce() {
        String answer = JSON.createObjectNode().put("schema", SCHEMA.toString()).toString();
        try (var server = new StubRegistryServer(Reply.json(200, answer));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")))) {

            assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
            assertThat(client.schemaById(12)).isEqualTo(SCHEMA);
            assertThat(server.requests()).extracting(StubRegistryServer.Request::method, StubRegistryServer.Request::rawPath)
                    .containsExactly(Tuple.tuple("GET", "/schemas/ids/12"));
        }
    }

    @Test
    void shouldRefuseASchemaItCannotParseWithoutRetrying() {
        try (var server = new StubRegistryServer(Reply.json(200, "{\"schema\":\"{\\\"type\\\":\\\"recrod\\\"}\"}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")))) {

            assertThatThrownBy(() -> client.schemaById(4))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.isRetriable()).isFalse())
                    .hasMessageContaining("schema 4 does not parse");
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void shouldLookASchemaUpWithoutRegisteringIt() {
        try (var server = new StubRegistryServer(Reply.json(200,
                "{\"subject\":\"" + SUBJECT + "\",\"version\":4,\"id\":21,\"schema\":\"...\"}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")))) {

            assertThat(client.lookup(SUBJECT, SCHEMA)).isEqualTo(new RegisteredSchema(SUBJECT, 4, 21));
            assertThat(server.requests().getFirst().rawPath()).isEqualTo("/subjects/" + SUBJECT);
        }
    }

    @Test
    void shouldMoveToTheNextUrlWhenOneCannotBeReached() throws IOException {
        try (var server = new StubRegistryServer(Reply.json(200, "{\"id\":5}"));
             var client = new RestSchemaRegistryClient(new RegistryClientConfig(List.of(closedPort(), server.url("")),
                     Optional.empty(), Optional.empty(), Duration.ofSeconds(2), 1, Duration.ofMillis(5), Duration.ofMillis(10)))) {

            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(5);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void shouldGiveUpOnAnUnreachableRegistryWithARetriableError() throws IOException {
        URI nowhere = closedPort();
        try (var client = new RestSchemaRegistryClient(fastRetries(nowhere).withRetries(2, Duration.ofMillis(5), Duration.ofMillis(10)))) {

            assertThatThrownBy(() -> client.register(SUBJECT, SCHEMA))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(-1);
                        assertThat(e.isRetriable()).isTrue();
                    })
                    .hasMessageContaining("Could not reach the schema registry at [" + nowhere + "]")
                    .hasMessageContaining("2 attempts");
        }
    }

    @Test
    void shouldRetryARequestThatTimedOut() {
        try (var server = new StubRegistryServer(
                Reply.json(200, "{\"id\":8}").after(Duration.ofSeconds(2)),
                Reply.json(200, "{\"id\":9}"));
             var client = new RestSchemaRegistryClient(fastRetries(server.url("")).withRequestTimeout(Duration.ofMillis(200)))) {

            assertThat(client.register(SUBJECT, SCHEMA)).isEqualTo(9);
            assertThat(server.requests()).hasSize(2);
        }
    }

    private static RegistryClientConfig fastRetries(URI url) {
        return RegistryClientConfig.of(url).withRetries(5, Duration.ofMillis(5), Duration.ofMillis(20));
    }

    private static URI closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }
}
