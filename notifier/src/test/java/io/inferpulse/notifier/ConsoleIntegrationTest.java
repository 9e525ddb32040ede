package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What an operator reads from a console receiver, the demo's. */
class ConsoleIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    private static Notification firing(Integration console, String alertname, String pool, int alerts) {
        List<Alert> list = IntStream.range(0, alerts).mapToObj(i -> new Alert(alertname + pool + i,
                Map.of("alertname", alertname, "name", pool, "pod", "pod-" + i, "severity", "critical"),
                Map.of("summary", "High for inference pool " + pool), T0, Optional.empty(), "", false)).toList();
        return new Notification(new Notification.Target("console", 0, console), alertname + pool,
                Map.of("alertname", alertname, "name", pool), list,
                Set.copyOf(list.stream().map(Alert::fingerprint).toList()), Set.of(), T0, List.of());
    }

    @Test
    void shouldPrintTheSummaryThenEachAlertIndented() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Integration console = new Integrations.Console(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        console.send(firing(console, "HighInferencePoolAvgQueueSize", "pool-0", 2));

        assertThat(bytes.toString(StandardCharsets.UTF_8).split("\n")).containsExactly(
                "[FIRING:2] HighInferencePoolAvgQueueSize (critical)  [console {alertname=\"HighInferencePoolAvgQueueSize\", name=\"pool-0\"}]",
                "  HighInferencePoolAvgQueueSize {alertname=\"HighInferencePoolAvgQueueSize\", name=\"pool-0\", pod=\"pod-0\", severity=\"critical\"}"
                        + " - High for inference pool pool-0",
                "  HighInferencePoolAvgQueueSize {alertname=\"HighInferencePoolAvgQueueSize\", name=\"pool-0\", pod=\"pod-1\", severity=\"critical\"}"
                        + " - High for inference pool pool-0");
    }

    @Test
    void shouldKeepEachNotificationsLinesTogetherWhenGroupsFlushAtOnce() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Integration console = new Integrations.Console(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> alertnames = List.of("HighInferencePoolAvgQueueSize", "HighInferencePoolAvgKVCacheUtilization",
                "HighInferencePoolAvgRequestLatency", "HighInferencePoolErrorRate");
        CountDownLatch start = new CountDownLatch(1);

        // when four groups, each on its own thread as the dispatcher flushes them, print 200 notifications each
        List<Thread> threads = alertnames.stream().map(name -> Thread.ofPlatform().start(() -> {
            try {
                start.await();
                for (int i = 0; i < 200; i++) {
                    console.send(firing(console, name, "pool-" + (i % 3), 3));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).toList();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }

        // then every summary line is followed by its own three alerts
        List<String> lines = List.of(bytes.toString(StandardCharsets.UTF_8).split("\n"));
        assertThat(lines).hasSize(4 * 200 * 4);
        for (int i = 0; i < lines.size(); i += 4) {
            String name = lines.get(i).split(" ")[1];
            assertThat(lines.get(i)).as("line %d", i).startsWith("[FIRING:3] ");
            for (int a = 1; a <= 3; a++) {
                assertThat(lines.get(i + a)).as("line %d, under %s", i + a, lines.get(i)).startsWith("  " + name + " {");
            }
        }
    }
}
