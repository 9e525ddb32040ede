package io.inferpulse.ingest.scrape;

import io.inferpulse.ingest.engine.EngineMapping;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParseException;
import io.inferpulse.ingest.promtext.PromTextParser;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes each target's /metrics at a fixed interval and hands every mapped sample to a sink. Each
 * target keeps a stable offset inside the interval (as Prometheus spreads its targets), so a
 * thousand targets do not all fire in the same millisecond. Scrapes run on virtual threads, at
 * most {@code maxConcurrency} at once; a target whose previous scrape is still running is skipped
 * rather than queued, so a slow target cannot pile up work.
 */
public final class Scraper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scraper.class);

    private final ScrapeSettings settings;
    private final EngineMapping mapping;
    private final Consumer<PodSample> sink;
    private final DeadLetters deadLetters;
    private final ScrapeMetrics metrics;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledExecutorService ticker;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight;
    private final Map<ScrapeTarget, ScheduledFuture<?>> scheduled = new ConcurrentHashMap<>();
    private final Map<ScrapeTarget, Boolean> running = new ConcurrentHashMap<>();

    public Scraper(ScrapeSettings settings, EngineMapping mapping, Consumer<PodSample> sink, DeadLetters deadLetters,
                   MeterRegistry meters, Clock clock) {
        this.settings = settings;
        this.mapping = mapping;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.metrics = new ScrapeMetrics(meters);
        this.clock = clock;
        this.inFlight = new Semaphore(settings.maxConcurrency());
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .executor(workers)
                .build();
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("scrape-ticker").daemon().factory());
    }

    /** Starts scraping the targets not yet scraped and stops scraping those no longer listed. */
    public void setTargets(List<ScrapeTarget> targets) {
        scheduled.keySet().stream().filter(t -> !targets.contains(t)).toList().forEach(t -> scheduled.remove(t).cancel(false));
        long intervalNanos = settings.interval().toNanos();
        for (ScrapeTarget target : targets) {
            scheduled.computeIfAbsent(target, t -> ticker.scheduleAtFixedRate(() -> dispatch(t),
                    Math.floorMod(t.url().hashCode(), intervalNanos), intervalNanos, TimeUnit.NANOSECONDS));
        }
        LOG.info("Scraping {} targets every {}", scheduled.size(), settings.interval());
    }

    private void dispatch(ScrapeTarget target) {
        if (running.putIfAbsent(target, Boolean.TRUE) != null) {
            return; // previous scrape of this target still running
        }
        if (!inFlight.tryAcquire()) {
            running.remove(target);
            metrics.failed(ScrapeMetrics.Failure.OVERLOADED);
            return;
        }
        workers.execute(() -> {
            try {
                scrape(target);
            } finally {
                inFlight.release();
                running.remove(target);
            }
        });
    }

    /** One scrape, visible for tests; never throws, every failure is counted and logged or dead-lettered. */
    void scrape(ScrapeTarget target) {
        long start = System.nanoTime();
        byte[] body;
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(target.url())
                    .timeout(settings.timeout())
                    .header("Accept", "text/plain;version=0.0.4;q=0.9,*/*;q=0.1")
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    metrics.failed(ScrapeMetrics.Failure.HTTP_STATUS);
                    LOG.debug("Scrape of {} answered HTTP {}", target.url(), response.statusCode());
                    return;
                }
                body = in.readNBytes(settings.bodyLimitBytes() + 1);
            }
        } catch (HttpTimeoutException e) {
            metrics.failed(ScrapeMetrics.Failure.TIMEOUT);
            LOG.debug("Scrape of {} timed out after {}", target.url(), settings.timeout());
            return;
        } catch (ConnectException e) {
            metrics.failed(ScrapeMetrics.Failure.CONNECT);
            LOG.debug("Scrape of {} could not connect: {}", target.url(), e.toString());
            return;
        } catch (IOException e) {
            metrics.failed(ScrapeMetrics.Failure.CONNECT);
            LOG.debug("Scrape of {} failed: {}", target.url(), e.toString());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (body.length > settings.bodyLimitBytes()) {
            metrics.failed(ScrapeMetrics.Failure.TOO_LARGE);
            reject(target, "body larger than the limit of " + settings.bodyLimitBytes() + " bytes", body);
            return;
        }
        Instant sampleTime = clock.instant();
        Exposition exposition;
        try {
            exposition = PromTextParser.parse(body, settings.bodyLimitBytes());
        } catch (PromTextParseException e) {
            metrics.failed(ScrapeMetrics.Failure.PARSE);
            reject(target, e.getMessage(), body);
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        metrics.succeeded(took, exposition.samples().size());
        sink.accept(mapping.map(target.pod(), exposition, sampleTime, took.toNanos() / 1e9));
    }

    private void reject(ScrapeTarget target, String reason, byte[] body) {
        deadLetters.send(target.source(), "scrape.parse", reason, body, Map.of(
                "target", target.url().toString(),
                "namespace", target.pod().namespace(),
                "pool", target.pod().pool(),
                "pod", target.pod().pod(),
                "body_excerpt", new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                LOG.warn("Scrapes still running at shutdown were abandoned");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }
}
