package io.inferpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import io.inferpulse.faults.Feeder.Due;
import io.inferpulse.faults.ServiceProcess.ReadinessProbe;
import io.inferpulse.schemas.Topic;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code kill -9} of the notifier ({@code inferpulse notify}) while it delivers alerts to a real
 * Alertmanager 0.25, restarted at once. The test writes FIRING alert events itself, one pool each, over
 * a few seconds; a pass-through proxy in front of Alertmanager counts every alert the notifier posts
 * and adds 50 ms to each request, so deliveries are in flight when the kill comes.
 *
 * <p>The expectation is computed: every alert is in Alertmanager's {@code /api/v2/alerts} afterwards
 * (each is its own group: the alertmanager integration posts every event at once). Duplicates are the
 * alerts posted more than once, counted at the proxy; Alertmanager itself deduplicates them.
 */
class NotifierKillIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ALERTMANAGER_CONFIG = """
            route:
              receiver: blackhole
            receivers:
              - name: blackhole
            """;

    private final int alerts = FaultSettings.pick(60, 600);
    private final Duration spread = FaultSettings.pick(Duration.ofSeconds(10), Duration.ofSeconds(60));

    @Test
    void shouldDeliverEveryAlertAtLeastOnceWhenTheNotifierIsKilledMidDelivery() throws Exception {
        try (FaultStack stack = FaultStack.start("kill-notifier"); KafkaIO io = new KafkaIO(stack)) {
            try {
                killTheNotifierMidDelivery(stack, io);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("kill-notifier failed; logs in " + stack.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    private void killTheNotifierMidDelivery(FaultStack stack, KafkaIO io) throws Exception {
        // given Alertmanager behind a counting proxy, and the notifier delivering to it
        int alertmanagerPort = FaultStack.freePort();
        Path amConfig = Files.writeString(stack.dir().resolve("alertmanager.yml"), ALERTMANAGER_CONFIG);
        URI alertmanager = URI.create("http://127.0.0.1:" + alertmanagerPort);
        stack.external("alertmanager", List.of("prometheus-alertmanager", "--config.file=" + amConfig,
                "--storage.path=" + stack.dir().resolve("alertmanager-data"), "--web.listen-address=127.0.0.1:" + alertmanagerPort,
                "--cluster.listen-address="), ReadinessProbe.http(alertmanager.resolve("/-/ready")));
        try (CountingProxy proxy = CountingProxy.start(alertmanager)) {
            Path routing = Files.writeString(stack.dir().resolve("notifier.yaml"), """
                    route:
                      receiver: alertmanager
                      group_by: [alertname, name]
                    receivers:
                      - name: alertmanager
                        alertmanager_configs: [{url: '%s'}]
                    """.formatted(proxy.url()));
            stack.service("notify", "notify", Map.of("notifier.config", routing.toString()));

            // when FIRING alerts arrive over a few seconds and the notifier is killed once half of them were posted
            Topic<String, AlertEvent> topic = io.topics().alerts();
            Instant base = Instant.now().plusSeconds(1);
            List<Due<AlertEvent>> events = new ArrayList<>();
            for (int i = 0; i < alerts; i++) {
                Instant at = base.plusMillis(spread.toMillis() * i / alerts);
                events.add(new Due<>(firing("pool-" + i, at), at));
            }
            Queue<Exception> sendFailures = new ConcurrentLinkedQueue<>();
            Instant killedAt;
            Instant readyAt;
            try (KafkaProducer<String, AlertEvent> producer = io.producer(topic);
                 Feeder<AlertEvent> feeder = Feeder.start(events, e -> producer.send(new ProducerRecord<>(topic.name(),
                         e.getFingerprint(), e), (metadata, ex) -> {
                             if (ex != null) {
                                 sendFailures.add(ex);
                             }
                         }))) {
                Deadline.of(spread.plusSeconds(60)).until("half the alerts posted", () -> proxy.distinct() >= alerts / 2);
                killedAt = Instant.now();
                stack.process("notify").kill();
                stack.restartUnready("notify").awaitReady(FaultStack.START_DEADLINE);
                readyAt = Instant.now();
                feeder.awaitDone(spread.plusSeconds(60));
                producer.flush();
            }
            assertThat(sendFailures).as("alert events the broker refused").isEmpty();
            Set<String> expected = events.stream().map(e -> e.item().getLabels().get("name")).collect(Collectors.toSet());
            Deadline.of(Duration.ofSeconds(120)).until("every alert in Alertmanager",
                    () -> inAlertmanager(alertmanager).containsAll(expected));

            // then every alert reached Alertmanager; those posted twice are counted
            Set<String> delivered = inAlertmanager(alertmanager);
            long lost = expected.stream().filter(name -> !delivered.contains(name)).count();
            Instant firstAfterKill = proxy.postedAt().stream().filter(at -> at.isAfter(killedAt)).min(Instant::compareTo).orElseThrow();
            new FaultResult("kill-notifier", alerts, proxy.posted(), lost, proxy.posted() - proxy.distinct(),
                    Duration.between(killedAt, firstAfterKill),
                    "(out: alerts posted to Alertmanager, counted at the proxy; in Alertmanager: " + delivered.size()
                            + "; posted before the kill: " + proxy.postedAt().stream().filter(at -> at.isBefore(killedAt)).count()
                            + "; ready " + FaultResult.seconds(Duration.between(killedAt, readyAt)) + " after the kill)").print();
            assertThat(lost).as("alerts never delivered to Alertmanager").isZero();
        }
    }

    private static AlertEvent firing(String pool, Instant at) {
        Map<String, String> labels = Map.of("alertname", "FaultsHighQueue", "name", pool, "severity", "critical");
        return AlertEvent.newBuilder()
                .setFingerprint(Integer.toHexString(labels.hashCode()) + "-" + pool)
                .setAlertName("FaultsHighQueue").setState(AlertState.FIRING)
                .setLabels(labels).setAnnotations(Map.of("title", "queue of " + pool))
                .setValue(100.0).setActiveAt(at.minusSeconds(30)).setStartsAt(at).setEndsAt(at.plus(Duration.ofMinutes(10)))
                .setEvaluatedAt(at).setGeneratorUrl("")
                .build();
    }

    /** The {@code name} label of every alert Alertmanager holds. */
    private static Set<String> inAlertmanager(URI alertmanager) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(alertmanager.resolve("/api/v2/alerts")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Set<String> names = new HashSet<>();
            JSON.readTree(response.body()).forEach(alert -> names.add(alert.path("labels").path("name").asText()));
            return names;
        } catch (IOException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Forwards {@code POST /api/v2/alerts} to Alertmanager, 50 ms later, and counts the alerts in each. */
    private static final class CountingProxy implements AutoCloseable {
        private final HttpServer server;
        private final URI target;
        private final List<String> posted = new CopyOnWriteArrayList<>();
        private final List<Instant> postedAt = new CopyOnWriteArrayList<>();

        private CountingProxy(HttpServer server, URI target) {
            this.server = server;
            this.target = target;
        }

        static CountingProxy start(URI target) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            CountingProxy proxy = new CountingProxy(server, target);
            server.createContext("/", proxy::forward);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return proxy;
        }

        private void forward(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Thread.sleep(50);
                HttpResponse<byte[]> answer = HTTP.send(HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().getPath()))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (answer.statusCode() / 100 == 2) {
                    for (JsonNode alert : JSON.readTree(body)) {
                        posted.add(alert.path("labels").path("name").asText());
                        postedAt.add(Instant.now());
                    }
                }
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        long posted() {
            return posted.size();
        }

        long distinct() {
            return posted.stream().distinct().count();
        }

        List<Instant> postedAt() {
            return List.copyOf(postedAt);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
