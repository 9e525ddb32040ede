package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A notifier that meets a schema registry outage, on a real broker and the dev registry: valid
 * alerts wait for the registry instead of being dead-lettered, readiness names the registry
 * meanwhile, and they are delivered once it is back. Only a record that is no AlertEvent at all
 * is dead-lettered.
 */
class NotifierRegistryOutageIT {
    private static final String GROUP = "notifier-outage-it";

    private KafkaStack stack;
    private LocalReceiver receiver;
    private Path routing;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        stack = new KafkaStack();
        receiver = new LocalReceiver();
        routing = dir.resolve("routing.yml");
        Files.writeString(routing, """
                route:
                  receiver: hook
                  group_by: [alertname]
                  group_wait: 200ms
                  group_interval: 10m
                receivers:
                  - name: hook
                    webhook_configs: [{url: '%s'}]
                """.formatted(receiver.url("/hook")));
    }

    @AfterEach
    void stop() throws Exception {
        receiver.close();
        stack.close();
    }

    @Test
    void shouldHoldBackValidAlertsWhileTheRegistryIsAwayAndDeliverThemWhenItReturns() throws Exception {
        // given a valid alert on the topic, its schema registered, and then the registry gone
        Instant now = Instant.now();
        Map<String, String> labels = Map.of("alertname", "PoolDown", "pool", "llama-70b", "severity", "critical");
        stack.send(AlertEvents.firing(labels, now, now));
        stack.stopRegistry();

        // when a notifier that has never seen the schema starts
        HealthChecks health = new HealthChecks();
        try (NotifierService notifier = notifier(health)) {
            // then it is not ready, naming the registry and nothing else once it has its partitions
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(health.ready())
                    .filteredOn(o -> !o.ok()).extracting(HealthChecks.Outcome::name).containsExactly("schema-registry"));
            assertThat(check(health, "schema-registry").orElseThrow())
                    .startsWith("schema registry unreachable since");
            // and it holds the alert back, through more than one give-up of its 2 s registry patience,
            // neither delivering nor dead-lettering it nor committing past it
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() ->
                    receiver.requests("/hook").isEmpty() && check(health, "schema-registry").isPresent());
            assertThat(stack.uncommitted(GROUP)).as("records per partition not committed past").isNotEmpty();
            assertThat(stack.written(Topics.DEAD_LETTER)).isZero();

            // when the registry is back at the same address
            stack.startRegistry();

            // then the alert is delivered, the group commits past it, and every readiness check passes
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests("/hook").size() == 1);
            assertThat(receiver.requests("/hook").getFirst().body().at("/alerts/0/fingerprint").asText())
                    .isEqualTo(AlertEvents.fingerprint(labels));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stack.uncommitted(GROUP)).isEmpty());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(health.ready()).allMatch(HealthChecks.Outcome::ok));
            assertThat(stack.written(Topics.DEAD_LETTER)).isZero();
        }
    }

    @Test
    void shouldDeadLetterARecordThatIsNotAvroOnceAndDeliverWhatFollows() throws Exception {
        // given bytes that are no Avro at all, followed on the same partition by a valid alert
        Instant now = Instant.now();
        Map<String, String> labels = Map.of("alertname", "QueueLong", "pool", "llama-70b", "severity", "warning");
        byte[] garbage = "{\"alertname\":\"QueueLong\"}".getBytes(StandardCharsets.UTF_8);
        stack.sendRaw(AlertEvents.fingerprint(labels), garbage);
        stack.send(AlertEvents.firing(labels, now, now));

        HealthChecks health = new HealthChecks();
        try (NotifierService notifier = notifier(health)) {
            // then the valid alert is delivered and the group commits past both records
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests("/hook").size() == 1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stack.uncommitted(GROUP)).isEmpty());

            // and the garbage is dead-lettered exactly once, as it was, saying where it came from
            assertThat(stack.written(Topics.DEAD_LETTER)).isOne();
            await().atMost(Duration.ofSeconds(10)).until(() -> stack.deadLetters.size() == 1);
            DeadLetter letter = stack.deadLetters.getFirst();
            assertThat(letter.getSource()).isEqualTo(Topics.ALERTS);
            assertThat(letter.getStage()).isEqualTo("notify.deserialize");
            assertThat(letter.getReason()).startsWith("not an AlertEvent: ");
            assertThat(letter.getRaw()).isEqualTo(ByteBuffer.wrap(garbage));
            assertThat(letter.getAttributes()).containsEntry("offset", "0");
            assertThat(health.ready()).allMatch(HealthChecks.Outcome::ok);
        }
    }

    private NotifierService notifier(HealthChecks health) {
        return NotifierService.start(NotifierConfig.of(stack.settings(routing, GROUP), Map.of()), new SimpleMeterRegistry(), health);
    }

    /** Why the named readiness check fails; empty while it passes. */
    private static Optional<String> check(HealthChecks health, String name) {
        return health.ready().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow().problem();
    }
}
