package io.inferpulse.runtime.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    private final Topic<String, DeadLetter> topic =
            new Topics(new AvroSerdes(InMemorySchemaRegistryClient.forScope("dead-letters-test"))).deadLetter();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private MockProducer<String, DeadLetter> producer(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new StringSerializer(), topic.valueSerde().serializer());
    }

    @Test
    void shouldCutARawInputTooLargeForTheBrokerAndSayHowLargeItWas() {
        MockProducer<String, DeadLetter> producer = producer(true);
        DeadLetters letters = new DeadLetters(producer, topic, meters, Clock.systemUTC(), 8 * 1024 * 1024);
        byte[] raw = new byte[5 * 1024 * 1024];
        Arrays.fill(raw, (byte) 'x');

        letters.send("file:/var/log/envoy.log", "accesslog.parse", "line too long: ".repeat(2000), raw, Map.of("line", "12"));

        DeadLetter letter = producer.history().getFirst().value();
        byte[] written = topic.valueSerde().serializer().serialize(topic.name(), letter);
        assertThat(written.length).isLessThanOrEqualTo(DeadLetters.MAX_RECORD_BYTES);
        assertThat(letter.getRawTruncated()).isTrue();
        assertThat(letter.getRaw().remaining()).isGreaterThan(900_000);
        assertThat(letter.getAttributes()).containsEntry(DeadLetters.RAW_BYTES_ATTRIBUTE, String.valueOf(raw.length))
                .containsEntry("line", "12");
        assertThat(letter.getReason()).hasSizeLessThan(9 * 1024).endsWith("(30000 chars)");
    }

    @Test
    void shouldKeepAnInputThatFitsWhole() {
        MockProducer<String, DeadLetter> producer = producer(true);
        new DeadLetters(producer, topic, meters, Clock.systemUTC(), 1024).send("t", "s", "bad", "abc".getBytes(), Map.of());

        DeadLetter letter = producer.history().getFirst().value();
        assertThat(letter.getRawTruncated()).isFalse();
        assertThat(letter.getAttributes()).doesNotContainKey(DeadLetters.RAW_BYTES_ATTRIBUTE);
    }

    @Test
    void shouldCountADeadLetterOnlyOnceTheBrokerHasIt() {
        MockProducer<String, DeadLetter> producer = producer(false);
        DeadLetters letters = new DeadLetters(producer, topic, meters, Clock.systemUTC(), 1024);

        CompletableFuture<RecordMetadata> first = letters.send("t", "stage-a", "bad", new byte[1], Map.of());
        CompletableFuture<RecordMetadata> second = letters.send("t", "stage-a", "bad", new byte[1], Map.of());
        assertThat(meters.find("inferpulse_dead_letters").counter()).isNull();

        producer.completeNext();
        producer.errorNext(new RecordTooLargeException("too large"));

        assertThat(first).isCompleted();
        assertThat(second).isCompletedExceptionally();
        assertThat(meters.get("inferpulse_dead_letters").tag("stage", "stage-a").counter().count()).isEqualTo(1);
        assertThat(meters.get("inferpulse_dead_letter_failures").tag("stage", "stage-a").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldDeliverThroughATransientFailure() throws Exception {
        MockProducer<String, DeadLetter> producer = producer(false);
        DeadLetters letters = new DeadLetters(producer, topic, meters, Clock.systemUTC(), 1024);
        Thread broker = Thread.ofPlatform().start(() -> {
            while (!producer.errorNext(new NetworkException("broker gone"))) {
                Thread.onSpinWait();
            }
            while (!producer.completeNext()) {
                Thread.onSpinWait();
            }
        });

        RecordMetadata kept = letters.deliver("t", "stage-b", "bad", new byte[1], Map.of(), Duration.ofSeconds(30));

        broker.join(10_000);
        assertThat(kept.topic()).isEqualTo(topic.name());
        assertThat(producer.history()).hasSize(2);
        assertThat(meters.get("inferpulse_dead_letters").tag("stage", "stage-b").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldNotRetryADeadLetterTheBrokerRefusesForGood() {
        MockProducer<String, DeadLetter> producer = producer(false);
        DeadLetters letters = new DeadLetters(producer, topic, meters, Clock.systemUTC(), 1024);
        Thread.ofPlatform().start(() -> {
            while (!producer.errorNext(new RecordTooLargeException("too large"))) {
                Thread.onSpinWait();
            }
        });

        assertThatThrownBy(() -> letters.deliver("t", "stage-c", "bad", new byte[1], Map.of(), Duration.ofSeconds(30)))
                .isInstanceOf(DeadLetterException.class).hasMessageContaining("too large");
        assertThat(producer.history()).hasSize(1);
    }
}
