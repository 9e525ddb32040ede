package io.inferpulse.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.RestSchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import io.inferpulse.schemas.serde.AvroDeserializer;
import io.inferpulse.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DevSchemaRegistryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SUBJECT = "readings-value";
    private static final Schema V1 = record("{\"name\":\"a\",\"type\":\"string\"}");

    private static EmbeddedKafkaBroker broker;

    private DevSchemaRegistry registry;
    private RestSchemaRegistryClient client;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** A registry of its own per test, on its own topic, so levels and ids set by one test do not leak into another. */
    @BeforeEach
    void startRegistry() {
        registry = startRegistry("_schemas-" + UUID.randomUUID());
        client = new RestSchemaRegistryClient(RegistryClientConfig.of(registry.url()));
    }

    @AfterEach
    void stopRegistry() {
        client.close();
        registry.close();
    }

    @Test
    void shouldRoundTripRecordsThroughTheDevRegistry() throws Exception {
        String topic = "inferpulse.pod-metrics";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        List<PodMetrics> samples = List.of(podMetrics("pod-a", 0.25), podMetrics("pod-b", 0.75));
        Map<String, Object> serde = Map.of("bootstrap.servers", broker.bootstrapServers(),
                "schema.registry.url", registry.url().toString());

        try (var producer = new KafkaProducer<String, PodMetrics>(with(serde, Map.of(
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", AvroSerializer.class.getName())))) {
            for (PodMetrics sample : samples) {
                producer.send(new ProducerRecord<>(topic, "prod-eu/llm/vllm-llama3-8b", sample)).get();
            }
        }
        List<PodMetrics> read = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, PodMetrics>(with(serde, Map.of(
                "group.id", "round-trip", "auto.offset.reset", "earliest",
                "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "value.deserializer", AvroDeserializer.class.getName(),
                AvroDeserializer.SPECIFIC_AVRO_VALUE_TYPE, PodMetrics.class.getName())))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.size() < samples.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, PodMetrics> record : consumer.poll(Duration.ofMillis(200))) {
                    read.add(record.value());
                }
            }
        }

        assertThat(read).containsExactlyElementsOf(samples);
        assertThat(get("/subjects").body()).containsExactly(JSON.valueToTree("inferpulse.pod-metrics-value"));
        JsonNode latest = get("/subjects/inferpulse.pod-metrics-value/versions/latest").body();
        assertThat(client.schemaById(latest.get("id").asInt())).isEqualTo(PodMetrics.getClassSchema());
    }

    @Test
    void shouldRejectAnIncompatibleSchemaWith409() throws Exception {
        int v1 = client.register(SUBJECT, V1);
        String addedWithoutDefault = "{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}";

        assertThatThrownBy(() -> client.register(SUBJECT, record(addedWithoutDefault)))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                })
                .hasMessageContaining("incompatible with an earlier schema for subject \"" + SUBJECT + "\"")
                .hasMessageContaining("READER_FIELD_MISSING_DEFAULT_VALUE");
        Reply raw = call("POST", "/subjects/" + SUBJECT + "/versions", schemaBody(record(addedWithoutDefault)));
        assertThat(raw.status()).isEqualTo(409);
        assertThat(raw.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(raw.body().get("error_code").asInt()).isEqualTo(409);
        assertThat(raw.body().get("message").asText()).contains(SUBJECT);

        int v2 = client.register(SUBJECT, record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}"));

        assertThat(v2).isNotEqualTo(v1);
        assertThat(get("/subjects/" + SUBJECT + "/versions").body()).containsExactly(JSON.valueToTree(1), JSON.valueToTree(2));
        assertThat(get("/subjects/" + SUBJECT + "/versions/2").body().get("id").asInt()).isEqualTo(v2);
    }

    @Test
    void shouldKeepSchemaIdsAcrossARegistryRestart() throws Exception {
        String topic = "_schemas-restart-" + UUID.randomUUID();
        Schema other = record("{\"name\":\"x\",\"type\":\"long\"}");
        int first;
        int second;
        try (DevSchemaRegistry before = startRegistry(topic);
             var beforeClient = new RestSchemaRegistryClient(RegistryClientConfig.of(before.url()))) {
            first = beforeClient.register(SUBJECT, V1);
            second = beforeClient.register("others-value", other);
            assertThat(call("PUT", "/config/" + SUBJECT, "{\"compatibility\":\"FULL\"}", before.url()).status()).isEqualTo(200);
        }

        try (DevSchemaRegistry after = startRegistry(topic);
             var afterClient = new RestSchemaRegistryClient(RegistryClientConfig.of(after.url()))) {
            assertThat(afterClient.register(SUBJECT, V1)).isEqualTo(first);
            Reply byId = call("GET", "/schemas/ids/" + second, null, after.url());
            assertThat(new Schema.Parser().parse(byId.body().get("schema").asText())).isEqualTo(other);
            assertThat(call("GET", "/subjects/" + SUBJECT + "/versions", null, after.url()).body()).containsExactly(JSON.valueToTree(1));
            assertThat(call("GET", "/config/" + SUBJECT, null, after.url()).body().get("compatibilityLevel").asText()).isEqualTo("FULL");
            assertThat(afterClient.register("third-value", record("{\"name\":\"y\",\"type\":\"double\"}")))
                    .isEqualTo(Math.max(first, second) + 1);
        }
    }

    @Test
    void shouldReuseTheIdOfASchemaRegisteredAgainOrUnderAnotherSubject() throws Exception {
        int id = client.register(SUBJECT, V1);

        Reply again = call("POST", "/subjects/" + SUBJECT + "/versions", schemaBody(V1));
        Reply elsewhere = call("POST", "/subjects/copies-value/versions", schemaBody(V1));

        assertThat(again.body().get("id").asInt()).isEqualTo(id);
        assertThat(elsewhere.body().get("id").asInt()).isEqualTo(id);
        assertThat(get("/subjects/" + SUBJECT + "/versions").body()).hasSize(1);
        assertThat(get("/subjects/copies-value/versions/latest").body().get("version").asInt()).isEqualTo(1);
    }

    @Test
    void shouldServeAndApplyCompatibilityConfig() throws Exception {
        assertThat(get("/config").body()).isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"BACKWARD\"}"));

        Reply put = call("PUT", "/config", "{\"compatibility\":\"FULL\"}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body()).isEqualTo(JSON.readTree("{\"compatibility\":\"FULL\"}"));
        assertThat(get("/config").body()).isEqualTo(JSON.readTree("{\"compatibilityLevel\":\"FULL\"}"));

        assertThat(call("PUT", "/config/" + SUBJECT, "{\"compatibilityLevel\":\"none\"}").body())
                .isEqualTo(JSON.readTree("{\"compatibility\":\"NONE\"}"));
        assertThat(get("/config/" + SUBJECT).body().get("compatibilityLevel").asText()).isEqualTo("NONE");
        client.register(SUBJECT, V1);
        client.register(SUBJECT, record("{\"name\":\"b\",\"type\":\"int\"}"));
        assertThat(get("/subjects/" + SUBJECT + "/versions").body()).hasSize(2);

        assertError(get("/config/unset-value"), 404, 40408);
        assertThat(get("/config/unset-value?defaultToGlobal=true").body().get("compatibilityLevel").asText()).isEqualTo("FULL");
        assertError(call("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
    }

    @Test
    void shouldCheckCompatibilityAgainstAVersion() throws Exception {
        client.register(SUBJECT, V1);
        String compatible = schemaBody(record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}"));
        String incompatible = schemaBody(record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}"));
        String path = "/compatibility/subjects/" + SUBJECT + "/versions/";

        assertThat(call("POST", path + "latest", compatible).body()).isEqualTo(JSON.readTree("{\"is_compatible\":true}"));
        assertThat(call("POST", path + "1", incompatible).body()).isEqualTo(JSON.readTree("{\"is_compatible\":false}"));
        JsonNode verbose = call("POST", path + "latest?verbose=true", incompatible).body();
        assertThat(verbose.get("is_compatible").asBoolean()).isFalse();
        assertThat(verbose.get("messages").get(0).asText()).contains("READER_FIELD_MISSING_DEFAULT_VALUE", "version 1");

        assertError(call("POST", path + "abc", compatible), 422, 42202);
        assertError(call("POST", path + "9", compatible), 404, 40402);
        assertError(call("POST", "/compatibility/subjects/nobody-value/versions/latest", compatible), 404, 40401);
    }

    @Test
    void shouldCheckTransitiveLevelsAgainstEveryVersion() throws Exception {
        Schema empty = record("");
        Schema intWithDefault = record("{\"name\":\"a\",\"type\":\"int\",\"default\":0}");
        call("PUT", "/config/transitive-value", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
        for (String subject : List.of(SUBJECT, "transitive-value")) {
            client.register(subject, V1);
            client.register(subject, empty);
        }

        client.register(SUBJECT, intWithDefault);
        assertThatThrownBy(() -> client.register("transitive-value", intWithDefault))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(409))
                .hasMessageContaining("TYPE_MISMATCH").hasMessageContaining("version 1");
    }

    @Test
    void shouldListSubjectsAndVersionsAndLookSchemasUp() throws Exception {
        int id = client.register(SUBJECT, V1);
        client.register("alpha-value", V1);

        assertThat(get("/subjects").body()).containsExactly(JSON.valueToTree("alpha-value"), JSON.valueToTree(SUBJECT));
        JsonNode v1 = get("/subjects/" + SUBJECT + "/versions/1").body();
        assertThat(v1.get("subject").asText()).isEqualTo(SUBJECT);
        assertThat(v1.get("version").asInt()).isEqualTo(1);
        assertThat(v1.get("id").asInt()).isEqualTo(id);
        assertThat(new Schema.Parser().parse(v1.get("schema").asText())).isEqualTo(V1);
        assertThat(get("/subjects/" + SUBJECT + "/versions/latest").body()).isEqualTo(v1);
        assertThat(call("POST", "/subjects/" + SUBJECT, schemaBody(V1)).body()).isEqualTo(v1);
        assertThat(client.lookup(SUBJECT, V1).version()).isEqualTo(1);

        assertError(call("POST", "/subjects/" + SUBJECT, schemaBody(record(""))), 404, 40403);
        assertError(get("/subjects/nobody-value/versions"), 404, 40401);
        assertError(get("/subjects/" + SUBJECT + "/versions/7"), 404, 40402);
        assertError(get("/subjects/" + SUBJECT + "/versions/0"), 422, 42202);
        assertError(get("/schemas/ids/999"), 404, 40403);
        assertError(call("POST", "/subjects/" + SUBJECT + "/versions", "{\"schema\":\"{\\\"type\\\":\\\"recrod\\\"}\"}"), 422, 42201);
        assertError(call("DELETE", "/subjects", null), 405, 405);
        assertError(get("/nowhere"), 404, 404);
    }

    private static DevSchemaRegistry startRegistry(String topic) {
        return DevSchemaRegistry.start(DevSchemaRegistry.Settings.forBroker(broker.bootstrapServers()).withTopic(topic));
    }

    private record Reply(int status, String contentType, JsonNode body) {}

    private Reply get(String path) throws IOException, InterruptedException {
        return call("GET", path, null);
    }

    private Reply call(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, registry.url());
    }

    private static Reply call(String method, String path, String body, URI base) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                JSON.readTree(response.body()));
    }

    private static void assertError(Reply reply, int status, int errorCode) {
        assertThat(reply.status()).as("HTTP status of %s", reply.body()).isEqualTo(status);
        assertThat(reply.body().get("error_code").asInt()).isEqualTo(errorCode);
        assertThat(reply.body().get("message").asText()).isNotBlank();
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static Schema record(String fields) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"io.inferpulse.test\",\"fields\":[" + fields + "]}");
    }

    private static Map<String, Object> with(Map<String, Object> base, Map<String, Object> more) {
        Map<String, Object> all = new java.util.HashMap<>(base);
        all.putAll(more);
        return all;
    }

    private static PodMetrics podMetrics(String pod, double kvCache) {
        return PodMetrics.newBuilder()
                .setCluster("prod-eu").setNamespace("llm").setPool("vllm-llama3-8b").setPod(pod)
                .setAddress("10.0.3.17:8000").setEngine("vllm").setStatus(PodStatus.UP)
                .setSampleTime(Instant.parse("2025-06-01T12:00:00.123Z"))
                .setKvCacheUsageRatio(kvCache).setRequestsWaiting(2.0).setRequestsRunning(9.0)
                .setLabels(Map.of("app", "vllm-llama3-8b"))
                .build();
    }
}
