package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Grouping and timing of notifications, stepping the clock by hand. */
class DispatcherTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final TopicPartition P0 = new TopicPartition("inferpulse.alerts", 0);
    private static final Map<String, String> LATENCY_A = Map.of("alertname", "HighLatency", "pool", "a", "severity", "critical");
    private static final Map<String, String> LATENCY_B = Map.of("alertname", "HighLatency", "pool", "b", "severity", "critical");
    private static final Map<String, String> ERRORS_A = Map.of("alertname", "HighErrorRate", "pool", "a", "severity", "warning");

    private final RecordingIntegration channel = new RecordingIntegration(true, true);
    private final List<String> logWrites = new ArrayList<>();
    private final NotificationLog log = new NotificationLog((key, json) -> logWrites.add(key));
    private final OffsetTracker offsets = new OffsetTracker();
    private long nextOffset;

    private Dispatcher dispatcher(Duration wait, Duration interval, Duration repeat, Integration... integrations) {
        Route root = new Route("{}", "team", List.of("alertname"), false, wait, interval, repeat, List.of(), false, List.of());
        return new Dispatcher(new Routing(root, Map.of("team", new Receiver("team", List.of(integrations)))), log);
    }

    private List<Notification> receive(Dispatcher d, io.inferpulse.avro.AlertEvent event, Instant now) {
        OffsetTracker.Ticket ticket = offsets.track(P0, nextOffset++);
        try {
            return Alert.from(event).map(a -> d.receive(a, ticket, now)).orElse(List.of());
        } finally {
            ticket.release();
        }
    }

    /** What a successful delivery does: log it, release its records. */
    private List<Notification> deliver(List<Notification> notifications) {
        notifications.forEach(n -> {
            log.delivered(n);
            n.tickets().forEach(OffsetTracker.Ticket::release);
        });
        return notifications;
    }

    @Test
    void shouldWaitGroupWaitAndSendTheGroupAsOneNotification() {
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), channel);

        receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        receive(d, AlertEvents.firing(LATENCY_B, T0, T0.plusSeconds(10)), T0.plusSeconds(10));
        receive(d, AlertEvents.firing(ERRORS_A, T0, T0.plusSeconds(10)), T0.plusSeconds(10));

        assertThat(d.flush(T0.plusSeconds(29))).isEmpty();
        List<Notification> sent = d.flush(T0.plusSeconds(30));
        assertThat(sent).hasSize(1);
        Notification n = sent.get(0);
        assertThat(n.groupKey()).isEqualTo("{}:{alertname=\"HighLatency\"}");
        assertThat(n.alerts()).extracting(Alert::fingerprint)
                .containsExactly(AlertEvents.fingerprint(LATENCY_A), AlertEvents.fingerprint(LATENCY_B));
        assertThat(n.commonLabels()).containsEntry("severity", "critical").doesNotContainKey("pool");
        assertThat(d.flush(T0.plusSeconds(40))).as("the HighErrorRate group waits from its own first alert")
                .singleElement().satisfies(e -> assertThat(e.groupLabels()).containsEntry("alertname", "HighErrorRate"));
    }

    @Test
    void shouldSendChangesOnlyAtGroupIntervalAndIgnoreRepeatsOfTheSameState() {
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), channel);
        receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        deliver(d.flush(T0.plusSeconds(30)));

        receive(d, AlertEvents.firing(LATENCY_A, T0, T0.plusSeconds(300)), T0.plusSeconds(300));
        assertThat(d.flush(T0.plusSeconds(330))).as("same firing set, before repeat_interval").isEmpty();

        receive(d, AlertEvents.firing(LATENCY_B, T0, T0.plusSeconds(400)), T0.plusSeconds(400));
        receive(d, AlertEvents.firing(LATENCY_A, T0, T0.plusSeconds(600)), T0.plusSeconds(600));
        assertThat(d.flush(T0.plusSeconds(629))).isEmpty();
        List<Notification> changed = d.flush(T0.plusSeconds(630));
        assertThat(changed).singleElement().satisfies(n -> assertThat(n.firing())
                .containsExactlyInAnyOrder(AlertEvents.fingerprint(LATENCY_A), AlertEvents.fingerprint(LATENCY_B)));
    }

    @Test
    void shouldRepeatAnUnchangedFiringGroupAfterRepeatInterval() {
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(1), channel);
        receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        deliver(d.flush(T0.plusSeconds(30)));

        int repeats = 0;
        Instant now = T0.plusSeconds(30);
        Instant firstRepeat = null;
        while (now.isBefore(T0.plus(Duration.ofHours(2)))) {
            now = now.plus(Duration.ofMinutes(5));
            receive(d, AlertEvents.firing(LATENCY_A, T0, now.minusSeconds(1)), now.minusSeconds(1));
            List<Notification> sent = deliver(d.flush(now));
            if (!sent.isEmpty() && firstRepeat == null) {
                firstRepeat = now;
            }
            repeats += sent.size();
        }
        assertThat(firstRepeat).isEqualTo(T0.plusSeconds(30).plus(Duration.ofHours(1)));
        assertThat(repeats).isEqualTo(2);
    }

    @Test
    void shouldNotifyResolvedOnceAndThenDropItFromTheGroup() {
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), channel);
        receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        receive(d, AlertEvents.firing(LATENCY_B, T0, T0), T0);
        deliver(d.flush(T0.plusSeconds(30)));

        receive(d, AlertEvents.resolved(LATENCY_A, T0, T0.plusSeconds(60)), T0.plusSeconds(60));
        receive(d, AlertEvents.firing(LATENCY_B, T0, T0.plusSeconds(300)), T0.plusSeconds(300));
        List<Notification> sent = deliver(d.flush(T0.plusSeconds(330)));
        assertThat(sent).singleElement().satisfies(n -> {
            assertThat(n.resolved()).containsExactly(AlertEvents.fingerprint(LATENCY_A));
            assertThat(n.firing()).containsExactly(AlertEvents.fingerprint(LATENCY_B));
        });

        receive(d, AlertEvents.resolved(LATENCY_B, T0, T0.plusSeconds(400)), T0.plusSeconds(400));
        List<Notification> last = deliver(d.flush(T0.plusSeconds(630)));
        assertThat(last).singleElement().satisfies(n -> {
            assertThat(n.isFiring()).isFalse();
            assertThat(n.alerts()).extracting(Alert::fingerprint).containsExactly(AlertEvents.fingerprint(LATENCY_B));
        });
        assertThat(d.groupCount()).as("an all-resolved group is gone").isZero();

        receive(d, AlertEvents.resolved(LATENCY_B, T0, T0.plusSeconds(700)), T0.plusSeconds(700));
        assertThat(d.flush(T0.plus(Duration.ofHours(1)))).as("resolved re-sends are not notified again").isEmpty();
    }

    @Test
    void shouldTreatAFiringAlertPastItsEndsAtAsResolved() {
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), channel);
        receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        deliver(d.flush(T0.plusSeconds(30)));

        List<Notification> sent = d.flush(T0.plus(Duration.ofMinutes(5)).plusSeconds(30));
        assertThat(sent).singleElement().satisfies(n -> assertThat(n.resolved()).containsExactly(AlertEvents.fingerprint(LATENCY_A)));
    }

    @Test
    void shouldForwardEveryEventAtOnceToReceiversThatGroupThemselves() {
        RecordingIntegration alertmanager = new RecordingIntegration(false, true);
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), alertmanager);

        List<Notification> first = receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        List<Notification> again = receive(d, AlertEvents.firing(LATENCY_A, T0, T0.plusSeconds(60)), T0.plusSeconds(60));
        List<Notification> pending = receive(d, AlertEvents.pending(LATENCY_B, T0), T0);

        assertThat(first).hasSize(1);
        assertThat(again).hasSize(1);
        assertThat(pending).isEmpty();
        assertThat(d.flush(T0.plus(Duration.ofHours(1)))).isEmpty();
        assertThat(d.groupCount()).isZero();
    }

    @Test
    void shouldKeepTheOffsetOwedUntilTheNotificationCarryingItIsDone() {
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), channel);
        receive(d, AlertEvents.pending(LATENCY_A, T0), T0);
        assertThat(offsets.committable()).containsEntry(P0, 1L);

        receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        receive(d, AlertEvents.firing(ERRORS_A, T0, T0), T0);
        assertThat(offsets.committable()).as("both firing records wait in their groups").containsEntry(P0, 1L);

        receive(d, AlertEvents.firing(LATENCY_A, T0, T0.plusSeconds(5)), T0.plusSeconds(5));
        assertThat(offsets.committable()).as("a newer event of the same alert supersedes offset 1").containsEntry(P0, 2L);

        List<Notification> sent = d.flush(T0.plusSeconds(35));
        assertThat(sent).hasSize(2);
        deliver(List.of(sent.get(1)));
        assertThat(offsets.committable()).as("the HighLatency notification is still undelivered").containsEntry(P0, 3L);
        deliver(List.of(sent.get(0)));
        assertThat(offsets.committable()).containsEntry(P0, 4L);
    }

    @Test
    void shouldForgetATombstonedAlertWithoutNotifyingIt() {
        Dispatcher d = dispatcher(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), channel);
        receive(d, AlertEvents.firing(LATENCY_A, T0, T0), T0);
        receive(d, AlertEvents.firing(LATENCY_B, T0, T0), T0);

        d.forget(AlertEvents.fingerprint(LATENCY_A));

        assertThat(offsets.committable()).as("the forgotten alert's record is no longer owed").containsEntry(P0, 1L);
        assertThat(d.flush(T0.plusSeconds(30))).singleElement()
                .satisfies(n -> assertThat(n.firing()).containsExactly(AlertEvents.fingerprint(LATENCY_B)));
        d.forget(AlertEvents.fingerprint(LATENCY_B));
        assertThat(d.groupCount()).isZero();
    }

    @Test
    void shouldRouteByMatchersAndContinue() {
        Route critical = new Route("{}/{severity=\"critical\"}", "pager", List.of("alertname"), false, Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofHours(4), List.of(LabelMatcher.parse("severity=\"critical\"")), true, List.of());
        Route latency = new Route("{}/{alertname=~\"High.*\"}", "chat", List.of("..."), true, Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofHours(4), List.of(LabelMatcher.parse("alertname=~\"High.*\"")), false, List.of());
        Route root = new Route("{}", "default", List.of(), false, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(4),
                List.of(), false, List.of(critical, latency));

        assertThat(root.match(LATENCY_A)).containsExactly(critical, latency);
        assertThat(root.match(ERRORS_A)).containsExactly(latency);
        assertThat(root.match(Map.of("alertname", "PodDown"))).containsExactly(root);
        assertThat(latency.groupKey(latency.groupLabels(ERRORS_A)))
                .isEqualTo("{}/{alertname=~\"High.*\"}:{alertname=\"HighErrorRate\", pool=\"a\", severity=\"warning\"}");
    }
}
