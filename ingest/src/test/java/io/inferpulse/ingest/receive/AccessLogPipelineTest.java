package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.logs.AccessLogEntry;
import io.inferpulse.ingest.logs.AccessLogParser;
import io.inferpulse.ingest.receive.LineOutcome.Parsed;
import io.inferpulse.ingest.receive.LineOutcome.Rejected;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class AccessLogPipelineTest {
    private static final Instant NOW = TestLines.TIME.plusSeconds(30);
    private static final AtomicLong SCOPES = new AtomicLong();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(meters);
    private final InMemorySchemaRegistryClient registry = InMemorySchemaRegistryClient.forScope("pipeline-test-" + SCOPES.incrementAndGet());

    @Test
    void shouldConvertAParsedEntryToTheAvroRecordKeyedByPoolAtItsRequestTime() {
        // given a parser that returns an entry with every field
        AccessLogEntry entry = new AccessLogEntry(Instant.parse("2025-06-01T12:00:00.123456Z"), "c1", "ns", "pool-a",
                "llama", "llama-lora", 503, 1.5, OptionalLong.of(10), OptionalLong.of(20), OptionalLong.of(300),
                OptionalLong.of(19), Optional.of("10.0.0.1:8000"), Optional.of("error=\"destination_unavailable\""),
                Optional.of("failed_to_pick_backend"), Optional.of("UF"), Optional.of("req-1"), "gcp-lb");
        AccessLogPipeline pipeline = pipeline(fixed(entry), new MockProducer<>());

        // when
        LineOutcome outcome = pipeline.process(line("anything"));

        // then
        Parsed parsed = (Parsed) outcome;
        assertThat(parsed.key()).isEqualTo("c1/ns/pool-a");
        assertThat(parsed.timestamp()).isEqualTo(Instant.parse("2025-06-01T12:00:00.123Z").toEpochMilli());
        AccessLog value = parsed.value();
        assertThat(value.getModelName()).isEqualTo("llama");
        assertThat(value.getTargetModelName()).isEqualTo("llama-lora");
        assertThat(value.getStatus()).isEqualTo(503);
        assertThat(value.getLatencySeconds()).isEqualTo(1.5);
        assertThat(value.getInputTokens()).isEqualTo(10L);
        assertThat(value.getOutputTokens()).isEqualTo(20L);
        assertThat(value.getRequestBytes()).isEqualTo(300L);
        assertThat(value.getResponseBytes()).isEqualTo(19L);
        assertThat(value.getEndpoint()).isEqualTo("10.0.0.1:8000");
        assertThat(value.getProxyStatus()).isEqualTo("error=\"destination_unavailable\"");
        assertThat(value.getStatusDetails()).isEqualTo("failed_to_pick_backend");
        assertThat(value.getResponseFlags()).isEqualTo("UF");
        assertThat(value.getRequestId()).isEqualTo("req-1");
        assertThat(value.getSourceFormat()).isEqualTo("gcp-lb");
        assertThat(counter("inferpulse_accesslog_lines_parsed")).isEqualTo(1);
    }

    @Test
    void shouldRejectInvalidUtf8WithTheOffsetOfTheFirstBadByte() {
        // given "abc" then an invalid two-byte sequence at byte 3
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), new MockProducer<>());
        byte[] bytes = {'a', 'b', 'c', (byte) 0xC3, (byte) 0x28, 'd'};

        // when
        Rejected rejected = (Rejected) pipeline.process(new RawLine(bytes, "test", Map.of()));

        // then
        assertThat(rejected.rejection()).isEqualTo(Rejection.INVALID_UTF8);
        assertThat(rejected.reason()).isEqualTo("invalid UTF-8 at byte 3");
        assertThat(rejectedCount("invalid_utf8")).isEqualTo(1);
    }

    @Test
    void shouldAcceptValidMultiByteUtf8() {
        // given a pool name with non-ASCII letters
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), new MockProducer<>());

        // then it decodes
        Parsed parsed = (Parsed) pipeline.process(line(TestLines.good("pööl-ß", "u-1")));
        assertThat(parsed.value().getPool()).isEqualTo("pööl-ß");
    }

    @Test
    void shouldRejectALineOverTheLimitWithItsSize() {
        // given a line of which a receiver kept only the start
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), new MockProducer<>());
        RawLine huge = new RawLine(new byte[4096], 10_000_000, "test", Map.of());

        // then
        Rejected rejected = (Rejected) pipeline.process(huge);
        assertThat(rejected.rejection()).isEqualTo(Rejection.TOO_LARGE);
        assertThat(rejected.reason()).isEqualTo("line of 10000000 bytes is over the limit of 4096 bytes");
    }

    @Test
    void shouldRejectWhatTheParserRejectsWithItsReason() {
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), new MockProducer<>());
        String good = TestLines.good("p", "x");

        assertThat(reason(pipeline, good.substring(0, 40))).startsWith("malformed JSON");
        assertThat(reason(pipeline, good.replace("\"status\":200", "\"status\":\"200\""))).isEqualTo("field 'status' must be an integer, got STRING");
        assertThat(reason(pipeline, good.replace("}", ",\"extra\":1}"))).isEqualTo("unknown field 'extra'");
        assertThat(reason(pipeline, "")).isEqualTo("not a JSON object");
        assertThat(rejectedCount("parse")).isEqualTo(4);
    }

    @Test
    void shouldRejectALineWhoseParserFailsAgainstItsContract() {
        // given a parser that lets an IllegalArgumentException out (the entry refuses a negative latency)
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), new MockProducer<>());

        // then the line is dead-lettered, not the receiver stopped
        Rejected rejected = (Rejected) pipeline.process(line(TestLines.good("p", "x").replace("0.25", "-1")));
        assertThat(rejected.rejection()).isEqualTo(Rejection.PARSER_ERROR);
        assertThat(rejected.reason()).contains("the test parser failed", "latencySeconds");
    }

    @Test
    void shouldRejectRequestTimesKafkaWouldRefuse() {
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), new MockProducer<>());
        String good = TestLines.good("p", "x");

        assertThat(reason(pipeline, good.replace(TestLines.TIME.toString(), "1969-12-31T23:59:59Z")))
                .contains("before 1970");
        assertThat(reason(pipeline, good.replace(TestLines.TIME.toString(), TestLines.TIME.plus(Duration.ofHours(2)).toString())))
                .contains("more than PT1H ahead");
        assertThat(pipeline.process(line(good.replace(TestLines.TIME.toString(), TestLines.TIME.plus(Duration.ofMinutes(30)).toString()))))
                .isInstanceOf(Parsed.class);
        assertThat(rejectedCount("time_out_of_range")).isEqualTo(2);
    }

    @Test
    void shouldReturnOnceEveryRecordAndDeadLetterIsAcknowledged() throws Exception {
        // given a producer that acknowledges each send at once
        MockProducer<String, Object> producer = producer(true);
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), producer);

        // when two good lines and a bad one are published
        AccessLogPipeline.BatchResult result = pipeline.publish(List.of(line(TestLines.good("p", "1")), line("{"),
                line(TestLines.good("p", "2"))), Duration.ofSeconds(5));

        // then, in order, the records and the dead letter with its reason and context
        assertThat(result).isEqualTo(new AccessLogPipeline.BatchResult(2, 1));
        List<ProducerRecord<String, Object>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsExactly(Topics.ACCESS_LOGS, Topics.DEAD_LETTER, Topics.ACCESS_LOGS);
        assertThat(sent.get(0).key()).isEqualTo("it/default/p");
        assertThat(sent.get(0).timestamp()).isEqualTo(TestLines.TIME.toEpochMilli());
        DeadLetter letter = (DeadLetter) sent.get(1).value();
        assertThat(sent.get(1).key()).isEqualTo("test");
        assertThat(letter.getStage()).isEqualTo("accesslog.parse");
        assertThat(letter.getReason()).startsWith("malformed JSON");
        assertThat(StandardCharsets.UTF_8.decode(letter.getRaw()).toString()).isEqualTo("{");
        assertThat(letter.getAttributes()).containsEntry("receiver", "unit").containsEntry("format", "test").containsEntry("line", "7");
        assertThat(counter("inferpulse_accesslog_lines_published")).isEqualTo(2);
        assertThat(counter("inferpulse_accesslog_lines_received")).isEqualTo(3);
    }

    @Test
    void shouldSendAgainOnlyTheRecordsKafkaFailedTemporarily() throws Exception {
        // given a producer whose acknowledgements the test gives
        MockProducer<String, Object> producer = producer(false);
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), producer);
        CompletableFuture<AccessLogPipeline.BatchResult> result = publishAsync(pipeline,
                List.of(line(TestLines.good("p", "1")), line(TestLines.good("p", "2"))));

        // when the first send is acknowledged and the second fails with a retriable error
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
        producer.completeNext();
        producer.errorNext(new NetworkException("connection lost"));

        // then only the second is sent again, and the batch completes once it is acknowledged
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
        assertThat(((AccessLog) producer.history().get(2).value()).getRequestId()).isEqualTo("2");
        assertThat(result).isNotDone();
        producer.completeNext();
        assertThat(result.get()).isEqualTo(new AccessLogPipeline.BatchResult(2, 0));
    }

    @Test
    void shouldDeadLetterARecordKafkaRefusesForGood() throws Exception {
        // given a broker that refuses the record's timestamp
        MockProducer<String, Object> producer = producer(false);
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), producer);
        CompletableFuture<AccessLogPipeline.BatchResult> result = publishAsync(pipeline, List.of(line(TestLines.good("p", "1"))));

        // when
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
        producer.errorNext(new InvalidTimestampException("timestamp out of range"));

        // then the line goes to the dead-letter topic instead of failing the batch for ever
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
        DeadLetter letter = (DeadLetter) producer.history().get(1).value();
        assertThat(letter.getStage()).isEqualTo("accesslog.publish");
        assertThat(letter.getReason()).isEqualTo("Kafka refused the record: timestamp out of range");
        producer.completeNext();
        assertThat(result.get()).isEqualTo(new AccessLogPipeline.BatchResult(0, 1));
        assertThat(rejectedCount("kafka_refused")).isEqualTo(1);
    }

    @Test
    void shouldGiveUpAtTheTimeoutAndResumeWithoutResendingWhatWasAcknowledged() throws Exception {
        // given a batch whose first record is acknowledged and second is not
        MockProducer<String, Object> producer = producer(false);
        AccessLogPipeline pipeline = pipeline(new TestLines.Parser(), producer);
        AccessLogPipeline.Batch batch = pipeline.prepare(List.of(line(TestLines.good("p", "1")), line(TestLines.good("p", "2"))));
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
            producer.completeNext();
        });

        // when the timeout passes
        assertThatThrownBy(() -> pipeline.publish(batch, Duration.ofMillis(500)))
                .isInstanceOf(NotAcknowledgedException.class).hasMessageContaining("1 of 2");
        first.get();

        // then publishing the batch again waits for the record still in flight and sends nothing twice
        CompletableFuture<AccessLogPipeline.BatchResult> again = CompletableFuture.supplyAsync(() -> {
            try {
                return pipeline.publish(batch, Duration.ofSeconds(5));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        producer.completeNext();
        assertThat(again.get()).isEqualTo(new AccessLogPipeline.BatchResult(2, 0));
        assertThat(producer.history()).hasSize(2);
    }

    private static CompletableFuture<AccessLogPipeline.BatchResult> publishAsync(AccessLogPipeline pipeline, List<RawLine> lines) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pipeline.publish(lines, Duration.ofSeconds(10));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String reason(AccessLogPipeline pipeline, String text) {
        return ((Rejected) pipeline.process(line(text))).reason();
    }

    private static RawLine line(String text) {
        return new RawLine(text.getBytes(StandardCharsets.UTF_8), "test", Map.of("line", "7"));
    }

    private static AccessLogParser fixed(AccessLogEntry entry) {
        return new AccessLogParser() {
            @Override
            public String format() {
                return "fixed";
            }

            @Override
            public AccessLogEntry parse(String line) {
                return entry;
            }
        };
    }

    private MockProducer<String, Object> producer(boolean autoComplete) {
        Topics topics = new Topics(new AvroSerdes(registry));
        return new MockProducer<>(autoComplete, null, new StringSerializer(), new TopicRoutingSerializer(Map.of(
                Topics.ACCESS_LOGS, topics.accessLogs().valueSerde().serializer(),
                Topics.DEAD_LETTER, topics.deadLetter().valueSerde().serializer())));
    }

    private AccessLogPipeline pipeline(AccessLogParser parser, MockProducer<String, Object> producer) {
        return new AccessLogPipeline("unit", parser, new AccessLogPipeline.Settings(4096, 1024, Duration.ofHours(1), Duration.ofMillis(200)),
                registry, () -> producer, metrics, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private double counter(String name) {
        return meters.get(name).tag("receiver", "unit").counter().count();
    }

    private double rejectedCount(String reason) {
        return meters.get("inferpulse_accesslog_rejected").tag("receiver", "unit").tag("reason", reason).counter().count();
    }
}
