package io.inferpulse.app.bench;

import io.inferpulse.autoscaler.metrics.MetricsApiConfig;
import io.inferpulse.autoscaler.metrics.MetricsApiService;
import io.inferpulse.avro.PoolStats;
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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The external metrics API on the embedded stack, as HPA controllers would load it, only harder:
 * a writer updates every pool's pool-stats record at a fixed interval while client threads ask
 * for {@code inference_pool_total_queue_size} of a random pool over HTTPS on loopback (keep-alive
 * connections, the server's self-signed certificate, insecure-local access control).
 *
 * <p>Each record carries its sequence number as {@code total_queue_size}, so a client knows which
 * record it was served. Two figures: the request latency (send to last byte), and how far behind
 * the served value is: 0 when it is the newest record produced for that pool, otherwise the time
 * since the next record was produced (how long a newer value existed but was not yet served).
 */
public final class MetricsApiBenchmark {
    private static final String PATH = "/apis/external.metrics.k8s.io/v1beta1/namespaces/bench/inference_pool_total_queue_size"
            + "?labelSelector=name%3D";

    private final PrintStream out;

    public MetricsApiBenchmark(PrintStream out) {
        this.out = out;
    }

    /** @param rate requests per second over all clients; 0 for each client as fast as it can */
    public void run(int pools, Duration updateInterval, int clients, int rate, int seconds, int warmup) throws Exception {
        out.printf("bench metrics-api: %d pools each updated every %d ms, %d clients, %s, %d s measured after %d s, %d cores, JVM %s%n",
                pools, updateInterval.toMillis(), clients, rate == 0 ? "closed loop" : rate + " requests/s", seconds, warmup, Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             DevSchemaRegistry registry = DevSchemaRegistry.start(new DevSchemaRegistry.Settings(broker.bootstrapServers(),
                     "_schemas", "127.0.0.1", 0))) {
            KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), registry.url().toString());
            TopicSetup.ensure(kafka, Topics.SPECS);
            // Every pool's history: produced-at (epoch nanos of System.nanoTime base) per sequence number.
            List<Map<Long, Long>> producedAt = new ArrayList<>();
            AtomicLongArray newest = new AtomicLongArray(pools);
            for (int p = 0; p < pools; p++) {
                producedAt.add(new ConcurrentHashMap<>());
            }
            AtomicBoolean running = new AtomicBoolean(true);
            try (SchemaRegistryClient client = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig()))) {
                Topic<String, PoolStats> topic = new Topics(new AvroSerdes(client)).poolStats();
                Map<String, Object> producerConfig = kafka.clientConfig("bench-pool-stats");
                producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
                try (KafkaProducer<String, PoolStats> producer = new KafkaProducer<>(producerConfig, topic.keySerde().serializer(),
                        topic.valueSerde().serializer())) {
                    for (int p = 0; p < pools; p++) {
                        send(producer, p, 0, producedAt, newest);
                    }
                    producer.flush();
                    Map<String, String> settings = Map.of(KafkaSettings.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
                            KafkaSettings.SCHEMA_REGISTRY_URL.key(), registry.url().toString(), "http.port", "0",
                            MetricsApiConfig.HOST.key(), "127.0.0.1", MetricsApiConfig.PORT_PARAMETER.key(), "0",
                            MetricsApiConfig.AUTH_MODE.key(), "insecure-local", MetricsApiConfig.STALENESS_MAX_AGE.key(), "1h");
                    HealthChecks health = new HealthChecks();
                    try (MetricsApiService service = MetricsApiService.start(MetricsApiConfig.of(settings), new SimpleMeterRegistry(),
                            health)) {
                        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                        while (!health.ready().stream().allMatch(HealthChecks.Outcome::ok)) {
                            if (System.nanoTime() > deadline) {
                                throw new IllegalStateException("the metrics API was not ready within 60 s: " + health.ready());
                            }
                            Thread.sleep(50);
                        }
                        Thread writer = Thread.ofPlatform().name("bench-writer").start(() -> write(producer, pools, updateInterval,
                                running, producedAt, newest));
                        measure(service.url(), pools, clients, rate, seconds, warmup, producedAt, newest);
                        running.set(false);
                        writer.join();
                    }
                }
            }
        }
    }

    private static void send(KafkaProducer<String, PoolStats> producer, int pool, long seq, List<Map<Long, Long>> producedAt,
                             AtomicLongArray newest) {
        Instant now = Instant.now();
        PoolStats stats = PoolStats.newBuilder().setCluster("bench").setNamespace("bench").setPool("pool-" + pool)
                .setComputedAt(now).setNewestSampleTime(now).setReadyPods(4).setAverageKvCacheUtilization(0.5)
                .setAverageQueueSize(seq / 4.0).setAverageRunningRequests(1.0).setTotalQueueSize(seq).setTotalRunningRequests(4)
                .build();
        producedAt.get(pool).put(seq, System.nanoTime());
        producer.send(new ProducerRecord<>(Topics.POOL_STATS, Topics.poolKey("bench", "bench", "pool-" + pool), stats));
        newest.set(pool, seq);
    }

    private static void write(KafkaProducer<String, PoolStats> producer, int pools, Duration interval, AtomicBoolean running,
                              List<Map<Long, Long>> producedAt, AtomicLongArray newest) {
        long gap = interval.toNanos() / pools;
        long next = System.nanoTime();
        long seq = 1;
        while (running.get()) {
            for (int p = 0; p < pools && running.get(); p++) {
                next += gap;
                while (System.nanoTime() < next) {
                    // Parked, not spinning: on 2 cores a spinning writer would take a core from the server.
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(next - System.nanoTime(), 1_000_000));
                }
                send(producer, p, seq, producedAt, newest);
            }
            seq++;
        }
    }

    private void measure(URI base, int pools, int clients, int rate, int seconds, int warmup, List<Map<Long, Long>> producedAt,
                         AtomicLongArray newest) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
        long start = System.nanoTime();
        long measureFrom = start + Duration.ofSeconds(warmup).toNanos();
        long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
        List<long[]> latencies = new ArrayList<>();
        List<long[]> lags = new ArrayList<>();
        int[] counts = new int[clients];
        int[] errors = new int[clients];
        List<Thread> threads = new ArrayList<>();
        // Built once: an HttpRequest is immutable, and resolving a URI per request is client work that shares the server's cores.
        HttpRequest[] requests = new HttpRequest[pools];
        for (int p = 0; p < pools; p++) {
            requests[p] = HttpRequest.newBuilder(base.resolve(PATH + "pool-" + p)).build();
        }
        for (int c = 0; c < clients; c++) {
            long[] latency = new long[4_000_000 / clients];
            long[] lag = new long[latency.length];
            latencies.add(latency);
            lags.add(lag);
            int id = c;
            threads.add(Thread.ofPlatform().name("bench-client-" + c).start(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long gap = rate == 0 ? 0 : clients * 1_000_000_000L / rate;
                long due = start + id * (gap / Math.max(1, clients));
                int n = 0;
                while (true) {
                    if (gap > 0) {
                        while (System.nanoTime() < due) {
                            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(due - System.nanoTime(), 200_000));
                        }
                    }
                    // At a fixed rate latency counts from when the request was due, so a stall is not hidden
                    // by the requests it delayed (coordinated omission).
                    long t0 = gap > 0 ? due : System.nanoTime();
                    due += gap;
                    if (t0 >= end || n == latency.length) {
                        break;
                    }
                    int pool = random.nextInt(pools);
                    try {
                        HttpResponse<byte[]> response = http.send(requests[pool], HttpResponse.BodyHandlers.ofByteArray());
                        long t1 = System.nanoTime();
                        long served = response.statusCode() == 200 ? firstValue(response.body()) : -1;
                        if (served < 0) {
                            errors[id]++;
                            continue;
                        }
                        Long nextProduced = producedAt.get(pool).get(served + 1);
                        if (t0 >= measureFrom) {
                            latency[n] = t1 - t0;
                            // Behind only if a newer record existed when the answer left the server.
                            lag[n] = nextProduced == null || nextProduced > t1 ? 0 : t1 - nextProduced;
                            n++;
                        }
                    } catch (Exception e) {
                        errors[id]++;
                    }
                }
                counts[id] = n;
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long[] allLatency = merge(latencies, counts);
        long[] allLag = merge(lags, counts);
        int errorCount = Arrays.stream(errors).sum();
        out.printf("requests: %,d in %d s (%,.0f/s), errors %d%n", allLatency.length, seconds, allLatency.length / (double) seconds,
                errorCount);
        out.printf("request latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (target p99 < 5 ms)%n",
                ms(allLatency, 0.50), ms(allLatency, 0.99), ms(allLatency, 0.999), ms(allLatency, 1.0));
        long behind = Arrays.stream(allLag).filter(l -> l > 0).count();
        out.printf("value served behind the newest record: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %.1f%% of answers not the newest "
                + "(target <= 1 s)%n", ms(allLag, 0.50), ms(allLag, 0.99), ms(allLag, 1.0), 100.0 * behind / Math.max(1, allLag.length));
    }

    private static final byte[] ITEMS = "\"items\":[{".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] VALUE = "\"value\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The first item's value of an ExternalMetricValueList as a whole number (the record's sequence
     * number), or -1 when the list has no item or the value is not a plain integer quantity. A scan
     * rather than a JSON tree, because the clients share the server's JVM and heap; the full
     * document is checked against a parser in MetricsApiBenchmarkTest.
     */
    static long firstValue(byte[] body) {
        int items = indexOf(body, ITEMS, 0);
        int at = items < 0 ? -1 : indexOf(body, VALUE, items + ITEMS.length);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        int digits = 0;
        for (int i = at + VALUE.length; i < body.length; i++) {
            byte b = body[i];
            if (b == '"') {
                return digits == 0 ? -1 : value;
            }
            if (b < '0' || b > '9' || ++digits > 18) {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return -1;
    }

    private static int indexOf(byte[] body, byte[] part, int from) {
        outer:
        for (int i = from; i <= body.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (body[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static long[] merge(List<long[]> parts, int[] counts) {
        long[] all = new long[Arrays.stream(counts).sum()];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            System.arraycopy(parts.get(i), 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        return all;
    }

    private static double ms(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** The server's certificate is made at its start; the benchmark measures the API, not certificate checks. */
    private static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }
}
