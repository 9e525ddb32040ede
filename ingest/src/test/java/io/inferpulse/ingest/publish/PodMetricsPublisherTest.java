package io.inferpulse.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.InMemorySchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryException;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class PodMetricsPublisherTest {
    private final Topics topics = new Topics(new AvroSerdes(InMemorySchemaRegistryClient.forScope("publisher-test")));
    private final Topic<String, PodMetrics> podMetrics = topics.podMetrics();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final IngestMetrics metrics = new IngestMetrics(meters);
    private final MockProducer<String, PodMetrics> producer =
            new MockProducer<>(false, null, new StringSerializer(), podMetrics.valueSerde().serializer());
    private final MockProducer<String, DeadLetter> deadLetterProducer =
            new MockProducer<>(true, null, new StringSerializer(), topics.deadLetter().valueSerde().serializer());
    private final DeadLetters deadLetters = new DeadLetters(deadLetterProducer, topics.deadLetter(), meters, Clock.systemUTC(), 4096);

    private static PodSample sample(int i) {
        return PodSample.gone(new PodIdentity("c", "ns", "pool", "pod-" + i, "10.0.0." + i + ":8000", Map.of()), "vllm",
                Instant.parse("2026-12-07T20:00:00Z").plusSeconds(i));
    }

    @Test
    void shouldDeadLetterASampleKafkaRefusesForGoodAndRetryOneItCouldNotTakeYet() {
        PodMetricsPublisher publisher = new PodMetricsPublisher(producer, podMetrics, deadLetters, 10, Duration.ofMillis(50), metrics);
        publisher.accept(sample(1));
        publisher.accept(sample(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);

        producer.errorNext(new RecordTooLargeException("larger than max.request.size"));
        producer.errorNext(new NetworkException("broker gone"));

        // the refused one is set aside with the reason; the other is sent again and then acknowledged
        assertThat(deadLetterProducer.history()).singleElement().satisfies(r -> {
            assertThat(r.value().getStage()).isEqualTo("publish.send");
            assertThat(r.value().getReason()).contains("RecordTooLargeException");
            assertThat(r.value().getAttributes()).containsEntry("key", "c/ns/pool");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
        assertThat(producer.history().get(2).value().getPod()).isEqualTo("pod-2");
        producer.completeNext();
        assertThat(publisher.pending()).isZero();
        publisher.close(Duration.ofSeconds(1));
        assertThat(meters.get("inferpulse_ingest_samples_undelivered").counter().count()).isZero();
    }

    @Test
    void shouldHoldASampleThroughARegistryOutageAndCountItDeliveredOnce() {
        AtomicInteger refusals = new AtomicInteger(3);
        Serializer<PodMetrics> avro = podMetrics.valueSerde().serializer();
        Serializer<PodMetrics> registryAway = (topic, value) -> {
            if (refusals.getAndDecrement() > 0) {
                throw new SerializationException("no schema id", new SchemaRegistryException("Could not reach the schema registry", null));
            }
            return avro.serialize(topic, value);
        };
        MockProducer<String, PodMetrics> serializing = new MockProducer<>(true, null, new StringSerializer(), registryAway);
        PodMetricsPublisher publisher = new PodMetricsPublisher(serializing, podMetrics, deadLetters, 10, Duration.ofMillis(20), metrics);

        publisher.accept(sample(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> serializing.history().size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.pending() == 0);
        assertThat(meters.get("inferpulse_ingest_publish_retries").counter().count()).isEqualTo(3);
        assertThat(deadLetterProducer.history()).isEmpty();
        publisher.close(Duration.ofSeconds(1));
        assertThat(meters.get("inferpulse_ingest_samples_undelivered").counter().count()).isZero();
    }

    @Test
    void shouldSayHowManySamplesItCouldNotDeliverWithinTheShutdownTimeout() {
        PodMetricsPublisher publisher = new PodMetricsPublisher(producer, podMetrics, deadLetters, 10, Duration.ofMillis(50), metrics);
        for (int i = 0; i < 3; i++) {
            publisher.accept(sample(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
        producer.completeNext();

        long started = System.nanoTime();
        publisher.close(Duration.ofMillis(500));

        // two were sent and never acknowledged (the broker is silent): counted, and the close kept to its bound
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(meters.get("inferpulse_ingest_samples_undelivered").counter().count()).isEqualTo(2);
        assertThat(meters.get("inferpulse_ingest_samples_published").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldDeliverWhatItHoldsBeforeClosing() throws InterruptedException {
        PodMetricsPublisher publisher = new PodMetricsPublisher(producer, podMetrics, deadLetters, 10, Duration.ofMillis(50), metrics);
        for (int i = 0; i < 3; i++) {
            publisher.accept(sample(i));
        }
        Thread broker = Thread.ofPlatform().start(() -> {
            for (int answered = 0; answered < 3; ) {
                if (producer.completeNext()) {
                    answered++;
                } else {
                    Thread.onSpinWait();
                }
            }
        });

        publisher.close(Duration.ofSeconds(10));

        broker.join(5000);
        assertThat(meters.get("inferpulse_ingest_samples_published").counter().count()).isEqualTo(3);
        assertThat(meters.get("inferpulse_ingest_samples_undelivered").counter().count()).isZero();
    }
}
