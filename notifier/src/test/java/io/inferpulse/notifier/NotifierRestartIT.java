package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A notifier stopped and started again, on a real broker: the committed offsets and the
 * notification log together mean a group already paged is not paged again, and an alert whose
 * delivery was cut short is delivered by the next instance.
 */
class NotifierRestartIT {
    private static final AtomicBoolean laterIsDown = new AtomicBoolean(true);

    private static KafkaStack stack;
    private static LocalReceiver receiver;
    private static Path routing;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        stack = new KafkaStack();
        receiver = new LocalReceiver()
                .script("/later", n -> laterIsDown.get() ? LocalReceiver.Answer.status(503, "down") : LocalReceiver.Answer.ok());
        routing = dir.resolve("routing.yml");
        Files.writeString(routing, """
                route:
                  receiver: hook
                  group_by: [alertname]
                  group_wait: 300ms
                  group_interval: 10m
                  routes:
                    - {matchers: ['team="later"'], receiver: later}
                receivers:
                  - name: hook
                    webhook_configs: [{url: '%s'}]
                  - name: later
                    webhook_configs: [{url: '%s'}]
                """.formatted(receiver.url("/hook"), receiver.url("/later")));
    }

    @AfterAll
    static void stop() throws Exception {
        receiver.close();
        stack.close();
    }

    private static NotifierService notifier(String group, int attempts) {
        Map<String, String> settings = stack.settings(routing, group);
        settings.put(NotifierConfig.RETRY_ATTEMPTS.key(), String.valueOf(attempts));
        return NotifierService.start(NotifierConfig.of(settings, Map.of()), new SimpleMeterRegistry(), new HealthChecks());
    }

    private static long hookCalls(String alertname) {
        return receiver.requests("/hook").stream()
                .filter(r -> r.body().get("groupLabels").path("alertname").asText().equals(alertname)).count();
    }

    @Test
    void shouldNotPageAgainForAGroupNotifiedBeforeTheRestart() throws Exception {
        String group = "notifier-restart-it-nodup";
        Map<String, String> gpuHot = Map.of("alertname", "GpuHot", "pool", "a", "severity", "critical");
        Map<String, String> queueLong = Map.of("alertname", "QueueLong", "pool", "a", "severity", "warning");
        Instant startsAt = Instant.now();

        try (NotifierService first = notifier(group, 3)) {
            stack.send(AlertEvents.firing(gpuHot, startsAt, startsAt), 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> hookCalls("GpuHot") == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> stack.uncommitted(group).isEmpty());
        }

        try (NotifierService second = notifier(group, 3)) {
            Instant now = Instant.now();
            // The evaluator re-sends a firing alert every minute; a second alert follows it on the
            // same partition, so its notification proves the first was seen and judged.
            stack.send(AlertEvents.firing(gpuHot, startsAt, now), 0);
            stack.send(AlertEvents.firing(queueLong, now, now), 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> hookCalls("QueueLong") == 1 && second.inFlight() == 0);
            assertThat(hookCalls("GpuHot")).as("GpuHot was paged before the restart").isEqualTo(1);
        }
    }

    @Test
    void shouldDeliverAfterTheRestartWhatWasNotDeliveredBefore() throws Exception {
        String group = "notifier-restart-it-redeliver";
        Map<String, String> later = Map.of("alertname", "PoolDown", "team", "later", "severity", "critical");
        Instant now = Instant.now();

        try (NotifierService first = notifier(group, 1000)) {
            stack.send(AlertEvents.firing(later, now, now), 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests("/later").size() >= 2);
        }
        assertThat(stack.uncommitted(group)).as("the undelivered record stays uncommitted").isNotEmpty();
        int failedCalls = receiver.requests("/later").size();

        laterIsDown.set(false);
        try (NotifierService second = notifier(group, 1000)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests("/later").size() > failedCalls);
            await().atMost(Duration.ofSeconds(10)).until(() -> stack.uncommitted(group).isEmpty());
        }
        var delivered = receiver.requests("/later").get(failedCalls).body();
        assertThat(delivered.get("alerts").get(0).get("fingerprint").asText()).isEqualTo(AlertEvents.fingerprint(later));
        assertThat(stack.deadLetters).noneMatch(d -> "later".equals(d.getAttributes().get("receiver")));
    }
}
