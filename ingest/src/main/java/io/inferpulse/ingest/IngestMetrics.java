package io.inferpulse.ingest;

import io.inferpulse.ingest.receive.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The ingest service's metrics, documented in README.md ("Ingest metrics"); counters are exported
 * with the suffix {@code _total}, the timer in seconds:
 * <ul>
 *   <li>{@code inferpulse_scrape_duration_seconds}: time to fetch and parse one URL, successful scrapes only
 *   <li>{@code inferpulse_scrape_samples_total}: Prometheus samples parsed from scraped URLs
 *   <li>{@code inferpulse_scrape_skipped_total}: scrapes not started because the previous one of the URL still ran
 *   <li>{@code inferpulse_scrape_errors_total{reason}}: scrapes that produced no pod sample, by {@link ScrapeFailure}
 *   <li>{@code inferpulse_scrape_targets}: targets being scraped
 *   <li>{@code inferpulse_ingest_samples_accepted_total}, {@code _refused_total}, {@code _published_total},
 *       {@code _undelivered_total}: pod samples taken into the publish buffer, refused by a full buffer,
 *       acknowledged by Kafka, still unacknowledged when the shutdown timeout ran out
 *   <li>{@code inferpulse_ingest_publish_retries_total}: publish attempts repeated after the registry or broker failed
 *   <li>{@code inferpulse_ingest_buffer_samples}: pod samples accepted and not yet acknowledged
 *   <li>{@code inferpulse_accesslog_lines_received_total{receiver}}, {@code _lines_parsed_total{receiver}},
 *       {@code _lines_published_total{receiver}}: access-log lines received, parsed, acknowledged by Kafka
 *   <li>{@code inferpulse_accesslog_rejected_total{receiver,reason}}: lines dead-lettered, by {@link Rejection}
 *   <li>{@code inferpulse_accesslog_tail_rotations_total{tailer,kind}}: rotations a file tailer followed
 *   <li>{@code inferpulse_accesslog_http_requests_total{code}}: access-log HTTP requests, by status answered
 * </ul>
 * No label names a scrape target: with thousands of pods that would multiply ingest's own series by
 * the fleet size; the dead-letter topic and debug logs name the failing target instead. Each part
 * registers its meters when it is made ({@link #scrape}, {@link #publish}, {@link #receiver}), so a
 * process running only one part (the stdin command) exports only that part's series. The dead-letter
 * counters belong to {@link io.inferpulse.runtime.deadletter.DeadLetters}, which takes {@link #registry}.
 */
public final class IngestMetrics {
    /** Why a scrape produced no sample; the {@code reason} label of the scrape error counter. */
    public enum ScrapeFailure {
        CONNECT, TIMEOUT, HTTP_STATUS, PARSE, TOO_LARGE, OVERLOADED, TLS,
        /** HTTP 401 or 403, or a bearer token file that cannot be read. */
        AUTH,
        /** The handler threw: a bug downstream rather than bad input. */
        HANDLER
    }

    private final MeterRegistry registry;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The registry itself, for the shared dead-letter writer that registers its own counters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The scraper's meters, registered now. */
    public Scrape scrape() {
        return new Scrape(registry);
    }

    /**
     * The pod-sample publisher's meters, registered now; the buffer gauge reads {@code pending} of
     * {@code publisher}, held weakly as Micrometer holds gauge state.
     */
    public <T> Publish publish(T publisher, ToDoubleFunction<T> pending) {
        return new Publish(registry, publisher, pending);
    }

    /** The meters of one access-log receiver ({@code http}, {@code file}, {@code stdin}), registered now. */
    public Receiver receiver(String receiver) {
        return new Receiver(registry, receiver);
    }

    /** A file tailer followed a rotation: {@code kind} is {@code truncate} or {@code rename}. */
    public void tailRotated(String tailer, String kind) {
        Counter.builder("inferpulse_accesslog_tail_rotations").description("Rotations a file tailer followed")
                .tag("tailer", tailer).tag("kind", kind).register(registry).increment();
    }

    /** The HTTP access-log receiver answered a request with {@code status}. */
    public void httpAnswered(int status) {
        Counter.builder("inferpulse_accesslog_http_requests").description("Access-log HTTP requests, by status answered")
                .tag("code", String.valueOf(status)).register(registry).increment();
    }

    /** The scraper's meters. */
    public static final class Scrape {
        private final Timer duration;
        private final Counter samples;
        private final Counter skipped;
        private final Map<ScrapeFailure, Counter> failures = new EnumMap<>(ScrapeFailure.class);
        private final AtomicInteger targets = new AtomicInteger();

        private Scrape(MeterRegistry registry) {
            this.duration = Timer.builder("inferpulse_scrape_duration")
                    .description("Time to fetch and parse one URL's /metrics, successful scrapes only")
                    .publishPercentiles(0.5, 0.99)
                    .register(registry);
            this.samples = Counter.builder("inferpulse_scrape_samples")
                    .description("Prometheus samples parsed from scraped URLs, once per fetch")
                    .register(registry);
            this.skipped = Counter.builder("inferpulse_scrape_skipped")
                    .description("Scrapes not started because the previous scrape of the same URL was still running")
                    .register(registry);
            // Registered up front so that every reason exports a zero, which rate() and alerts need.
            for (ScrapeFailure failure : ScrapeFailure.values()) {
                failures.put(failure, Counter.builder("inferpulse_scrape_errors")
                        .description("Scrapes that produced no pod sample, by reason")
                        .tag("reason", failure.name().toLowerCase(Locale.ROOT))
                        .register(registry));
            }
            Gauge.builder("inferpulse_scrape_targets", targets, AtomicInteger::get)
                    .description("Targets being scraped (a URL shared by several pools counts once per pool)")
                    .strongReference(true)
                    .register(registry);
        }

        public void succeeded(Duration took, int sampleCount) {
            duration.record(took);
            samples.increment(sampleCount);
        }

        public void failed(ScrapeFailure failure) {
            failures.get(failure).increment();
        }

        public void skipped() {
            skipped.increment();
        }

        public void targets(int count) {
            targets.set(count);
        }
    }

    /** The pod-sample publisher's meters. */
    public static final class Publish {
        private final Counter accepted;
        private final Counter refused;
        private final Counter published;
        private final Counter retries;
        private final Counter undelivered;

        private <T> Publish(MeterRegistry registry, T publisher, ToDoubleFunction<T> pending) {
            this.accepted = Counter.builder("inferpulse_ingest_samples_accepted")
                    .description("Pod samples taken into the publish buffer").register(registry);
            this.refused = Counter.builder("inferpulse_ingest_samples_refused")
                    .description("Pod samples refused because the publish buffer was full").register(registry);
            this.published = Counter.builder("inferpulse_ingest_samples_published")
                    .description("Pod samples acknowledged by Kafka").register(registry);
            this.retries = Counter.builder("inferpulse_ingest_publish_retries")
                    .description("Attempts to publish a sample again after the registry or broker failed").register(registry);
            this.undelivered = Counter.builder("inferpulse_ingest_samples_undelivered")
                    .description("Accepted pod samples still unacknowledged by Kafka when the shutdown timeout ran out")
                    .register(registry);
            Gauge.builder("inferpulse_ingest_buffer_samples", publisher, pending)
                    .description("Pod samples accepted and not yet acknowledged by Kafka").register(registry);
        }

        /** A sample offered to the buffer, {@code taken} or refused because it was full. */
        public void offered(boolean taken) {
            (taken ? accepted : refused).increment();
        }

        public void published() {
            published.increment();
        }

        public void retried() {
            retries.increment();
        }

        public void undelivered(int samples) {
            undelivered.increment(samples);
        }
    }

    /** One access-log receiver's meters, each tagged {@code receiver}. */
    public static final class Receiver {
        private final Counter received;
        private final Counter parsed;
        private final Counter published;
        private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);

        private Receiver(MeterRegistry registry, String receiver) {
            this.received = lines(registry, receiver, "inferpulse_accesslog_lines_received", "Access-log lines received");
            this.parsed = lines(registry, receiver, "inferpulse_accesslog_lines_parsed", "Access-log lines parsed into an entry");
            this.published = lines(registry, receiver, "inferpulse_accesslog_lines_published",
                    "Access-log records acknowledged by Kafka");
            for (Rejection r : Rejection.values()) {
                rejected.put(r, Counter.builder("inferpulse_accesslog_rejected")
                        .description("Access-log lines sent to the dead-letter topic, by reason")
                        .tag("receiver", receiver).tag("reason", r.label()).register(registry));
            }
        }

        private static Counter lines(MeterRegistry registry, String receiver, String name, String description) {
            return Counter.builder(name).description(description).tag("receiver", receiver).register(registry);
        }

        public void received() {
            received.increment();
        }

        public void parsed() {
            parsed.increment();
        }

        public void published(long records) {
            published.increment(records);
        }

        public void rejected(Rejection rejection) {
            rejected.get(rejection).increment();
        }
    }
}
