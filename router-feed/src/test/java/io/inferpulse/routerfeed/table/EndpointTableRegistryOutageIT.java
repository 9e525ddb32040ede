package io.inferpulse.routerfeed.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.EndpointHealth;
import io.inferpulse.avro.EndpointScore;
import io.inferpulse.routerfeed.ScoresStack;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An endpoint table that meets a schema registry outage, on a real broker and the dev registry:
 * it waits on the first score it cannot decode instead of dead-lettering it, not ready and naming
 * the registry, and catches up once the registry is back. Only a record that is bad in itself
 * (one the registry answers for, and says does not exist) is dead-lettered.
 */
class EndpointTableRegistryOutageIT {
    private static final Instant SAMPLED = Instant.parse("2026-01-01T00:00:00Z");

    private ScoresStack stack;
    private KafkaProducer<String, EndpointScore> producer;
    private TopicTail<String, DeadLetter> deadLetterTail;
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startStack() {
        stack = ScoresStack.start();
        Topic<String, EndpointScore> scores = stack.topics().endpointScores();
        producer = new KafkaProducer<>(stack.kafka().clientConfig("it-scores"), scores.keySerde().serializer(),
                scores.valueSerde().serializer());
        deadLetterTail = TopicTail.start(stack.kafka().clientConfig("it-dead-letters"), stack.topics().deadLetter(),
                TopicTail.From.BEGINNING, r -> deadLetters.add(r.value()));
    }

    @AfterEach
    void stopStack() throws Exception {
        deadLetterTail.close();
        producer.close();
        stack.close();
    }

    @Test
    void shouldWaitOutARegistryOutageAndCatchUpWithNothingDeadLettered() throws Exception {
        // given scores on the topic, their schema registered, and then the registry gone
        send(score("pool-a", "pod-1", 0.1));
        send(score("pool-a", "pod-2", 0.2));
        send(score("pool-b", "pod-3", 0.3));
        stack.stopRegistry();

        // when a table that has never seen the schema starts
        HealthChecks health = new HealthChecks();
        try (EndpointTable table = EndpointTable.start(stack.kafka(), "it-outage", new SimpleMeterRegistry(), health)) {
            // then it is not ready, naming the registry, and holds nothing it could not decode
            await().atMost(Duration.ofSeconds(30)).until(() -> check(health, "schema-registry").isPresent());
            assertThat(check(health, "schema-registry").orElseThrow()).startsWith("schema registry unreachable since");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !table.ready()
                    && check(health, "endpoint-table").isPresent() && table.pools().isEmpty());
            assertThat(check(health, "endpoint-table")).contains("not yet caught up with " + Topics.ENDPOINT_SCORES);
            assertThat(health.ready()).filteredOn(o -> !o.ok()).extracting(HealthChecks.Outcome::name)
                    .containsExactlyInAnyOrder("schema-registry", "endpoint-table");
            assertThat(health.live()).allMatch(HealthChecks.Outcome::ok);

            // when the registry is back at the same address
            stack.startRegistry();

            // then the table catches up with every endpoint, every readiness check passes, and nothing was dead-lettered
            await().atMost(Duration.ofSeconds(30)).until(table::ready);
            assertThat(table.snapshot("outage/ns/pool-a").endpoints()).extracting(Endpoint::pod, Endpoint::score)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("pod-1", 0.1),
                            org.assertj.core.groups.Tuple.tuple("pod-2", 0.2));
            assertThat(table.snapshot("outage/ns/pool-b").endpoints()).extracting(Endpoint::pod).containsExactly("pod-3");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(health.ready()).allMatch(HealthChecks.Outcome::ok));
            assertThat(stack.written(Topics.DEAD_LETTER)).isZero();
        }
    }

    @Test
    void shouldDeadLetterOnceAScoreWhoseSchemaTheRegistrySaysDoesNotExist() throws Exception {
        // given a record in the wire format that names a schema id the registry never gave out, then a valid score
        byte[] unknownSchema = {0, 0, 0, 0x27, 0x0f, 2, 4, 6};
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(stack.kafka().clientConfig("it-raw"), new StringSerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.ENDPOINT_SCORES, 0, "outage/ns/pod-9:8000", unknownSchema)).get(10, TimeUnit.SECONDS);
        }
        producer.send(new ProducerRecord<>(Topics.ENDPOINT_SCORES, 0, "outage/ns/pod-1:8000", score("pool-a", "pod-1", 0.5)))
                .get(10, TimeUnit.SECONDS);

        HealthChecks health = new HealthChecks();
        try (EndpointTable table = EndpointTable.start(stack.kafka(), "it-unknown-schema", new SimpleMeterRegistry(), health)) {
            // then the table moves past it and holds the valid score
            await().atMost(Duration.ofSeconds(30)).until(table::ready);
            assertThat(table.snapshot("outage/ns/pool-a").endpoints()).extracting(Endpoint::pod).containsExactly("pod-1");
            assertThat(health.ready()).allMatch(HealthChecks.Outcome::ok);

            // and the record is dead-lettered exactly once, as it was
            assertThat(stack.written(Topics.DEAD_LETTER)).isOne();
            await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);
            DeadLetter letter = deadLetters.getFirst();
            assertThat(letter.getStage()).isEqualTo("router-feed.decode");
            assertThat(letter.getReason()).startsWith("not an EndpointScore: ").contains("schema id 9999");
            assertThat(letter.getRaw()).isEqualTo(ByteBuffer.wrap(unknownSchema));
            assertThat(letter.getAttributes()).containsEntry("key", "outage/ns/pod-9:8000").containsEntry("offset", "0");
        }
    }

    private void send(EndpointScore s) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ENDPOINT_SCORES, "outage/ns/" + s.getPod() + ":8000", s)).get(10, TimeUnit.SECONDS);
    }

    private static EndpointScore score(String pool, String pod, double score) {
        return EndpointScore.newBuilder()
                .setCluster("outage").setNamespace("ns").setPool(pool).setPod(pod)
                .setAddress("10.1.0." + pod.substring(pod.lastIndexOf('-') + 1) + ":8000")
                .setScore(score).setParts(Map.of("queue", score)).setHealth(EndpointHealth.HEALTHY)
                .setClusterLabels(Map.of()).setLoraAdapters(List.of())
                .setSampleTime(SAMPLED).setExpiresAt(SAMPLED.plusSeconds(2))
                .build();
    }

    /** Why the named readiness check fails; empty while it passes. */
    private static Optional<String> check(HealthChecks health, String name) {
        return health.ready().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow().problem();
    }
}
