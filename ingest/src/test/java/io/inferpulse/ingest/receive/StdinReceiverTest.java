package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class StdinReceiverTest {
    private final InMemorySchemaRegistryClient registry = InMemorySchemaRegistryClient.forScope("stdin-test-" + System.nanoTime());

    @Test
    void shouldPublishEveryLineInBatchesUntilTheEndOfTheStream() throws Exception {
        // given five lines (one bad, one blank) and no newline after the last, read in batches of two
        MockProducer<String, Object> producer = producer(true);
        String input = TestLines.good("p", "1") + "\n" + TestLines.good("p", "2") + "\n\n" + "not json\n"
                + TestLines.good("p", "3");

        // when
        StdinReceiver.Summary summary = new StdinReceiver(pipeline(producer), new StdinReceiver.Settings(2, Duration.ofSeconds(5)))
                .run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));

        // then every line is published in order, the bad one as a dead letter naming its line number
        assertThat(summary).isEqualTo(new StdinReceiver.Summary(4, 3, 1));
        List<ProducerRecord<String, Object>> sent = producer.history();
        assertThat(sent).extracting(r -> r.value() instanceof AccessLog a ? a.getRequestId() : ((DeadLetter) r.value()).getReason())
                .containsExactly("1", "2", "malformed JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", "3");
        assertThat(((DeadLetter) sent.get(2).value()).getAttributes()).containsEntry("line", "4");
        assertThat(sent.get(2).key()).isEqualTo("stdin");
    }

    @Test
    void shouldReturnOnlyOnceTheLastLinesAreAcknowledged() throws Exception {
        // given a producer that acknowledges when the test says
        MockProducer<String, Object> producer = producer(false);
        StdinReceiver receiver = new StdinReceiver(pipeline(producer), StdinReceiver.Settings.defaults());
        InputStream stream = new ByteArrayInputStream((TestLines.good("p", "1") + "\n").getBytes(StandardCharsets.UTF_8));

        // when the stream ends
        CompletableFuture<StdinReceiver.Summary> run = CompletableFuture.supplyAsync(() -> {
            try {
                return receiver.run(stream);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

        // then it waits for the acknowledgement
        assertThat(run).isNotDone();
        producer.completeNext();
        assertThat(run.get()).isEqualTo(new StdinReceiver.Summary(1, 1, 0));
    }

    @Test
    void shouldHandOverLinesWithoutWaitingForAFullBatchWhenThePipeIsQuiet() throws Exception {
        // given a pipe that delivers one line and then stalls
        MockProducer<String, Object> producer = producer(true);
        Pipe pipe = new Pipe();
        StdinReceiver receiver = new StdinReceiver(pipeline(producer), StdinReceiver.Settings.defaults());
        CompletableFuture<StdinReceiver.Summary> run = CompletableFuture.supplyAsync(() -> {
            try {
                return receiver.run(pipe);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        // when one line arrives
        pipe.write(TestLines.good("p", "1") + "\n");

        // then it is published at once, and the run ends with the stream
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
        pipe.write(TestLines.good("p", "2") + "\n");
        pipe.close();
        assertThat(run.get()).isEqualTo(new StdinReceiver.Summary(2, 2, 0));
    }

    /** A stream the test writes to, like a pipe: read blocks until there is data or the end. */
    private static final class Pipe extends InputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private boolean closed;

        synchronized void write(String text) {
            pending.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            notifyAll();
        }

        @Override
        public synchronized void close() {
            closed = true;
            notifyAll();
        }

        @Override
        public synchronized int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            while (pending.size() == 0 && !closed) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (pending.size() == 0) {
                return -1;
            }
            byte[] bytes = pending.toByteArray();
            int n = Math.min(len, bytes.length);
            System.arraycopy(bytes, 0, b, off, n);
            pending.reset();
            pending.write(bytes, n, bytes.length - n);
            return n;
        }

        @Override
        public synchronized int available() {
            return pending.size();
        }
    }

    private MockProducer<String, Object> producer(boolean autoComplete) {
        Topics topics = new Topics(new AvroSerdes(registry));
        return new MockProducer<>(autoComplete, null, new StringSerializer(), new TopicRoutingSerializer(Map.of(
                Topics.ACCESS_LOGS, topics.accessLogs().valueSerde().serializer(),
                Topics.DEAD_LETTER, topics.deadLetter().valueSerde().serializer())));
    }

    private AccessLogPipeline pipeline(MockProducer<String, Object> producer) {
        return new AccessLogPipeline("stdin", new TestLines.Parser(), AccessLogPipeline.Settings.defaults(), registry,
                () -> producer, new IngestMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
    }
}
