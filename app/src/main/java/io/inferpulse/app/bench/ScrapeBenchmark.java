package io.inferpulse.app.bench;

import io.inferpulse.app.bench.jmh.Bodies;
import com.sun.management.OperatingSystemMXBean;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.engine.PodStatus;
import io.inferpulse.ingest.engine.VllmMapping;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.scrape.ScrapeHandler;
import io.inferpulse.ingest.scrape.ScrapeProfile;
import io.inferpulse.ingest.scrape.ScrapeSettings;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.ingest.scrape.Scraper;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.schemas.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The scraper at fleet scale: many vLLM targets scraped at one interval by the real
 * {@link Scraper} (HTTP, parse, vLLM mapping), with a counting sink instead of Kafka, reporting
 * the scrape rate achieved, errors, scrape duration and the CPU the scraping process used.
 *
 * <p>The targets are served by a second JVM (this jar again, {@code bench scrape-targets}), so that
 * the CPU figure is the scraper's alone, as it would be in a cluster where the model servers run
 * elsewhere. They all serve one realistic body, taken once from the simulated fleet after a minute
 * of simulated load, from a single selector thread: what is measured is the scraper, not the
 * simulator.
 */
public final class ScrapeBenchmark {
    private static final String PORTS_LINE = "PORTS ";
    private static final Duration CHILD_START_LIMIT = Duration.ofSeconds(60);

    private final PrintStream out;

    public ScrapeBenchmark(PrintStream out) {
        this.out = out;
    }

