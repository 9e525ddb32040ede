package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery to webhook, Slack and PagerDuty endpoints on loopback that fail in the ways real ones
 * do, through a real broker: every alert ends up delivered or in the dead-letter topic, and the
 * consumer group commits past it either way.
 */
class NotifierDeliveryIT {
    private static final String GROUP = "notifier-delivery-it";
    private static final String PD_KEY = "pd-r0uting-s3cr3t";
    private static final String SLACK_TOKEN = "T000-B000-sl4ck-s3cr3t";

    private static KafkaStack stack;
    private static LocalReceiver receiver;
    private static NotifierService notifier;
    private static final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        stack = new KafkaStack();
        receiver = new LocalReceiver()
                .script("/flaky", n -> n == 0 ? LocalReceiver.Answer.status(500, "try later") : LocalReceiver.Answer.ok())
                .script("/slack/" + SLACK_TOKEN, n -> n == 0
                        ? new LocalReceiver.Answer(429, "rate_limited", Map.of("Retry-After", "2")) : LocalReceiver.Answer.ok())
                .script("/pd", n -> LocalReceiver.Answer.status(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\"}"))
                .script("/down", n -> LocalReceiver.Answer.status(503, "under maintenance"))
                .script("/txn", n -> LocalReceiver.Answer.ok())
                .script("/txn-marker", n -> LocalReceiver.Answer.ok());
        Path slackUrl = dir.resolve("slack-url");
        Files.writeString(slackUrl, receiver.url("/slack/" + SLACK_TOKEN) + "\n");
        Path routing = dir.resolve("routing.yml");
        Files.writeString(routing, """
                route:
                  receiver: flaky
                  group_by: [alertname, team]
                  group_wait: 200ms
                  group_interval: 10m
                  routes:
                    - {matchers: ['team="chat"'], receiver: chat}
                    - {matchers: ['team="pager"'], receiver: pager}
                    - {matchers: ['team="down"'], receiver: down}
                    - {matchers: ['team="txn"'], receiver: txn}
                    - {matchers: ['team="txn-marker"'], receiver: txn-marker}
                receivers:
                  - name: flaky
                    webhook_configs: [{url: '%s'}]
                  - name: chat
                    slack_configs: [{api_url_file: '%s', channel: '#oncall'}]
                  - name: pager
                    pagerduty_configs: [{routing_key_env: PD_KEY, url: '%s'}]
                  - name: down
                    webhook_configs: [{url: '%s'}]
                  - name: txn
                    webhook_configs: [{url: '%s'}]
                  - name: txn-marker
                    webhook_configs: [{url: '%s'}]
                """.formatted(receiver.url("/flaky"), slackUrl, receiver.url("/pd"), receiver.url("/down"), receiver.url("/txn"),
                receiver.url("/txn-marker")));
        notifier = NotifierService.start(NotifierConfig.of(stack.settings(routing, GROUP), Map.of("PD_KEY", PD_KEY)), meters,
                new HealthChecks());
    }

    @AfterAll
    static void stop() throws Exception {
        notifier.close();
        receiver.close();
        stack.close();
    }

    private static Map<String, String> labels(String team) {
        return Map.of("alertname", "HighLatency", "team", team, "pool", "llama-70b", "severity", "critical");
    }

    @Test
    void shouldRetryAServerErrorUntilTheWebhookAcceptsIt() throws Exception {
        Instant now = Instant.now();
        stack.send(AlertEvents.firing(labels("flaky"), now, now));

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests("/flaky").size() == 2);
        var payload = receiver.requests("/flaky").get(1).body();
        assertThat(payload.get("version").asText()).isEqualTo("4");
        assertThat(payload.get("status").asText()).isEqualTo("firing");
        assertThat(payload.get("receiver").asText()).isEqualTo("flaky");
        assertThat(payload.get("groupKey").asText()).isEqualTo("{}:{alertname=\"HighLatency\", team=\"flaky\"}");
        assertThat(payload.get("alerts").get(0).get("fingerprint").asText()).isEqualTo(AlertEvents.fingerprint(labels("flaky")));
        assertThat(payload.get("alerts").get(0).get("labels").get("pool").asText()).isEqualTo("llama-70b");
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.find("inferpulse_notifications")
                .tags("receiver", "flaky", "integration", "webhook").counter() != null);
        assertNothingOwed();
    }

    @Test
    void shouldWaitWhatRetryAfterAsksBeforeTheNextSlackAttempt() throws Exception {
        Instant now = Instant.now();
        stack.send(AlertEvents.firing(labels("chat"), now, now));

        String path = "/slack/" + SLACK_TOKEN;
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests(path).size() == 2);
        List<LocalReceiver.Request> requests = receiver.requests(path);
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        var body = requests.get(1).body();
        assertThat(body.get("channel").asText()).isEqualTo("#oncall");
        assertThat(body.get("text").asText()).isEqualTo("[FIRING:1] HighLatency (critical)");
        assertThat(body.get("blocks").get(0).get("text").get("text").asText()).contains("HighLatency on llama-70b");
        assertNothingOwed();
    }

    @Test
    void shouldDeadLetterAPagerDutyRejectionWithoutRetrying() throws Exception {
        Instant now = Instant.now();
        stack.send(AlertEvents.firing(labels("pager"), now, now));

        DeadLetter letter = awaitDeadLetter("pager");
        assertThat(receiver.requests("/pd")).hasSize(1);
        var sent = receiver.requests("/pd").get(0).body();
        assertThat(sent.get("event_action").asText()).isEqualTo("trigger");
        assertThat(sent.get("dedup_key").asText()).isEqualTo(Integrations.PagerDuty.dedupKey("{}/{team=\"pager\"}:{alertname=\"HighLatency\", team=\"pager\"}"));
        assertThat(sent.get("payload").get("severity").asText()).isEqualTo("critical");
        assertThat(letter.getReason()).contains("HTTP 400").contains("Event object is invalid");
        assertThat(letter.getAttributes()).containsEntry("status", "400").containsEntry("integration", "pager/pagerduty[0]");
        assertThat(new String(letter.getRaw().array(), StandardCharsets.UTF_8)).contains(AlertEvents.fingerprint(labels("pager")));
        assertThat(meters.get("inferpulse_notifications_failed").tags("receiver", "pager", "reason", "client_error").counter().count())
                .isEqualTo(1.0);
        assertNothingOwed();
    }

    @Test
    void shouldDeadLetterAfterTheRetryBudgetWhenTheReceiverNeverRecovers() throws Exception {
        Instant now = Instant.now();
        stack.send(AlertEvents.firing(labels("down"), now, now));

        DeadLetter letter = awaitDeadLetter("down");
        assertThat(receiver.requests("/down")).as("the retry budget is 3 attempts").hasSize(3);
        assertThat(letter.getReason()).contains("HTTP 503").contains("under maintenance");
        assertThat(letter.getStage()).isEqualTo("notify.webhook");
        assertNothingOwed();
    }

    @Test
    void shouldNotDeliverAnAlertFromAnAbortedTransaction() throws Exception {
        // given an alert the exactly-once alerts job wrote and then aborted, followed on the same partition by one it committed
        Instant now = Instant.now();
        Map<String, String> aborted = new HashMap<>(labels("txn"));
        aborted.put("alertname", "RolledBack");
        stack.sendInTransaction(AlertEvents.firing(aborted, now, now), 0, false);
        stack.send(AlertEvents.firing(labels("txn"), now, now), 0);

        // then only the committed one reaches the receiver, and the group commits past both
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests("/txn").size() >= 1);
        assertNothingOwed();
        assertThat(receiver.requests("/txn")).singleElement()
                .satisfies(r -> assertThat(r.body().get("groupLabels").get("alertname").asText()).isEqualTo("HighLatency"));
    }

    @Test
    void shouldCommitPastTheTransactionMarkerThatEndsAPartition() throws Exception {
        // given an alert the exactly-once alerts job committed, its commit marker the last offset of the partition
        Instant now = Instant.now();
        stack.sendInTransaction(AlertEvents.firing(labels("txn-marker"), now, now), 1, true);

        // then once it is delivered the group commits to the end of the partition, marker included, as lag tools expect
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests("/txn-marker").size() >= 1);
        assertNothingOwed();
    }

    private static DeadLetter awaitDeadLetter(String receiverName) {
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.deadLetters.stream()
                .anyMatch(d -> receiverName.equals(d.getAttributes().get("receiver"))));
        return stack.deadLetters.stream().filter(d -> receiverName.equals(d.getAttributes().get("receiver"))).findFirst().orElseThrow();
    }

    /** Everything read was delivered or dead-lettered, and no dead letter shows a secret. */
    private static void assertNothingOwed() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stack.uncommitted(GROUP))
                .as("records per partition the group has not committed past").isEmpty());
        assertThat(stack.deadLetters).allSatisfy(d -> assertThat(d.toString()).doesNotContain(PD_KEY).doesNotContain(SLACK_TOKEN));
    }
}
