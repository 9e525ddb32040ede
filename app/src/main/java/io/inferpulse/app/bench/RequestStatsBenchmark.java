package io.inferpulse.app.bench;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.ModelStats;
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
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsService;
import io.inferpulse.streams.request.RequestStatsSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;

/**
 * End-to-end throughput of the request-statistics job on the embedded stack: generated access logs
 * (Avro, acks=all) cross a real broker, the pool request windows, the model repartition and the
 * model windows, and every model's results are read back from the model-stats topic.
 *
 * <p>The logs' request times advance evenly over {@value #EVENT_SPAN_MINUTES} minutes of event time
 * starting now, so the run exercises many evaluation instants and stream time, not the wall clock,
 * closes them. One last record per pool and per end-marker model then moves stream time past every
 * window. The figure is lines per second from the first send until every model's window has been
 * reported empty again, i.e. every result of every line is out.
 */
public final class RequestStatsBenchmark {
    private static final int EVENT_SPAN_MINUTES = 10;
    /** Enough end-marker models that their keys reach every partition of the repartition topic. */
    private static final int END_MARKERS = 64;

    private final int pools;
    private final int models;
    private final PrintStream out;

    public RequestStatsBenchmark(int pools, int models, PrintStream out) {
        this.pools = pools;
        this.models = models;
        this.out = out;
    }

    public void run(int lines) throws Exception {
        Path dir = Files.createTempDirectory("inferpulse-bench-");
        RequestStatsSettings windows = RequestStatsSettings.defaults();
        out.printf("bench request-stats: %,d lines, %d pools, %d models (2 targets each), %d cores, JVM %s%n", lines, pools,
                models, Runtime.getRuntime().availableProcessors(), Runtime.version());
        out.printf("  windows: %s sliding every %s, grace %s, error details per %s%n", windows.window(),
                windows.evaluationInterval(), windows.grace(), windows.errorWindow());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(
                     new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0))) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
            TopicSetup.ensure(kafka, Topics.SPECS);
            PoolStatsConfig config = PoolStatsConfig.of(Map.of(
                    KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                    KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(),
                    PoolStatsConfig.STATE_DIR.key(), dir.resolve("streams").toString(),
                    "http.port", "0"));
            try (SchemaRegistryClient client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig()));
                 PoolStatsService streams = PoolStatsService.start(config, new SimpleMeterRegistry(), new HealthChecks())) {
                awaitRunning(streams);
                Topics topics = new Topics(new AvroSerdes(client));
                long firstMs = System.currentTimeMillis();
                long spanMs = TimeUnit.MINUTES.toMillis(EVENT_SPAN_MINUTES);
                // A model is done when its total reports an empty window ending a window after its last line.
                Map<String, Long> doneAtMs = new ConcurrentHashMap<>();
                for (int i = Math.max(0, lines - models); i < lines; i++) {
                    doneAtMs.put("model-" + (i % models), lineTimeMs(firstMs, spanMs, i, lines) + windows.window().toMillis());
                }
                long endMs = doneAtMs.values().stream().mapToLong(Long::longValue).max().orElse(firstMs)
                        + windows.evaluationInterval().toMillis() + windows.grace().toMillis();
                Set<String> done = ConcurrentHashMap.newKeySet();
                try (TopicTail<String, ModelStats> tail = TopicTail.start(kafka.clientConfig("bench-reader"),
                        topics.modelStats(), TopicTail.From.END, r -> {
                            Long doneAt = doneAtMs.get(r.key());
                            if (doneAt != null && r.value().getRequestCount() == 0
                                    && r.value().getWindowEnd().toEpochMilli() >= doneAt) {
                                done.add(r.key());
                            }
                        })) {
                    Map<String, Object> props = kafka.clientConfig("bench-producer");
                    props.put(ProducerConfig.ACKS_CONFIG, "all");
                    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
                    Topic<String, AccessLog> topic = topics.accessLogs();
                    long start = System.nanoTime();
                    try (KafkaProducer<String, AccessLog> producer = new KafkaProducer<>(props, topic.keySerde().serializer(),
                            topic.valueSerde().serializer())) {
                        SplittableRandom random = new SplittableRandom(1);
                        for (int i = 0; i < lines; i++) {
                            AccessLog log = line(i, lineTimeMs(firstMs, spanMs, i, lines), random);
                            producer.send(new ProducerRecord<>(topic.name(), poolKey(log.getPool()), log));
                        }
                        for (int k = 0; k < Math.max(pools, END_MARKERS); k++) {
                            AccessLog marker = line(k, endMs, random);
                            marker.setModelName("bench-end-" + k);
                            producer.send(new ProducerRecord<>(topic.name(), poolKey(marker.getPool()), marker));
                        }
                        producer.flush();
                    }
                    long acked = System.nanoTime();
                    long deadline = acked + TimeUnit.MINUTES.toNanos(3);
                    while (done.size() < models) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("Only " + done.size() + " of " + models
                                    + " models reported their last window within 3 minutes of the last acknowledgement");
                        }
                        LockSupport.parkNanos(1_000_000);
                    }
                    long finished = System.nanoTime();
                    out.printf("  acknowledged by Kafka: %,.0f lines/s%n", lines / seconds(acked - start));
                    out.printf("  end to end (every model's last window out): %,.0f lines/s (%.1f s)%n",
                            lines / seconds(finished - start), seconds(finished - start));
                }
            }
        }
    }

    private AccessLog line(int i, long timeMs, SplittableRandom random) {
        int model = i % models;
        double roll = random.nextDouble();
        int status = roll < 0.01 ? 503 : roll < 0.02 ? 429 : roll < 0.03 ? 404 : 200;
        return AccessLog.newBuilder()
                .setRequestTime(Instant.ofEpochMilli(timeMs))
                .setCluster("bench")
                .setNamespace("default")
                .setPool("pool-" + (i % pools))
                .setModelName("model-" + model)
                .setTargetModelName(random.nextBoolean() ? "" : "model-" + model + "-lora")
                .setStatus(status)
                .setLatencySeconds(Math.exp(random.nextDouble(-3, 2)))
                .setInputTokens((long) random.nextInt(10, 4000))
                .setOutputTokens((long) random.nextInt(1, 1000))
                .setProxyStatus(status == 503 ? "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"" : null)
                .setSourceFormat("gcp-lb")
                .build();
    }

    private static long lineTimeMs(long firstMs, long spanMs, int i, int lines) {
        return firstMs + i * spanMs / lines;
    }

    private static String poolKey(String pool) {
        return Topics.poolKey("bench", "default", pool);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void awaitRunning(PoolStatsService streams) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The streams job did not start within 60 s (state " + streams.state() + ")");
            }
            Thread.sleep(100);
        }
    }
}
