package io.inferpulse.app.bench;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.devstack.registry.DevSchemaRegistry;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.engine.PodStatus;
import io.inferpulse.ingest.publish.PodMetricsPublisher;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.EndpointTable;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.score.ScoreConfig;
import io.inferpulse.streams.score.ScoreJob;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Freshness of endpoint scores: how long after a pod sample is taken the picker's table shows it.
 * A simulated fleet's samples go through ingest's publisher (with ingest's producer settings), a
 * real broker, the endpoint-scores job and the compacted topic into a router-feed
 * {@link EndpointTable}; a watcher thread polls the table's snapshots every 50 us and notes, for
 * every sample, when its endpoint first shows that sample's time. Every sample changes its pod's
 * KV-cache use, so every one is worth a record.
 */
public final class FreshnessBenchmark {
    private static final long WATCH_PAUSE_NANOS = 50_000;

    private final int pools;
    private final int podsPerPool;
    private final Map<String, String> jobSettings;
    private final PrintStream out;

    /** @param jobSettings settings of the endpoint-scores job over the defaults, e.g. {@code streams.commit.interval.ms} */
    public FreshnessBenchmark(int pools, int podsPerPool, Map<String, String> jobSettings, PrintStream out) {
        this.pools = pools;
        this.podsPerPool = podsPerPool;
        this.jobSettings = Map.copyOf(jobSettings);
        this.out = out;
    }

    /**
     * @param hz samples per pod per second
     * @param seconds length of the measured run, after the warm-up
     */
    public void run(double hz, int seconds, int warmupSeconds) throws Exception {
        int endpoints = pools * podsPerPool;
        Path dir = Files.createTempDirectory("inferpulse-bench-");
        out.printf("bench freshness: %d pools x %d pods, %.1f samples/s per pod (%.0f/s), %d s + %d s warm-up, %d cores, JVM %s%n",
                pools, podsPerPool, hz, hz * endpoints, seconds, warmupSeconds, Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(
                     new DevSchemaRegistry.Settings(broker.bootstrapServers(), "_schemas", "127.0.0.1", 0))) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
            TopicSetup.ensure(kafka, Topics.SPECS);
            Map<String, String> settings = new HashMap<>(jobSettings);
            settings.put(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
            settings.put(KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString());
            settings.put(ScoreConfig.STATE_DIR.key(), dir.resolve("scores").toString());
            settings.put("http.port", "0");
            ScoreConfig config = ScoreConfig.of(settings);
            if (!jobSettings.isEmpty()) {
                out.printf("job settings: %s%n", new TreeMap<>(jobSettings));
            }
            // The job's meters reach a registry of their own only from the end of the warm-up, so its
            // figures cover the samples measured and not the start-up's first fetches.
            CompositeMeterRegistry jobMeters = new CompositeMeterRegistry();
            SimpleMeterRegistry measuredJobMeters = new SimpleMeterRegistry();
            try (SchemaRegistryClient client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig()));
                 StreamsJob scores = StreamsJob.start(ScoreJob.spec(config, jobMeters), jobMeters, new HealthChecks());
                 EndpointTable table = EndpointTable.start(kafka, "bench-freshness-table", new SimpleMeterRegistry(),
                         new HealthChecks())) {
                awaitStarted(scores, table);
                Topics topics = new Topics(new AvroSerdes(client));
                var topic = topics.podMetrics();
                var dlq = topics.deadLetter();
                // ingest's producer settings (IngestService): acks=all, idempotence, 5 ms linger, lz4
                Map<String, Object> props = kafka.clientConfig("bench-freshness-publisher");
                props.put(ProducerConfig.ACKS_CONFIG, "all");
                props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
                Watcher watcher = new Watcher(table, endpoints);
                SchedulerProbe probe = new SchedulerProbe();
                try (var producer = new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer());
                     var dlqProducer = new KafkaProducer<>(props, dlq.keySerde().serializer(), dlq.valueSerde().serializer());
                     PodMetricsPublisher publisher = new PodMetricsPublisher(producer, topic,
                             new DeadLetters(dlqProducer, dlq, new SimpleMeterRegistry(), Clock.systemUTC(), 4096),
                             100_000, Duration.ofSeconds(1), new IngestMetrics(new SimpleMeterRegistry()))) {
                    Thread watching = Thread.ofPlatform().name("freshness-watcher").start(watcher::watch);
                    Thread probing = Thread.ofPlatform().name("freshness-scheduler-probe").daemon().start(probe::run);
                    try {
                        send(publisher, watcher, hz, seconds, warmupSeconds, () -> jobMeters.add(measuredJobMeters));
                        // Stragglers: anything not shown within 2 s counts as not seen.
                        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                    } finally {
                        watcher.stop();
                        probe.stop();
                        watching.join();
                        probing.join();
                    }
                }
                report(watcher, measuredJobMeters, probe);
            }
        }
    }

    private void send(PodMetricsPublisher publisher, Watcher watcher, double hz, int seconds, int warmupSeconds,
                      Runnable measuring) {
        int endpoints = pools * podsPerPool;
        long intervalNanos = Math.round(1e9 / (hz * endpoints));
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long next = start;
        long sequence = 0;
        boolean measured = false;
        while (next < end) {
            PipelineBenchmark.parkUntil(next);
            if (!measured && next >= measureFrom) {
                measuring.run();
                measured = true;
            }
            int endpoint = (int) (sequence % endpoints);
            long round = sequence / endpoints;
            // Samples of one pod are 1/hz apart, whatever the scheduling: never two in one millisecond.
            Instant sampled = Instant.ofEpochMilli(System.currentTimeMillis());
            watcher.expect(endpoint, sampled.toEpochMilli(), System.nanoTime(), next >= measureFrom);
            if (!publisher.offer(sample(endpoint, round, sampled))) {
                throw new IllegalStateException("The publisher's buffer is full: the pipeline cannot keep up with "
                        + Math.round(hz * endpoints) + " samples/s");
            }
            sequence++;
            next += intervalNanos;
        }
    }

    /**
     * The queue walks up and down and the KV-cache use moves by 0.37 (mod 1) every sample, so each
     * sample changes the pod's score by far more than the publish epsilon.
     */
    private PodSample sample(int endpoint, long round, Instant sampled) {
        int pool = endpoint / podsPerPool;
        int pod = endpoint % podsPerPool;
        double kv = ((round * 37 + endpoint) % 100) / 100.0;
        double queue = (round + pod) % 8;
        return new PodSample("bench", "default", "pool-" + pool, podName(pool, pod), "10.1." + pool + "." + pod + ":8000",
                "vllm", sampled, 0.001, OptionalDouble.of(kv), OptionalDouble.of(queue), OptionalDouble.of(4),
                Optional.empty(), Map.of(), Map.of(), List.of(), PodStatus.UP);
    }

    private static String podName(int pool, int pod) {
        return "pool-" + pool + "-pod-" + pod;
    }

    private void report(Watcher watcher, SimpleMeterRegistry jobMeters, SchedulerProbe probe) {
        long[] latencies = watcher.latencies();
        Arrays.sort(latencies);
        long notShown = watcher.notShown();
        out.printf("%nSamples measured: %,d; shown in the table: %,d; overtaken by a newer sample before shown: %,d; "
                + "not shown within 2 s: %,d%n", latencies.length + watcher.overtaken + notShown, latencies.length,
                watcher.overtaken, notShown);
        if (latencies.length > 0) {
            out.printf("Sample -> picker's table: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    PipelineBenchmark.pct(latencies, 0.50), PipelineBenchmark.pct(latencies, 0.90),
                    PipelineBenchmark.pct(latencies, 0.99), latencies[latencies.length - 1] / 1e3);
        }
        var age = jobMeters.get("inferpulse_endpoint_score_sample_age").summary().takeSnapshot();
        StringBuilder parts = new StringBuilder();
        for (ValueAtPercentile p : age.percentileValues()) {
            parts.append(String.format(" p%.0f %.1f ms,", p.percentile() * 100, p.value() * 1000));
        }
        out.printf("The job's part, scrape -> record handed to its producer (inferpulse_endpoint_score_sample_age_seconds):%s "
                + "max %.1f ms%n", parts, age.max() * 1000);
        out.printf("Records the job published while measuring: %,.0f (renormalisation also republishes the pool's other endpoints)%n",
                jobMeters.get("inferpulse_endpoint_score_records").counter().count());
        long[] lateness = probe.lateness();
        Arrays.sort(lateness);
        if (lateness.length > 0) {
            out.printf("CPU contention: a 1 ms sleep overslept by p50 %.2f ms, p99 %.1f ms, max %.1f ms (load average %.1f)%n",
                    PipelineBenchmark.pct(lateness, 0.5), PipelineBenchmark.pct(lateness, 0.99), lateness[lateness.length - 1] / 1e3,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /**
     * How late a thread wakes from a 1 ms sleep during the run: on a machine whose cores are busy
     * with other work every hop of the pipeline waits like this for a core, and the figures above
     * are only as good as this is small.
     */
    private static final class SchedulerProbe {
        private long[] lateness = new long[1 << 16];
        private int count;
        private volatile boolean running = true;

        void run() {
            while (running) {
                long before = System.nanoTime();
                LockSupport.parkNanos(1_000_000);
                long lateMicros = (System.nanoTime() - before - 1_000_000) / 1000;
                if (count == lateness.length) {
                    lateness = Arrays.copyOf(lateness, count * 2);
                }
                lateness[count++] = Math.max(0, lateMicros);
            }
        }

        void stop() {
            running = false;
        }

        /** Call once the probe's thread has ended. */
        long[] lateness() {
            return Arrays.copyOf(lateness, count);
        }
    }

    private void awaitStarted(StreamsJob scores, EndpointTable table) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (scores.state() != KafkaStreams.State.RUNNING || !table.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The endpoint-scores job or the endpoint table did not start within 60 s "
                        + "(job " + scores.state() + ", table ready " + table.ready() + ")");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Notes what was sent per endpoint and, on its own thread, when the table first shows each sample.
     * A pool is looked at only when its snapshot instance changed, so watching costs little between batches.
     */
    private final class Watcher {
        private record Expected(long sampleTimeMs, long sentNanos, boolean measured) {}

        private final EndpointTable table;
        private final Map<String, Integer> indexByKey = new HashMap<>();
        private final ArrayDeque<Expected>[] expected;
        private long[] latencies = new long[1 << 14];
        private int count;
        private long overtaken;
        private volatile boolean running = true;

        @SuppressWarnings("unchecked")
        Watcher(EndpointTable table, int endpoints) {
            this.table = table;
            this.expected = new ArrayDeque[endpoints];
            for (int e = 0; e < endpoints; e++) {
                expected[e] = new ArrayDeque<>();
                indexByKey.put("bench/default/" + podName(e / podsPerPool, e % podsPerPool) + ":8000", e);
            }
        }

        /** Called by the sender before the sample is offered, so the watcher can never see it first. */
        void expect(int endpoint, long sampleTimeMs, long sentNanos, boolean measure) {
            synchronized (expected[endpoint]) {
                expected[endpoint].addLast(new Expected(sampleTimeMs, sentNanos, measure));
            }
        }

        void watch() {
            Map<String, PoolSnapshot> seen = Map.of();
            while (running) {
                Map<String, PoolSnapshot> current = table.pools();
                if (current == seen) {
                    LockSupport.parkNanos(WATCH_PAUSE_NANOS);
                    continue;
                }
                long now = System.nanoTime();
                for (Map.Entry<String, PoolSnapshot> pool : current.entrySet()) {
                    if (seen.get(pool.getKey()) != pool.getValue()) {
                        for (Endpoint endpoint : pool.getValue().endpoints()) {
                            shown(endpoint, now);
                        }
                    }
                }
                seen = current;
            }
        }

        private void shown(Endpoint endpoint, long now) {
            Integer index = indexByKey.get(endpoint.key());
            if (index == null) {
                return;
            }
            long shownMs = endpoint.sampleTime().toEpochMilli();
            ArrayDeque<Expected> queue = expected[index];
            synchronized (queue) {
                while (!queue.isEmpty() && queue.peekFirst().sampleTimeMs() <= shownMs) {
                    Expected e = queue.pollFirst();
                    if (!e.measured()) {
                        continue;
                    }
                    if (e.sampleTimeMs() == shownMs) {
                        record((now - e.sentNanos()) / 1000);
                    } else {
                        overtaken++;
                    }
                }
            }
        }

        private void record(long micros) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = micros;
        }

        void stop() {
            running = false;
        }

        long[] latencies() {
            return Arrays.copyOf(latencies, count);
        }

        /** Measured samples still waiting to be shown; call once watching has stopped. */
        long notShown() {
            long left = 0;
            for (ArrayDeque<Expected> queue : expected) {
                synchronized (queue) {
                    left += queue.stream().filter(Expected::measured).count();
                }
            }
            return left;
        }
    }
}
