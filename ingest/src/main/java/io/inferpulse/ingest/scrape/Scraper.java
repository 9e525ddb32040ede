package io.inferpulse.ingest.scrape;

import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.IngestMetrics.ScrapeFailure;
import io.inferpulse.ingest.engine.EngineMapping;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.promtext.PromTextParseException;
import io.inferpulse.ingest.promtext.PromTextParser;
import io.inferpulse.runtime.deadletter.DeadLetters;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes each target's /metrics at its profile's interval and hands every parsed exposition to a
 * {@link ScrapeHandler}.
 *
 * <p><b>Spreading.</b> Each URL keeps a stable offset inside its interval, from a hash of the URL
 * as Prometheus does, so a thousand targets do not all fire in the same millisecond and each is
 * sampled at evenly spaced times. {@link ScrapeSettings#maxJitter()} adds a random delay to each
 * scrape on top of it. That costs the even spacing, so it is off by default; it helps when the
 * stable phase is the problem: several ingest replicas scraping the same targets in lockstep, or
 * a target that refreshes its values on a timer in phase with the scrape, so that every scrape
 * catches it mid-update (aliasing).
 *
 * <p><b>Bounds.</b> Scrapes run on virtual threads, at most {@link ScrapeSettings#maxConcurrency()}
 * at once. A scrape due while all are busy is dropped and counted as an {@code overloaded} error;
 * one due while the previous scrape of the same URL still runs is dropped and counted as skipped.
 * Nothing queues, so slow targets cannot pile up work. The profile's timeout bounds a scrape from
 * connection to last body byte.
 *
 * <p><b>Sharing.</b> Targets with the same URL and profile, one pod in several pools, are fetched
 * once per interval and the one exposition is handed to each. Targets share one HTTP client, and
 * so its connection pool, per trust configuration.
 */
public final class Scraper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scraper.class);
    private static final String ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1";
    /** How often a bearer token file is looked at: rotation is seen within this, and no file is stat'ed per request. */
    static final Duration TOKEN_RECHECK = Duration.ofSeconds(5);

    private final ScrapeSettings settings;
    private final ScrapeHandler handler;
    private final DeadLetters deadLetters;
    private final IngestMetrics.Scrape metrics;
    private final Clock clock;
    private final Duration tokenRecheck;
    private final ScheduledThreadPoolExecutor ticker;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClients clients = new HttpClients(workers);
    private final Semaphore inFlight;

    // Guarded by this: changed only by setTargets and close.
    private final Map<EndpointKey, Endpoint> endpoints = new HashMap<>();
    private final Map<Path, BearerToken> tokens = new HashMap<>();
    private Set<ScrapeTarget> targets = Set.of();
    private boolean closed;

    public Scraper(ScrapeSettings settings, ScrapeHandler handler, DeadLetters deadLetters, IngestMetrics metrics,
                   Clock clock) {
        this(settings, handler, deadLetters, metrics, clock, TOKEN_RECHECK);
    }

    /**
     * A scraper mapping every target with one engine mapping into one sink; the same as
     * {@code new Scraper(settings, ScrapeHandler.mapping(mapping, sink), ...)}.
     */
    public Scraper(ScrapeSettings settings, EngineMapping mapping, Consumer<PodSample> sink, DeadLetters deadLetters,
                   IngestMetrics metrics, Clock clock) {
        this(settings, ScrapeHandler.mapping(mapping, sink), deadLetters, metrics, clock);
    }

    /** With a shorter token recheck period, so that tests see a rotation without waiting seconds. */
    Scraper(ScrapeSettings settings, ScrapeHandler handler, DeadLetters deadLetters, IngestMetrics metrics, Clock clock,
            Duration tokenRecheck) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.metrics = metrics.scrape();
        this.clock = clock;
        this.tokenRecheck = tokenRecheck;
        this.inFlight = new Semaphore(settings.maxConcurrency());
        this.ticker = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("scrape-ticker").daemon().factory());
        // Targets come and go with pods; without this every cancelled schedule would stay queued.
        ticker.setRemoveOnCancelPolicy(true);
    }

    /**
     * Makes {@code wanted} the scraped set: new targets start at their next slot, dropped ones stop
     * at once. A dropped target whose pod is in no wanted target any more is reported to
     * {@link ScrapeHandler#gone} before this returns, after its last {@link ScrapeHandler#scraped};
     * one that is only replaced (new labels, profile or engine for the same pod) is not.
     */
    public synchronized void setTargets(Collection<ScrapeTarget> wanted) {
        if (closed) {
            throw new IllegalStateException("scraper is closed");
        }
        Set<ScrapeTarget> next = new LinkedHashSet<>(wanted);
        Map<EndpointKey, List<ScrapeTarget>> byEndpoint = next.stream().collect(Collectors.groupingBy(
                t -> new EndpointKey(t.url(), effectiveProfile(t)), LinkedHashMap::new, Collectors.toList()));
        for (Iterator<Map.Entry<EndpointKey, Endpoint>> it = endpoints.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<EndpointKey, Endpoint> entry = it.next();
            if (!byEndpoint.containsKey(entry.getKey())) {
                entry.getValue().retire();
                it.remove();
            }
        }
        tokens.keySet().retainAll(byEndpoint.keySet().stream()
                .flatMap(k -> k.profile().bearerTokenFile().stream()).toList());
        byEndpoint.forEach((key, sharing) -> {
            Endpoint endpoint = endpoints.get(key);
            if (endpoint != null) {
                endpoint.replaceTargets(sharing);
            } else {
                endpoints.put(key, start(key, sharing));
            }
        });

        Set<PodKey> pods = new HashSet<>();
        next.forEach(t -> pods.add(PodKey.of(t.pod())));
        List<ScrapeTarget> gone = targets.stream()
                .filter(t -> !next.contains(t) && !pods.contains(PodKey.of(t.pod()))).toList();
        long added = next.stream().filter(t -> !targets.contains(t)).count();
        long removed = targets.stream().filter(t -> !next.contains(t)).count();
        targets = next;
        metrics.targets(next.size());
        if (added > 0 || removed > 0) {
            LOG.info("Scraping {} targets at {} URLs ({} added, {} removed, {} gone)", next.size(), endpoints.size(),
                    added, removed, gone.size());
        }
        Instant now = clock.instant();
        for (ScrapeTarget target : gone) {
            try {
                handler.gone(target, now);
            } catch (RuntimeException e) {
                metrics.failed(ScrapeFailure.HANDLER);
                LOG.warn("Handling the disappearance of {} failed", describe(target), e);
            }
        }
    }

    private ScrapeProfile effectiveProfile(ScrapeTarget target) {
        return target.profile().equals(ScrapeProfile.defaults()) ? settings.defaultProfile() : target.profile();
    }

    private Endpoint start(EndpointKey key, List<ScrapeTarget> sharing) {
        Optional<BearerToken> token = key.profile().bearerTokenFile()
                .map(file -> tokens.computeIfAbsent(file, f -> new BearerToken(f, tokenRecheck, System::nanoTime)));
        Endpoint endpoint = new Endpoint(key.url(), key.profile(), token, sharing);
        long interval = key.profile().interval().toNanos();
        endpoint.schedule = ticker.scheduleAtFixedRate(() -> tick(endpoint), offsetNanos(key.url(), interval), interval,
                TimeUnit.NANOSECONDS);
        return endpoint;
    }

    /**
     * Where in its interval a URL is scraped: FNV-1a of the URL, as Prometheus hashes its targets.
     * {@code String.hashCode} would crowd pods on consecutive IPs into a few parts of the interval
     * (from 40 to 190 of a thousand per tenth), and so the load.
     */
    static long offsetNanos(URI url, long intervalNanos) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : url.toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return Math.floorMod(hash, intervalNanos);
    }

    /** On the ticker thread: must not throw, or the executor would silently stop this URL's schedule. */
    private void tick(Endpoint endpoint) {
        if (!endpoint.running.compareAndSet(false, true)) {
            metrics.skipped();
            return;
        }
        long jitter = Math.min(settings.maxJitter().toNanos(), endpoint.profile.interval().toNanos() / 10);
        if (jitter <= 0) {
            launch(endpoint);
            return;
        }
        try {
            ticker.schedule(() -> launch(endpoint), ThreadLocalRandom.current().nextLong(jitter), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            endpoint.running.set(false);
        }
    }

    private void launch(Endpoint endpoint) {
        if (endpoint.targets.isEmpty()) {
            endpoint.running.set(false);
            return;
        }
        if (!inFlight.tryAcquire()) {
            endpoint.running.set(false);
            metrics.failed(ScrapeFailure.OVERLOADED);
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    scrape(endpoint);
                } catch (RuntimeException e) {
                    LOG.warn("Scrape of {} failed unexpectedly", endpoint.url, e);
                } finally {
                    inFlight.release();
                    endpoint.running.set(false);
                }
            });
        } catch (RejectedExecutionException closing) {
            inFlight.release();
            endpoint.running.set(false);
        }
    }

    /** One scrape: every expected failure is counted and logged or dead-lettered. */
    private void scrape(Endpoint endpoint) {
        long start = System.nanoTime();
        byte[] body;
        try {
            body = fetch(endpoint);
        } catch (Failed e) {
            metrics.failed(e.reason);
            LOG.debug("Scrape of {} failed ({}): {}", endpoint.url, e.reason, e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (body.length > settings.bodyLimitBytes()) {
            metrics.failed(ScrapeFailure.TOO_LARGE);
            reject(endpoint, "body larger than the limit of " + settings.bodyLimitBytes() + " bytes", body);
            return;
        }
        Instant sampleTime = clock.instant();
        Exposition exposition;
        try {
            exposition = PromTextParser.parse(body, settings.bodyLimitBytes());
        } catch (PromTextParseException e) {
            metrics.failed(ScrapeFailure.PARSE);
            reject(endpoint, e.getMessage(), body);
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        metrics.succeeded(took, exposition.samples().size());
        endpoint.deliver(exposition, sampleTime, took.toNanos() / 1e9);
    }

    private byte[] fetch(Endpoint endpoint) throws Failed, InterruptedException {
        ScrapeProfile profile = endpoint.profile;
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url)
                .timeout(profile.timeout())
                .header("Accept", ACCEPT)
                .GET();
        if (endpoint.token.isPresent()) {
            BearerToken token = endpoint.token.get();
            String value = token.token().orElseThrow(() -> new Failed(ScrapeFailure.AUTH,
                    "bearer token file " + token.file() + " cannot be used"));
            try {
                request.header("Authorization", "Bearer " + value);
            } catch (IllegalArgumentException e) {
                // The JDK's message would quote the header value, that is the token.
                throw new Failed(ScrapeFailure.AUTH, "bearer token file " + token.file()
                        + " holds characters not allowed in an HTTP header");
            }
        }
        HttpClient client;
        try {
            client = clients.client(profile.tls());
        } catch (IOException | GeneralSecurityException e) {
            throw new Failed(ScrapeFailure.TLS, "CA file " + profile.caFile().orElseThrow() + ": " + e);
        }
        int limit = settings.bodyLimitBytes();
        int expected = endpoint.lastBodyBytes;
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.build(), info -> info.statusCode() == 200
                ? new BoundedBody(limit, expected) : BodySubscribers.replacing(new byte[0]));
        HttpResponse<byte[]> response;
        try {
            // The request timeout alone would stop at the headers; this bounds the body too.
            response = exchange.get(profile.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new Failed(ScrapeFailure.TIMEOUT, "no complete response within " + profile.timeout());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw Failed.of(e.getCause());
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new Failed(ScrapeFailure.AUTH, "HTTP " + status);
        }
        if (status != 200) {
            throw new Failed(ScrapeFailure.HTTP_STATUS, "HTTP " + status);
        }
        endpoint.lastBodyBytes = response.body().length;
        return response.body();
    }

    private void reject(Endpoint endpoint, String reason, byte[] body) {
        List<ScrapeTarget> sharing = endpoint.targets;
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("target", endpoint.url.toString());
        if (!sharing.isEmpty()) {
            attributes.put("namespace", sharing.getFirst().pod().namespace());
            attributes.put("pool", sharing.stream().map(t -> t.pod().pool()).distinct().collect(Collectors.joining(",")));
            attributes.put("pod", sharing.getFirst().pod().pod());
        }
        attributes.put("body_excerpt", new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8));
        deadLetters.send("scrape:" + endpoint.url, "scrape.parse", reason, body, attributes);
    }

    private static String describe(ScrapeTarget target) {
        PodIdentity pod = target.pod();
        return pod.namespace() + "/" + pod.pool() + "/" + pod.pod() + " (" + target.url() + ")";
    }

    /** Stops scraping; does not report any target gone, since ingest stopping says nothing about the pods. */
    @Override
    public void close() {
        Duration longest;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            longest = endpoints.keySet().stream().map(k -> k.profile().timeout())
                    .max(Duration::compareTo).orElse(Duration.ZERO);
            metrics.targets(0);
        }
        ticker.shutdownNow();
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(longest.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                LOG.warn("Scrapes still running at shutdown were abandoned");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.close();
    }

    private record EndpointKey(URI url, ScrapeProfile profile) {
    }

    /** A pod in a pool, whatever its labels or address: what downstream keys its samples by. */
    private record PodKey(String cluster, String namespace, String pool, String pod) {
        static PodKey of(PodIdentity who) {
            return new PodKey(who.cluster(), who.namespace(), who.pool(), who.pod());
        }
    }

    /** One URL fetched on one schedule for the targets that share it. */
    private final class Endpoint {
        final URI url;
        final ScrapeProfile profile;
        final Optional<BearerToken> token;
        final AtomicBoolean running = new AtomicBoolean();
        /**
         * Replaced under {@code delivering}, which a delivery holds throughout: once a target is
         * dropped no delivery to it is under way or can begin, so its gone comes after its last scrape.
         */
        volatile List<ScrapeTarget> targets;
        final ReentrantLock delivering = new ReentrantLock();
        volatile int lastBodyBytes = 8192;
        ScheduledFuture<?> schedule;

        Endpoint(URI url, ScrapeProfile profile, Optional<BearerToken> token, List<ScrapeTarget> targets) {
            this.url = url;
            this.profile = profile;
            this.token = token;
            this.targets = List.copyOf(targets);
        }

        void replaceTargets(List<ScrapeTarget> sharing) {
            delivering.lock();
            try {
                targets = List.copyOf(sharing);
            } finally {
                delivering.unlock();
            }
        }

        void retire() {
            schedule.cancel(false);
            replaceTargets(List.of());
        }

        void deliver(Exposition exposition, Instant sampleTime, double durationSeconds) {
            delivering.lock();
            try {
                for (ScrapeTarget target : targets) {
                    try {
                        handler.scraped(target, exposition, sampleTime, durationSeconds);
                    } catch (RuntimeException e) {
                        metrics.failed(ScrapeFailure.HANDLER);
                        LOG.warn("Handling the scrape of {} failed", describe(target), e);
                    }
                }
            } finally {
                delivering.unlock();
            }
        }
    }

    /** Why a fetch produced no body; carries no stack trace, as it is expected and counted. */
    private static final class Failed extends Exception {
        final ScrapeFailure reason;

        Failed(ScrapeFailure reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        static Failed of(Throwable cause) {
            // The JDK wraps its exceptions at varying depths, and a failed handshake can arrive
            // inside a ConnectException: the most specific cause anywhere in the chain decides.
            if (causedBy(cause, SSLException.class)) {
                return new Failed(ScrapeFailure.TLS, cause.toString());
            }
            if (causedBy(cause, HttpTimeoutException.class)) {
                return new Failed(ScrapeFailure.TIMEOUT, cause.toString());
            }
            // Refused, reset or truncated connections and the like: the target did not serve a body.
            return new Failed(ScrapeFailure.CONNECT, String.valueOf(cause));
        }

        private static boolean causedBy(Throwable thrown, Class<? extends Throwable> type) {
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }
    }
}
