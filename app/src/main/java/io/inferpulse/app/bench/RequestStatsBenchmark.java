package io.inferpulse.app.bench;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.job.StreamsJobSettings;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsJob;
import io.inferpulse.streams.request.RequestStatsSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;

/**
 * End-to-end throughput of the request-statistics job on the embedded stack: generated access logs
 * (Avro, acks=all) cross a real broker, the pool request windows, the model repartition and the
 * model windows.
 *
 * <p>Each line is sent the moment its request completes, as the gateway writes it: its request time
 * is the wall-clock time it is sent minus its latency, as with live traffic, so windows close as
 * they would in production. The figure is lines per second from the first send until the
 * job's committed offsets reach the end of both the access-log topic and its repartition topic:
 * every line then counts in its pool's and its model's windows, or was dead-lettered as late, and
 * the run prints how many were.
 */
public final class RequestStatsBenchmark {
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(5);

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
                    // Offsets are the finish line: commit often so that they trail the processing by little.
                    StreamsJobSettings.PREFIX + StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100",
                    "http.port", "0"));
            try (SchemaRegistryClient client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig()));
                 StreamsJob streams = StreamsJob.start(PoolStatsJob.spec(config), new SimpleMeterRegistry(), new HealthChecks());
                 Admin admin = Admin.create(kafka.clientConfig("bench-admin"))) {
                PipelineBenchmark.awaitRunning(streams);
                Topic<String, AccessLog> topic = new Topics(new AvroSerdes(client)).accessLogs();
                Map<String, Object> props = kafka.clientConfig("bench-producer");
                props.put(ProducerConfig.ACKS_CONFIG, "all");
                props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
                long start = System.nanoTime();
                try (KafkaProducer<String, AccessLog> producer = new KafkaProducer<>(props, topic.keySerde().serializer(),
                        topic.valueSerde().serializer())) {
                    SplittableRandom random = new SplittableRandom(1);
                    for (int i = 0; i < lines; i++) {
                        AccessLog log = line(i, System.currentTimeMillis(), random);
                        producer.send(new ProducerRecord<>(topic.name(), Topics.poolKey("bench", "default", log.getPool()), log));
                    }
                    producer.flush();
                }
                long acked = System.nanoTime();
                out.printf("  acknowledged by Kafka: %,.0f lines/s%n", lines / PipelineBenchmark.seconds(acked - start));
                awaitCaughtUp(admin, config.job().applicationId(),
                        List.of(Topics.ACCESS_LOGS, Topics.modelRequests(config.job().applicationId())));
                long finished = System.nanoTime();
                out.printf("  end to end (committed through pool and model windows): %,.0f lines/s (%.1f s)%n",
                        lines / PipelineBenchmark.seconds(finished - start), PipelineBenchmark.seconds(finished - start));
                out.printf("  dead-lettered (late or invalid): %,d%n", endOffsets(admin, List.of(Topics.DEAD_LETTER)).values()
                        .stream().mapToLong(Long::longValue).sum());
            }
        }
    }

    private AccessLog line(int i, long completedMs, SplittableRandom random) {
        int model = i % models;
        double roll = random.nextDouble();
        int status = roll < 0.01 ? 503 : roll < 0.02 ? 429 : roll < 0.03 ? 404 : 200;
        String target = random.nextBoolean() ? "" : "model-" + model + "-lora";
        double latency = Math.exp(random.nextDouble(-3, 2));
        return AccessLog.newBuilder()
                .setRequestTime(Instant.ofEpochMilli(completedMs - Math.round(latency * 1000)))
                .setCluster("bench")
                .setNamespace("default")
                .setPool("pool-" + (i % pools))
                .setModelName("model-" + model)
                .setTargetModelName(target)
                .setStatus(status)
                .setLatencySeconds(latency)
                .setInputTokens((long) random.nextInt(10, 4000))
                .setOutputTokens((long) random.nextInt(1, 1000))
                .setProxyStatus(status == 503 ? "error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"" : null)
                .setSourceFormat("gcp-lb")
                .build();
    }

    /**
     * Waits until the group's committed offsets reach the end offsets of the topics. The pool stage
     * writes the repartition topic, so its end is read again on every round.
     */
    private void awaitCaughtUp(Admin admin, String groupId, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
        long behind = Long.MAX_VALUE;
        while (behind > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The streams job was still " + behind + " records behind "
                        + CATCH_UP_LIMIT.toMinutes() + " minutes after the last acknowledgement");
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            behind = 0;
            for (Map.Entry<TopicPartition, Long> end : endOffsets(admin, topics).entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                behind += end.getValue() - (at == null ? 0 : at.offset());
            }
            if (behind > 0) {
                Thread.sleep(50);
            }
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
            topic.partitions().forEach(p -> request.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }
}
