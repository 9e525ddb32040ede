package io.inferpulse.app.bench;

import io.inferpulse.avro.PoolStats;
import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.engine.PodStatus;
import io.inferpulse.ingest.publish.PodMetricsPublisher;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.kafka.TopicTail;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsJob;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;

/**
 * End-to-end benchmark of the pod-metrics path: samples enter through ingest's publisher (Avro,
 * registry, producer), cross a real broker and the pool-stats Kafka Streams job, and are read back
 * from the pool-stats topic. HTTP scraping is left out on purpose: it is measured on its own, and
 * here it would only measure the simulator.
 *
 * <p>Run 1 pushes samples as fast as the publisher takes them and reports samples per second until
 * every pool's stats reflect its last sample. Run 2 sends at a fixed rate and reports, for each
 * pool-stats record, the time from its newest sample's creation to its arrival at a consumer.
 */
public final class PipelineBenchmark {
    private final int pools;
    private final int podsPerPool;
    private final PrintStream out;

    public PipelineBenchmark(int pools, int podsPerPool, PrintStream out) {
        this.pools = pools;
        this.podsPerPool = podsPerPool;
        this.out = out;
    }

    public void run(int samples, int rate, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("inferpulse-bench-");
        out.printf("bench pipeline: %d pools x %d pods, %d cores, JVM %s%n", pools, podsPerPool,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(
                     new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0))) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
            TopicSetup.ensure(kafka, Topics.SPECS);
            Map<String, String> settings = Map.of(
                    KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                    KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(),
                    PoolStatsConfig.STATE_DIR.key(), dir.resolve("streams").toString(),
                    // A burst of a million samples is minutes of real fleet time; with the 2 s default
                    // the first samples would be stale before they are counted, and the run would
                    // measure the staleness rule rather than the pipeline.
                    PoolStatsConfig.STALENESS.key(), "1h",
                    PoolStatsConfig.POD_RETENTION.key(), "2h",
                    "http.port", "0");
            PoolStatsConfig streamsConfig = PoolStatsConfig.of(settings);
            try (SchemaRegistryClient client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig()));
                 StreamsJob streams = StreamsJob.start(PoolStatsJob.spec(streamsConfig), new SimpleMeterRegistry(),
                         new HealthChecks());
                 Reader reader = new Reader(kafka, new Topics(new AvroSerdes(client)))) {
                awaitRunning(streams);
                Topics topics = new Topics(new AvroSerdes(client));
                var topic = topics.podMetrics();
                Map<String, Object> props = kafka.clientConfig("bench-publisher");
                props.put(ProducerConfig.ACKS_CONFIG, "all");
                props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
                var dlq = topics.deadLetter();
                try (var producer = new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer());
                     var dlqProducer = new KafkaProducer<>(props, dlq.keySerde().serializer(), dlq.valueSerde().serializer());
                     PodMetricsPublisher publisher = new PodMetricsPublisher(producer, topic,
                             new DeadLetters(dlqProducer, dlq, new SimpleMeterRegistry(), Clock.systemUTC(), 4096),
                             200_000, Duration.ofSeconds(1), new IngestMetrics(new SimpleMeterRegistry()))) {
                    throughput(publisher, reader, samples);
                    latency(publisher, reader, rate, seconds);
                }
            }
        }
    }

    private void throughput(PodMetricsPublisher publisher, Reader reader, int samples) {
        out.printf("%nRun 1: %,d samples as fast as possible%n", samples);
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Instant> lastSamplePerPool = new HashMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < samples; i++) {
            PodSample s = sample(i, random, Instant.now());
            lastSamplePerPool.put(s.pool(), s.sampleTime().truncatedTo(ChronoUnit.MILLIS)); // as the topic stores it
            while (!publisher.offer(s)) {
                LockSupport.parkNanos(50_000);
            }
        }
        long published = System.nanoTime();
        while (publisher.pending() > 0) {
            LockSupport.parkNanos(1_000_000);
        }
        long acked = System.nanoTime();
        reader.awaitAll(lastSamplePerPool, Duration.ofMinutes(5));
        long done = System.nanoTime();
        out.printf("  handed to the publisher: %,.0f samples/s%n", samples / seconds(published - start));
        out.printf("  acknowledged by Kafka:   %,.0f samples/s%n", samples / seconds(acked - start));
        out.printf("  end to end (every pool's stats reflect its last sample): %,.0f samples/s (%.1f s)%n",
                samples / seconds(done - start), seconds(done - start));
    }

    private void latency(PodMetricsPublisher publisher, Reader reader, int rate, int seconds) {
        out.printf("%nRun 2: %,d samples/s for %d s (first 5 s are warm-up, not counted)%n", rate, seconds);
        SplittableRandom random = new SplittableRandom(2);
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        reader.startRecording(start + TimeUnit.SECONDS.toNanos(5));
        long next = start;
        int i = 0;
        while (next < end) {
            parkUntil(next);
            if (!publisher.offer(sample(i++, random, Instant.now()))) {
                throw new IllegalStateException("The publisher's buffer is full at " + rate + " samples/s: the pipeline cannot keep up");
            }
            next += intervalNanos;
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
        long[] latencies = reader.stopRecording();
        Arrays.sort(latencies);
        out.printf("  pool-stats records measured: %,d%n", latencies.length);
        if (latencies.length > 0) {
            out.printf("  sample -> pool-stats latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    pct(latencies, 0.50), pct(latencies, 0.90), pct(latencies, 0.99), latencies[latencies.length - 1] / 1e3);
        }
    }

    private PodSample sample(int i, SplittableRandom random, Instant time) {
        int pool = i % pools;
        int pod = (i / pools) % podsPerPool;
        return new PodSample("bench", "default", "pool-" + pool, "pool-" + pool + "-pod-" + pod, "10.0." + pool + "." + pod + ":8000",
                "vllm", time, 0.001, OptionalDouble.of(random.nextDouble()), OptionalDouble.of(random.nextInt(20)),
                OptionalDouble.of(random.nextInt(64)), Optional.empty(), Map.of(), Map.of(), List.of(), PodStatus.UP);
    }

    /** The value at quantile q of sorted microseconds, in milliseconds. Also used by {@link FreshnessBenchmark} and {@link ExtProcBenchmark}. */
    static double pct(long[] sortedMicros, double q) {
        return sortedMicros[(int) Math.min(sortedMicros.length - 1, Math.ceil(q * sortedMicros.length) - 1)] / 1e3;
    }

    /** Waits for the {@link System#nanoTime()} instant of a paced send, in short parks so that it is not late by much. */
    static void parkUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(Math.min(left, 200_000));
        }
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Also the start of {@link RequestStatsBenchmark}: both run the same streams job. */
    static void awaitRunning(StreamsJob streams) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The pool-stats job did not start within 60 s (state " + streams.state() + ")");
            }
            Thread.sleep(100);
        }
    }

    /** Reads pool-stats as they arrive, noting the newest sample each pool reflects and, when asked, latencies. */
    private static final class Reader implements AutoCloseable {
        private final Map<String, Instant> newestPerPool = new ConcurrentHashMap<>();
        private final TopicTail<String, PoolStats> tail;
        private volatile long recordFromNanos = Long.MAX_VALUE;
        private long[] latencies = new long[1 << 16];
        private int count;

        Reader(KafkaSettings kafka, Topics topics) {
            tail = TopicTail.start(kafka.clientConfig("bench-reader"), topics.poolStats(), TopicTail.From.END, r -> {
                Instant arrived = Instant.now();
                Instant newest = r.value().getNewestSampleTime();
                if (newest == null) {
                    return;
                }
                newestPerPool.merge(r.value().getPool(), newest, (a, b) -> a.isAfter(b) ? a : b);
                if (System.nanoTime() >= recordFromNanos) {
                    // sample_time is stored in milliseconds, so this overstates latency by up to 1 ms
                    record(ChronoUnit.MICROS.between(newest, arrived));
                }
            });
        }

        private synchronized void record(long micros) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = micros;
        }

        void startRecording(long fromNanos) {
            recordFromNanos = fromNanos;
        }

        synchronized long[] stopRecording() {
            recordFromNanos = Long.MAX_VALUE;
            return Arrays.copyOf(latencies, count);
        }

        void awaitAll(Map<String, Instant> expected, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (expected.entrySet().stream().anyMatch(e -> {
                Instant seen = newestPerPool.get(e.getKey());
                return seen == null || seen.isBefore(e.getValue());
            })) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Pool stats did not catch up within " + timeout);
                }
                LockSupport.parkNanos(1_000_000);
            }
        }

        @Override
        public void close() throws InterruptedException {
            tail.close();
        }
    }
}
