package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.logs.AccessLogFormats;
import io.inferpulse.ingest.logs.AccessLogMapping;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP receiver on a real broker and registry, fed what log shippers send, good and bad. */
class HttpLogReceiverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaStack stack;

    private final HttpClient http = HttpClient.newHttpClient();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(meters);
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startKafka() {
        stack = KafkaStack.start();
    }

    @AfterAll
    static void stopKafka() {
        stack.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
        http.close();
    }

    @Test
    void shouldAnswerOkOnlyOnceGoodLinesArePublishedAndBadLinesDeadLettered() throws Exception {
        // given a batch of three good lines and one of each kind of bad line
        HttpLogReceiver receiver = start("batch", stack.client, settings());
        String pool = "http-batch";
        String good = TestLines.good(pool, "x");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(lines(TestLines.good(pool, "1"), good.substring(0, 30), TestLines.good(pool, "2"),
                good.replace("\"status\":200", "\"status\":\"200\""), good.replace("}", ",\"extra\":1}"),
                "{\"pad\":\"" + "x".repeat(5000) + "\"}"));
        body.writeBytes(new byte[] {'{', '"', (byte) 0xFF, '"', '}', '\n'});
        body.writeBytes(lines(TestLines.good(pool, "3")));

        // when a shipper posts it
        HttpResponse<String> response = post(receiver.uri(), body.toByteArray(), null);

        // then the answer comes after Kafka has every line: the records are readable the moment it arrives
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"published\":3,\"rejected\":5}"));
        assertThat(ids(pool)).containsExactly("1", "2", "3");
        // and each bad line is a dead letter with its reason, and counted by reason
        assertThat(deadLetters("batch")).extracting(DeadLetter::getReason).satisfiesExactly(
                reason -> assertThat(reason).startsWith("malformed JSON: Unexpected end-of-input"),
                reason -> assertThat(reason).isEqualTo("field 'status' must be an integer, got STRING"),
                reason -> assertThat(reason).isEqualTo("unknown field 'extra'"),
                reason -> assertThat(reason).isEqualTo("line of 5010 bytes is over the limit of 4096 bytes"),
                reason -> assertThat(reason).isEqualTo("invalid UTF-8 at byte 2"));
        assertThat(deadLetters("batch")).allSatisfy(letter -> {
            assertThat(letter.getSource()).isEqualTo("http:127.0.0.1");
            assertThat(letter.getAttributes()).containsKeys("record", "remote").containsEntry("path", "/v1/logs");
        });
        assertThat(rejected("batch", "parse")).isEqualTo(3);
        assertThat(rejected("batch", "too_large")).isEqualTo(1);
        assertThat(rejected("batch", "invalid_utf8")).isEqualTo(1);
    }

    @Test
    void shouldTakeWhatFluentBitAndVectorSend() throws Exception {
        // given the three body shapes of the two shippers
        HttpLogReceiver receiver = start("shippers", stack.client, settings());
        String pool = "http-shippers";
        // Vector: codec json, framing newline_delimited, compression gzip
        byte[] vector = gzip(lines(TestLines.good(pool, "v1"), TestLines.good(pool, "v2")));
        // Fluent Bit: format json (an array of records), to the root path
        byte[] fluentBitArray = ("[" + TestLines.good(pool, "f1") + "," + TestLines.good(pool, "f2") + "]").getBytes(StandardCharsets.UTF_8);
        // Fluent Bit: format json_lines of tail records, the line under "log" and the time under "date"
        byte[] fluentBitLines = lines("{\"date\":1717243200.123,\"log\":" + JSON.writeValueAsString(TestLines.good(pool, "t1")) + "}");

        // when each is posted
        assertThat(post(receiver.uri(), vector, "gzip").statusCode()).isEqualTo(200);
        assertThat(post(URI.create(receiver.uri().resolve("/").toString()), fluentBitArray, null).statusCode()).isEqualTo(200);
        assertThat(post(receiver.uri(), fluentBitLines, null).statusCode()).isEqualTo(200);

        // then every record is published, in order
        assertThat(ids(pool)).containsExactly("v1", "v2", "f1", "f2", "t1");
        assertThat(deadLetters("shippers")).isEmpty();
    }

    @Test
    void shouldRefuseOversizedBodiesUnknownEncodingsPathsAndMethods() throws Exception {
        HttpLogReceiver receiver = start("refuse", stack.client, settings());
        byte[] big = lines("x".repeat(70 * 1024));

        assertThat(post(receiver.uri(), big, null).statusCode()).isEqualTo(413);
        // a small gzip body that inflates beyond the limit
        assertThat(post(receiver.uri(), gzip(big), "gzip").statusCode()).isEqualTo(413);
        assertThat(post(receiver.uri(), big, "br").statusCode()).isEqualTo(415);
        assertThat(post(receiver.uri().resolve("/v2/other"), lines("{}"), null).statusCode()).isEqualTo(404);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(receiver.uri()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(meters.get("inferpulse_accesslog_http_requests").tag("code", "413").counter().count()).isEqualTo(2);
    }

    @Test
    void shouldDeadLetterAnUndecodableGzipBodyWholeAndAnswer400() throws Exception {
        // given a gzip body cut in the middle
        HttpLogReceiver receiver = start("gzip", stack.client, settings());
        byte[] compressed = gzip(lines(TestLines.good("http-gzip", "1"), TestLines.good("http-gzip", "2")));
        byte[] cut = java.util.Arrays.copyOf(compressed, compressed.length / 2);

        // when
        HttpResponse<String> response = post(receiver.uri(), cut, "gzip");

        // then the body as received is one dead letter, and the shipper is told not to send it again
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(deadLetters("gzip")).singleElement().satisfies(letter -> {
            assertThat(letter.getStage()).isEqualTo("accesslog.decode");
            assertThat(letter.getReason()).startsWith("invalid gzip body: ");
            assertThat(letter.getRaw().remaining()).isEqualTo(cut.length);
        });
        assertThat(rejected("gzip", "invalid_body")).isEqualTo(1);
    }

    @Test
    void shouldAnswer503WhileTheRegistryIsDownAndPublishTheRetriedBatchOnce() throws Exception {
        // given a receiver that has never reached the registry (an empty schema cache), and the registry down
        SchemaRegistryClient fresh = stack.newClient();
        closeAfter.add(fresh);
        HttpLogReceiver receiver = start("outage", fresh, new HttpLogReceiver.Settings("127.0.0.1", 0, 64 * 1024, 4,
                Duration.ofSeconds(1), List.of("log", "message")));
        String pool = "http-outage";
        byte[] body = lines(TestLines.good(pool, "1"), TestLines.good(pool, "2"), TestLines.good(pool, "3"));
        stack.stopRegistry();
        try {
            // when a shipper posts a batch
            HttpResponse<String> during = post(receiver.uri(), body, null);

            // then it is told to retry later, and nothing is published
            assertThat(during.statusCode()).isEqualTo(503);
            assertThat(during.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(ids(pool)).isEmpty();
        } finally {
            stack.restartRegistry();
        }

        // when the registry is back and the shipper sends the batch again
        HttpResponse<String> retried = post(receiver.uri(), body, null);

        // then the batch is published, each line once: nothing of it was handed to Kafka while the schema was unknown
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(ids(pool)).containsExactly("1", "2", "3");
    }

    @Test
    void shouldParseGoogleCloudLoadBalancerLogsOfTheSimulatedFleet() throws Exception {
        // given a minute of a simulated fleet's load-balancer logs, and a receiver with the real gcp-lb parser
        List<String> logLines = new CopyOnWriteArrayList<>();
        try (FleetSimulator fleet = new FleetSimulator(FleetConfig.builder().cluster("sim").poolNames(List.of("gcp-pool"))
                .podsPerPool(2).manualTime().build(), logLines::add)) {
            fleet.start();
            fleet.advance(Duration.ofSeconds(60));
        }
        assertThat(logLines).hasSizeGreaterThan(10);
        AccessLogPipeline pipeline = AccessLogPipeline.create("gcp", AccessLogFormats.parser("gcp-lb", AccessLogMapping.defaults("sim")),
                AccessLogPipeline.Settings.defaults(), stack.kafka, stack.client, metrics, Clock.systemUTC());
        closeAfter.add(pipeline);
        HttpLogReceiver receiver = HttpLogReceiver.start(HttpLogReceiver.Settings.defaults().withPort(0), pipeline, metrics);
        closeAfter.add(receiver);

        // when they are posted gzipped, as Vector would
        HttpResponse<String> response = post(receiver.uri(), gzip(lines(logLines.toArray(String[]::new))), "gzip");

        // then each is a record of its pool with the request's fields
        assertThat(response.statusCode()).isEqualTo(200);
        List<AccessLog> records = stack.readAll(stack.topics().accessLogs(), IsolationLevel.READ_COMMITTED).stream()
                .map(ConsumerRecord::value).filter(v -> v.getCluster().equals("sim")).toList();
        assertThat(records).hasSize(logLines.size()).allSatisfy(r -> {
            assertThat(r.getPool()).isEqualTo("gcp-pool");
            assertThat(r.getSourceFormat()).isEqualTo("gcp-lb");
            assertThat(r.getModelName()).isNotEmpty();
        });
        JsonNode first = JSON.readTree(logLines.getFirst());
        assertThat(records.getFirst().getStatus()).isEqualTo(first.at("/httpRequest/status").asInt());
    }

    private HttpLogReceiver start(String name, SchemaRegistryClient registry, HttpLogReceiver.Settings settings) {
        AccessLogPipeline pipeline = stack.pipeline(name, registry, metrics);
        closeAfter.add(pipeline);
        HttpLogReceiver receiver = HttpLogReceiver.start(settings, pipeline, metrics);
        closeAfter.add(receiver);
        return receiver;
    }

    private static HttpLogReceiver.Settings settings() {
        return new HttpLogReceiver.Settings("127.0.0.1", 0, 64 * 1024, 4, Duration.ofSeconds(10), List.of("log", "message"));
    }

    private HttpResponse<String> post(URI uri, byte[] body, String encoding) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/x-ndjson");
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static List<String> ids(String pool) {
        return stack.readAll(stack.topics().accessLogs(), IsolationLevel.READ_COMMITTED).stream()
                .map(ConsumerRecord::value).filter(v -> v.getPool().equals(pool)).map(AccessLog::getRequestId).toList();
    }

    private static List<DeadLetter> deadLetters(String receiver) {
        return stack.readAll(stack.topics().deadLetter(), IsolationLevel.READ_COMMITTED).stream()
                .map(ConsumerRecord::value).filter(v -> receiver.equals(v.getAttributes().get("receiver"))).toList();
    }

    private double rejected(String receiver, String reason) {
        return meters.get("inferpulse_accesslog_rejected").tag("receiver", receiver).tag("reason", reason).counter().count();
    }
}