    /**
     * Scrapes {@code targets} targets every {@code interval} for {@code warmup} (not counted, for the
     * JIT and the connection pool), then for {@code seconds}, then stops by itself.
     */
    public void run(int targets, Duration interval, int seconds, Duration warmup, int concurrency) throws Exception {
        out.printf("bench scrape: %d targets every %d ms, %d s measured after %d s warm-up, concurrency %d, "
                        + "%d cores, JVM %s%n", targets, interval.toMillis(), seconds, warmup.toSeconds(), concurrency,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        Process child = startTargets(targets);
        Thread killChild = new Thread(child::destroyForcibly, "bench-scrape-targets-reaper");
        Runtime.getRuntime().addShutdownHook(killChild);
        try {
            List<Integer> ports = awaitPorts(child);
            out.printf("targets: %d HTTP servers in a child JVM (pid %d)%n", ports.size(), child.pid());
            measure(ports, interval, seconds, warmup, concurrency);
        } finally {
            // Closing its stdin is the child's cue to exit; destroy covers a child that is stuck.
            child.getOutputStream().close();
            if (!child.waitFor(5, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Runtime.getRuntime().removeShutdownHook(killChild);
        }
    }

    private void measure(List<Integer> ports, Duration interval, int seconds, Duration warmup, int concurrency)
            throws InterruptedException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Measuring handler = new Measuring((int) (ports.size() * (seconds * 1000L / interval.toMillis() + 2)));
        ScrapeProfile profile = ScrapeProfile.defaults().withInterval(interval);
        List<ScrapeTarget> targets = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            String address = "127.0.0.1:" + ports.get(i);
            targets.add(new ScrapeTarget(new PodIdentity("bench", "default", "pool-" + i / 50, "pod-" + i, address, Map.of()),
                    URI.create("http://" + address + "/metrics"), profile, ScrapeTarget.DEFAULT_ENGINE));
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ScrapeSettings settings = new ScrapeSettings(profile, concurrency, 16 * 1024 * 1024, Duration.ZERO);
        try (Scraper scraper = new Scraper(settings, handler, discardingDeadLetters(meters), new IngestMetrics(meters), Clock.systemUTC())) {
            scraper.setTargets(targets);
            Thread.sleep(warmup);

            Snapshot before = Snapshot.take(handler, meters, os);
            handler.measuring = true;
            Thread.sleep(Duration.ofSeconds(seconds));
            handler.measuring = false;
            Snapshot after = Snapshot.take(handler, meters, os);

            double wall = (after.nanos - before.nanos) / 1e9;
            double expected = targets.size() * 1000.0 / interval.toMillis();
            double achieved = (after.scrapes - before.scrapes) / wall;
            out.printf("scrapes/s:       %,.1f achieved vs %,.1f expected (%.2f %%)%n",
                    achieved, expected, 100 * achieved / expected);
            out.printf("errors:          %,d%s; skipped (previous still running): %,d%n",
                    after.errorCount() - before.errorCount(), after.errorsByReason(before), after.skipped - before.skipped);
            out.printf("samples mapped:  %,d pod samples (UP), %,.0f Prometheus samples parsed/s%n",
                    after.samples - before.samples, (after.parsed - before.parsed) / wall);
            double[] ms = handler.durationsMillis();
            out.printf("scrape duration: p50 %.2f ms, p99 %.2f ms, max %.2f ms (fetch + parse, %,d scrapes)%n",
                    percentile(ms, 0.50), percentile(ms, 0.99), ms.length == 0 ? Double.NaN : ms[ms.length - 1], ms.length);
            out.printf("scraper CPU:     %.3f cores (%.2f s CPU over %.2f s wall; the target JVM excluded)%n",
                    (after.cpuNanos - before.cpuNanos) / 1e9 / wall, (after.cpuNanos - before.cpuNanos) / 1e9, wall);
        }
    }

    private Process startTargets(int count) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "io.inferpulse.app.Main", "bench", "scrape-targets", "--count", String.valueOf(count));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static List<Integer> awaitPorts(Process child) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<List<Integer>> ports = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith(PORTS_LINE)) {
                        return Arrays.stream(line.substring(PORTS_LINE.length()).split(",")).map(Integer::valueOf).toList();
                    }
                }
                throw new IllegalStateException("the target JVM exited before serving (exit code "
                        + child.waitFor() + ")");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("could not read the target JVM's ports", e);
            }
        });
        return ports.get(CHILD_START_LIMIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * The child's side: serves {@code count} targets on ports of 127.0.0.1, prints them on one
     * line, and exits when its standard input closes, that is when the parent is done or dead.
     */
    public static void serveTargets(int count, PrintStream out) throws Exception {
        byte[] body = Bodies.vllm();
        byte[] response = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        response = Arrays.copyOf(response, response.length + body.length);
        System.arraycopy(body, 0, response, response.length - body.length, body.length);
        try (TargetServer server = new TargetServer(count, response)) {
            Thread.ofPlatform().name("scrape-targets").daemon().start(server);
            out.println(PORTS_LINE + String.join(",", server.ports().stream().map(String::valueOf).toList()));
            out.flush();
            System.err.printf("bench scrape-targets: serving a %,d-byte vLLM body on %d ports%n", body.length, count);
            while (System.in.read() >= 0) {
                // Nothing is sent on stdin; it only tells us when the parent has gone.
            }
        }
    }

    private static DeadLetters discardingDeadLetters(SimpleMeterRegistry meters) {
        Topic<String, DeadLetter> topic = new Topic<>("dead-letter", Serdes.String(), Serdes.serdeFrom(
                (Serializer<DeadLetter>) (t, letter) -> new byte[0], (Deserializer<DeadLetter>) (t, bytes) -> null));
        return new DeadLetters(new MockProducer<>(true, null, new StringSerializer(), (t, letter) -> new byte[0]), topic,
                meters, Clock.systemUTC(), 4096);
    }

    private static double percentile(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    /** Maps every scrape as ingest does, counts the samples, and keeps each scrape's duration while measuring. */
    private static final class Measuring implements ScrapeHandler {
        private final ScrapeHandler mapping = ScrapeHandler.mapping(new VllmMapping(), this::count);
        private final LongAdder scrapes = new LongAdder();
        private final LongAdder upSamples = new LongAdder();
        private final long[] durationNanos;
        private final AtomicInteger recorded = new AtomicInteger();
        volatile boolean measuring;

        Measuring(int capacity) {
            this.durationNanos = new long[capacity];
        }

        @Override
        public void scraped(ScrapeTarget target, Exposition exposition, Instant sampleTime, double durationSeconds) {
            mapping.scraped(target, exposition, sampleTime, durationSeconds);
            scrapes.increment();
            if (measuring) {
                int i = recorded.getAndIncrement();
                if (i < durationNanos.length) {
                    durationNanos[i] = (long) (durationSeconds * 1e9);
                }
            }
        }

        @Override
        public void gone(ScrapeTarget target, Instant at) {
            mapping.gone(target, at);
        }

        private void count(PodSample sample) {
            if (sample.status() == PodStatus.UP) {
                upSamples.increment();
            }
        }

        double[] durationsMillis() {
            return Arrays.stream(durationNanos, 0, Math.min(recorded.get(), durationNanos.length))
                    .mapToDouble(n -> n / 1e6).sorted().toArray();
        }
    }

    private record Snapshot(long nanos, long cpuNanos, long scrapes, long samples, double parsed, long skipped,
                            Map<String, Long> errors) {
        static Snapshot take(Measuring handler, SimpleMeterRegistry meters, OperatingSystemMXBean os) {
            Map<String, Long> errors = new TreeMap<>();
            meters.find("inferpulse_scrape_errors").counters()
                    .forEach(c -> errors.put(c.getId().getTag("reason"), (long) c.count()));
            return new Snapshot(System.nanoTime(), os.getProcessCpuTime(), handler.scrapes.sum(), handler.upSamples.sum(),
                    meters.get("inferpulse_scrape_samples").counter().count(),
                    (long) meters.get("inferpulse_scrape_skipped").counter().count(), errors);
        }

        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        String errorsByReason(Snapshot before) {
            List<String> nonZero = new ArrayList<>();
            errors.forEach((reason, n) -> {
                long delta = n - before.errors.getOrDefault(reason, 0L);
                if (delta > 0) {
                    nonZero.add(reason + " " + delta);
                }
            });
            return nonZero.isEmpty() ? "" : " (" + String.join(", ", nonZero) + ")";
        }
    }

    /**
     * Answers every HTTP/1.1 request on any of its ports with the same bytes, keeping connections
     * alive, from one selector thread: enough for thousands of requests a second, and light enough
     * that a thousand targets need no thousand threads.
     */
    private static final class TargetServer implements Runnable, AutoCloseable {
        private final Selector selector;
        private final byte[] response;
        private final List<ServerSocketChannel> listeners = new ArrayList<>();

        TargetServer(int count, byte[] response) throws IOException {
            this.selector = Selector.open();
            this.response = response;
            for (int i = 0; i < count; i++) {
                ServerSocketChannel channel = ServerSocketChannel.open();
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_ACCEPT);
                listeners.add(channel);
            }
        }

        List<Integer> ports() throws IOException {
            List<Integer> ports = new ArrayList<>();
            for (ServerSocketChannel listener : listeners) {
                ports.add(((InetSocketAddress) listener.getLocalAddress()).getPort());
            }
            return ports;
        }

        @Override
        public void run() {
            try {
                while (selector.isOpen()) {
                    selector.select();
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        try {
                            if (key.isAcceptable()) {
                                accept((ServerSocketChannel) key.channel());
                            } else {
                                serve(key);
                            }
                        } catch (IOException | CancelledKeyException e) {
                            key.channel().close();
                        }
                    }
                }
            } catch (IOException | ClosedSelectorException e) {
                // closed: the benchmark is over
            }
        }

        private void accept(ServerSocketChannel server) throws IOException {
            SocketChannel client = server.accept();
            if (client != null) {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.register(selector, SelectionKey.OP_READ, new Connection());
            }
        }

        private void serve(SelectionKey key) throws IOException {
            SocketChannel channel = (SocketChannel) key.channel();
            Connection connection = (Connection) key.attachment();
            if (key.isReadable()) {
                connection.in.clear();
                int read = channel.read(connection.in);
                if (read < 0) {
                    channel.close();
                    return;
                }
                connection.countRequests(connection.in.flip());
            }
            while (true) {
                if (connection.out == null || !connection.out.hasRemaining()) {
                    if (connection.unanswered == 0) {
                        break;
                    }
                    connection.unanswered--;
                    connection.out = ByteBuffer.wrap(response);
                }
                channel.write(connection.out);
                if (connection.out.hasRemaining()) {
                    break;
                }
            }
            boolean pending = connection.unanswered > 0 || (connection.out != null && connection.out.hasRemaining());
            key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        @Override
        public void close() throws IOException {
            // Wakes the serving thread, which then ends; the accepted connections close as the JVM exits.
            selector.close();
            for (ServerSocketChannel listener : listeners) {
                listener.close();
            }
        }
    }

    /** One client connection: requests are counted by their blank line, as a GET has no body. */
    private static final class Connection {
        private static final byte[] END = {'\r', '\n', '\r', '\n'};
        final ByteBuffer in = ByteBuffer.allocate(4096);
        ByteBuffer out;
        int unanswered;
        private int matched;

        void countRequests(ByteBuffer bytes) {
            while (bytes.hasRemaining()) {
                byte b = bytes.get();
                matched = b == END[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == END.length) {
                    unanswered++;
                    matched = 0;
                }
            }
        }
    }
}
