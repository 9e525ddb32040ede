package io.inferpulse.app.bench;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.logs.AccessLogFormats;
import io.inferpulse.ingest.logs.AccessLogMapping;
import io.inferpulse.ingest.receive.AccessLogPipeline;
import io.inferpulse.ingest.receive.RawLine;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Access-log lines through the receivers' pipeline on the embedded stack: the UTF-8 check, the
 * {@code gcp-lb} parser, the Avro record and a produce with acks=all, acknowledged by a real
 * broker. The lines are Cloud Logging entries of a simulated fleet's regional external load
 * balancer (the fleet simulator's access log), a corpus cycled through; HTTP and file reading are
 * left out, so this measures the part every receiver shares.
 *
 * <p>Run 1 parses without publishing: lines per second parsed. Run 2 publishes batches of
 * {@value #BATCH} lines from several threads, as concurrent HTTP requests would, each waiting for
 * its acknowledgement: lines per second acknowledged. Both use one thread per core and one more
 * for each core, so that a thread waiting for Kafka leaves its core to another.
 */
public final class AccessLogBenchmark {
    private static final int BATCH = 1000;
    private static final int CORPUS = 50_000;
    private static final int WARM_UP = 100_000;

    private final PrintStream out;

    public AccessLogBenchmark(PrintStream out) {
        this.out = out;
    }

    public void run(int lines) throws Exception {
        int threads = 2 * Runtime.getRuntime().availableProcessors();
        out.printf("bench access-logs: %,d lines, %d cores, %d threads, JVM %s%n", lines,
                Runtime.getRuntime().availableProcessors(), threads, Runtime.version());
        List<RawLine> corpus = corpus(Math.min(lines, CORPUS));
        out.printf("corpus: %,d distinct gcp-lb lines from the fleet simulator, %,d bytes on average%n", corpus.size(),
                corpus.stream().mapToLong(RawLine::size).sum() / corpus.size());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(DevSchemaRegistry.Settings.forBroker(broker.bootstrapServers()));
             SchemaRegistryClient client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(
                     Map.of(RegistryClientConfig.URL, registry.url().toString())))) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
            TopicSetup.ensure(kafka, Topics.SPECS);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            try (AccessLogPipeline pipeline = AccessLogPipeline.create("bench",
                    AccessLogFormats.parser("gcp-lb", AccessLogMapping.defaults("bench")), AccessLogPipeline.Settings.defaults(),
                    kafka, client, new IngestMetrics(meters), Clock.systemUTC());
                 ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                publish(pipeline, pool, corpus, WARM_UP);

                out.printf("%nRun 1: parse %,d lines (decode, parse, Avro record), no Kafka%n", lines);
                long start = System.nanoTime();
                long rejected = parse(pipeline, pool, corpus, lines);
                double seconds = (System.nanoTime() - start) / 1e9;
                out.printf("  parsed:       %,.0f lines/s (%.2f s, %d rejected)%n", lines / seconds, seconds, rejected);

                out.printf("%nRun 2: parse and publish %,d lines in batches of %,d, acks=all, each batch waiting for its acknowledgement%n",
                        lines, BATCH);
                start = System.nanoTime();
                long published = publish(pipeline, pool, corpus, lines);
                seconds = (System.nanoTime() - start) / 1e9;
                out.printf("  acknowledged: %,.0f lines/s (%.2f s)%n", lines / seconds, seconds);
                long onTopic = recordsOn(kafka, Topics.ACCESS_LOGS);
                out.printf("  records on %s: %,d (warm-up %,d + run %,d)%n", Topics.ACCESS_LOGS, onTopic, WARM_UP, published);
                if (onTopic != WARM_UP + published) {
                    throw new IllegalStateException("expected " + (WARM_UP + published) + " records on " + Topics.ACCESS_LOGS);
                }
            }
        }
    }

    private static List<RawLine> corpus(int size) {
        List<RawLine> lines = new ArrayList<>(size);
        FleetConfig config = FleetConfig.builder().cluster("bench").pools(8).podsPerPool(4).manualTime().build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> {
            if (lines.size() < size) {
                lines.add(new RawLine(line.getBytes(StandardCharsets.UTF_8), "bench", Map.of()));
            }
        })) {
            fleet.endpoints().stream().map(e -> e.pool()).distinct().forEach(p -> fleet.setArrivalRate(p, 100));
            for (int second = 0; lines.size() < size && second < 3600; second++) {
                fleet.advance(Duration.ofSeconds(1));
            }
        }
        if (lines.size() < size) {
            throw new IllegalStateException("the fleet logged only " + lines.size() + " requests in an hour");
        }
        return lines;
    }

    private static long parse(AccessLogPipeline pipeline, ExecutorService pool, List<RawLine> corpus, int lines) throws Exception {
        AtomicLong rejected = new AtomicLong();
        runBatches(pool, lines, batch -> rejected.addAndGet(pipeline.prepare(slice(corpus, batch, lines)).rejected()));
        return rejected.get();
    }

    private static long publish(AccessLogPipeline pipeline, ExecutorService pool, List<RawLine> corpus, int lines) throws Exception {
        AtomicLong published = new AtomicLong();
        runBatches(pool, lines, batch -> {
            AccessLogPipeline.BatchResult result = pipeline.publish(slice(corpus, batch, lines), Duration.ofMinutes(1));
            if (result.rejected() > 0) {
                throw new IllegalStateException(result.rejected() + " simulated lines were rejected; see the dead letters");
            }
            published.addAndGet(result.published());
        });
        return published.get();
    }

    @FunctionalInterface
    private interface BatchTask {
        void run(int batch) throws Exception;
    }

    /** Runs every batch of the lines on the pool, each thread taking the next batch as it finishes one. */
    private static void runBatches(ExecutorService pool, int lines, BatchTask task) throws Exception {
        int batches = (lines + BATCH - 1) / BATCH;
        AtomicInteger next = new AtomicInteger();
        int threads = 2 * Runtime.getRuntime().availableProcessors();
        List<Future<?>> workers = IntStream.range(0, threads).<Future<?>>mapToObj(t -> pool.submit(() -> {
            for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                task.run(b);
            }
            return null;
        })).toList();
        for (Future<?> worker : workers) {
            worker.get();
        }
    }

    /** The batch's lines, taken from the corpus round and round. */
    private static List<RawLine> slice(List<RawLine> corpus, int batch, int lines) {
        int size = Math.min(BATCH, lines - batch * BATCH);
        List<RawLine> slice = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            slice.add(corpus.get((batch * BATCH + i) % corpus.size()));
        }
        return slice;
    }

    private static long recordsOn(KafkaSettings kafka, String topic) {
        // The pipeline's producer is not transactional, so the end offsets count records and nothing else.
        Map<String, Object> props = kafka.clientConfig("bench-count");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
