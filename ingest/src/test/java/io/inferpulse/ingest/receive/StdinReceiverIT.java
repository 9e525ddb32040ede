package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.ingest.IngestMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading stdin on a real broker: when the run returns, every line is on its topic. */
class StdinReceiverIT {
    private static KafkaStack stack;

    @BeforeAll
    static void startKafka() {
        stack = KafkaStack.start();
    }

    @AfterAll
    static void stopKafka() {
        stack.close();
    }

    @Test
    void shouldHaveEveryLineOnItsTopicWhenTheRunReturns() throws Exception {
        // given 5,000 lines with a bad one in the middle, piped in
        String pool = "stdin";
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        IntStream.rangeClosed(1, 5000).forEach(i -> input.writeBytes(((i == 2500 ? "{\"time\":" : TestLines.good(pool, String.valueOf(i)))
                + "\n").getBytes(StandardCharsets.UTF_8)));

        // when the stream is read to its end
        StdinReceiver.Summary summary;
        try (AccessLogPipeline pipeline = stack.pipeline("stdin", stack.client, new IngestMetrics(new SimpleMeterRegistry()))) {
            summary = new StdinReceiver(pipeline, StdinReceiver.Settings.defaults()).run(new ByteArrayInputStream(input.toByteArray()));
        }

        // then it has published all of them, in order, and dead-lettered the bad one with its line number
        assertThat(summary).isEqualTo(new StdinReceiver.Summary(5000, 4999, 1));
        List<String> ids = stack.readAll(stack.topics().accessLogs(), IsolationLevel.READ_COMMITTED).stream()
                .map(ConsumerRecord::value).filter(v -> v.getPool().equals(pool)).map(AccessLog::getRequestId).toList();
        assertThat(ids).containsExactlyElementsOf(IntStream.rangeClosed(1, 5000).filter(i -> i != 2500).mapToObj(String::valueOf).toList());
        List<DeadLetter> letters = stack.readAll(stack.topics().deadLetter(), IsolationLevel.READ_COMMITTED).stream()
                .filter(r -> r.key().equals("stdin")).map(ConsumerRecord::value).toList();
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.getAttributes()).containsEntry("line", "2500");
            assertThat(letter.getReason()).startsWith("malformed JSON");
        });
    }
}
