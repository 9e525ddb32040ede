package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our alertmanager receiver against the real Alertmanager 0.25 (Debian's package): it must accept
 * what we post, group it, and compute the same fingerprints as the alert evaluator.
 */
class AlertmanagerIT {
    private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    private static KafkaStack stack;
    private static LocalReceiver hook;
    private static Process alertmanager;
    private static NotifierService notifier;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        assertThat(Files.isExecutable(BINARY))
                .as("Alertmanager is needed by this test: install it with 'apt-get install prometheus-alertmanager'")
                .isTrue();
        hook = new LocalReceiver();
        int port = freePort();
        Path amConfig = dir.resolve("alertmanager.yml");
        Files.writeString(amConfig, """
                route:
                  receiver: hook
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: hook
                    webhook_configs:
                      - url: '%s'
                        send_resolved: true
                """.formatted(hook.url("/am")));
        Files.createDirectories(dir.resolve("data"));
        alertmanager = new ProcessBuilder(BINARY.toString(), "--config.file=" + amConfig, "--storage.path=" + dir.resolve("data"),
                "--cluster.listen-address=", "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(base.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

        stack = new KafkaStack();
        Path routing = dir.resolve("routing.yml");
        Files.writeString(routing, """
                route: {receiver: am}
                receivers:
                  - name: am
                    alertmanager_configs: [{url: '%s'}]
                """.formatted(base));
        notifier = NotifierService.start(NotifierConfig.of(stack.settings(routing, "notifier-am-it"), Map.of()),
                new SimpleMeterRegistry(), new HealthChecks());
    }

    @AfterAll
    static void stop() throws Exception {
        if (notifier != null) {
            notifier.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (alertmanager != null) {
            alertmanager.destroy();
            if (!alertmanager.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                alertmanager.destroyForcibly();
            }
        }
        if (hook != null) {
            hook.close();
        }
    }

    @Test
    void shouldHaveAlertmanagerGroupOurAlertsAndResolveThem() throws Exception {
        Map<String, String> poolA = Map.of("alertname", "KvCacheFull", "pool", "a", "severity", "warning");
        Map<String, String> poolB = Map.of("alertname", "KvCacheFull", "pool", "b", "severity", "warning");
        Instant now = Instant.now();
        stack.send(AlertEvents.firing(poolA, now, now));
        stack.send(AlertEvents.firing(poolB, now, now));

        JsonNode firing = await().atMost(Duration.ofSeconds(30))
                .until(() -> notification("firing", 2), Optional::isPresent).orElseThrow();
        assertThat(firing.get("groupLabels").get("alertname").asText()).isEqualTo("KvCacheFull");
        assertThat(alerts(firing)).extracting(a -> a.get("fingerprint").asText())
                .containsExactlyInAnyOrder(AlertEvents.fingerprint(poolA), AlertEvents.fingerprint(poolB));
        assertThat(alerts(firing)).extracting(a -> a.get("labels").get("pool").asText()).containsExactlyInAnyOrder("a", "b");
        assertThat(alerts(firing).get(0).get("annotations").get("description").asText()).isEqualTo("p99 above the limit");

        Instant later = Instant.now();
        stack.send(AlertEvents.resolved(poolA, now, later));
        stack.send(AlertEvents.resolved(poolB, now, later));

        JsonNode resolved = await().atMost(Duration.ofSeconds(30))
                .until(() -> notification("resolved", 2), Optional::isPresent).orElseThrow();
        assertThat(alerts(resolved)).allSatisfy(a -> assertThat(a.get("status").asText()).isEqualTo("resolved"));
    }

    /** The first webhook call of Alertmanager with the given status and number of alerts. */
    private static Optional<JsonNode> notification(String status, int alerts) {
        return hook.requests("/am").stream().map(LocalReceiver.Request::body)
                .filter(b -> b.get("status").asText().equals(status) && b.get("alerts").size() == alerts).findFirst();
    }

    private static List<JsonNode> alerts(JsonNode notification) {
        return StreamSupport.stream(notification.get("alerts").spliterator(), false).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
