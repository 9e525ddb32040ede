package io.inferpulse.streams.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.AlertState;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.job.StreamsJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert job on a real broker and registry, stopped while one alert is pending and another is
 * firing, then started again on an empty state directory, so everything it knows comes from the
 * changelog of its stores.
 */
class AlertJobRestartIT {
    private static final Duration HOLD = Duration.ofSeconds(15);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration RESEND = Duration.ofSeconds(20);
    private static final String RULES = """
            groups:
            - name: restart-it
              interval: 1s
              rules:
              - alert: PoolQueueHigh
                expr: inference_pool_average_queue_size > 50
                for: 15s
                labels:
                  severity: warning
              - alert: PoolKvCacheFull
                expr: inference_pool_average_kv_cache_utilization > 0.9
                for: 1s
                labels:
                  severity: critical
            """;

    @TempDir
    Path dir;

    private EmbeddedKafkaBroker broker;
    private DevSchemaRegistry registry;
    private SchemaRegistryClient client;
    private Producer<String, PoolStats> producer;
    private TopicTail<String, AlertEvent> tail;
    private ScheduledExecutorService reporter;
    private final List<AlertEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicReference<double[]> gauges = new AtomicReference<>(new double[] {10.0, 0.95});

    @BeforeEach
    void startBrokerAndRegistry() {
        broker = EmbeddedKafkaBroker.start();
        registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0));
    }

    @AfterEach
    void stopAll() throws Exception {
        if (reporter != null) {
            reporter.shutdownNow();
            assertThat(reporter.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        if (tail != null) {
            tail.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (client != null) {
            client.close();
        }
        registry.close();
        broker.close();
    }

    @Test
    void shouldFirePendingAlertOnTimeAndNotRepageFiringAlertAfterRestart() throws Exception {
        Path rules = Files.writeString(dir.resolve("restart-it.yaml"), RULES);
        Map<String, String> settings = new HashMap<>(Map.of(
                KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(),
                AlertConfig.RULES.key(), rules.toString(),
                AlertConfig.RESEND_DELAY.key(), RESEND.toMillis() + "ms",
                AlertConfig.APPLICATION_ID.key(), "alert-restart-it",
                AlertConfig.STATE_DIR.key(), dir.resolve("state-1").toString(),
                "streams.commit.interval.ms", "100",
                // A static member, as a StatefulSet pod would be: the restarted instance takes its
                // tasks over at once instead of after the old member's session timeout.
                "streams.group.instance.id", "alert-restart-it-0",
                "http.port", "0"));
        AlertConfig first = AlertConfig.of(settings);
        TopicSetup.ensure(first.kafka(), Topics.SPECS.stream().filter(s -> s.name().equals(Topics.POOL_STATS)
                || s.name().equals(Topics.ALERTS)).toList());
        client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(first.kafka().registryConfig()));
        Topics topics = new Topics(new AvroSerdes(client));
        Topic<String, PoolStats> poolStats = topics.poolStats();
        producer = new KafkaProducer<>(first.kafka().clientConfig("restart-it-producer"),
                poolStats.keySerde().serializer(), poolStats.valueSerde().serializer());
        Map<String, Object> tailConfig = first.kafka().clientConfig("restart-it-tail");
        tailConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        tail = TopicTail.start(tailConfig, topics.alerts(), TopicTail.From.BEGINNING, r -> {
            if (r.value() != null) {
                events.add(r.value());
            }
        });
        // given a pool reporting every 200 ms, as the pool-stats job heartbeats, with its KV cache full
        reporter = Executors.newSingleThreadScheduledExecutor();
        reporter.scheduleAtFixedRate(() -> report(poolStats), 0, 200, TimeUnit.MILLISECONDS);

        StreamsJob service = start(first);
        AlertEvent firing;
        AlertEvent pending;
        try {
            firing = await().atMost(Duration.ofSeconds(60)).until(() -> last("PoolKvCacheFull", AlertState.FIRING), e -> e != null);
            // when its queue also rises, so that a second alert becomes pending
            gauges.set(new double[] {60.0, 0.95});
            pending = await().atMost(Duration.ofSeconds(10)).until(() -> last("PoolQueueHigh", AlertState.PENDING), e -> e != null);
        } finally {
            // and the job stops while that alert is pending
            service.close();
        }
        assertThat(service.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
        assertThat(last("PoolQueueHigh", AlertState.FIRING)).as("fired before the restart: restart faster or raise for").isNull();
        int eventsBeforeRestart = events.size();
        AlertEvent lastSent = last("PoolKvCacheFull", AlertState.FIRING);

        // then starts again on an empty state directory
        settings.put(AlertConfig.STATE_DIR.key(), dir.resolve("state-2").toString());
        try (StreamsJob restarted = start(AlertConfig.of(settings))) {
            // the pending alert fires at its original activeAt + for, within one evaluation interval
            AlertEvent fired = await().atMost(Duration.ofSeconds(60))
                    .until(() -> last("PoolQueueHigh", AlertState.FIRING), e -> e != null);
            assertThat(fired.getActiveAt()).isEqualTo(pending.getActiveAt());
            Instant due = pending.getActiveAt().plus(HOLD);
            assertThat(fired.getStartsAt()).isBetween(due, due.plus(INTERVAL));
            assertThat(fired.getFingerprint()).isEqualTo(pending.getFingerprint());

            // and the firing alert is only re-sent when its resend delay is due, with its original startsAt
            Instant resendDue = lastSent.getEvaluatedAt().plus(RESEND);
            await().atMost(Duration.ofSeconds(60)).until(() -> events.subList(eventsBeforeRestart, events.size()).stream()
                    .anyMatch(e -> e.getAlertName().equals("PoolKvCacheFull")));
            List<AlertEvent> after = events.subList(eventsBeforeRestart, events.size());
            assertThat(after).filteredOn(e -> e.getAlertName().equals("PoolKvCacheFull")).isNotEmpty().allSatisfy(e -> {
                assertThat(e.getState()).isEqualTo(AlertState.FIRING);
                assertThat(e.getStartsAt()).isEqualTo(firing.getStartsAt());
                assertThat(e.getActiveAt()).isEqualTo(firing.getActiveAt());
                assertThat(e.getEvaluatedAt()).isAfterOrEqualTo(resendDue);
            });
            // and no alert went through pending again
            assertThat(after).noneMatch(e -> e.getState() == AlertState.PENDING);
        }
    }

    private AlertEvent last(String alertName, AlertState state) {
        AlertEvent found = null;
        for (AlertEvent event : events) {
            if (event.getAlertName().equals(alertName) && event.getState() == state) {
                found = event;
            }
        }
        return found;
    }

    private void report(Topic<String, PoolStats> poolStats) {
        Instant now = Instant.now();
        double[] current = gauges.get();
        PoolStats stats = PoolStats.newBuilder()
                .setCluster("it").setNamespace("llm").setPool("restart")
                .setComputedAt(now).setNewestSampleTime(now).setReadyPods(2)
                .setAverageQueueSize(current[0]).setAverageKvCacheUtilization(current[1]).setAverageRunningRequests(3.0)
                .setTotalQueueSize(current[0] * 2).setTotalRunningRequests(6.0)
                .build();
        producer.send(new ProducerRecord<>(poolStats.name(), null, now.toEpochMilli(), Topics.poolKey("it", "llm", "restart"), stats));
    }

    private static StreamsJob start(AlertConfig config) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        return StreamsJob.start(AlertJob.spec(config, meters), meters, new HealthChecks());
    }
}
