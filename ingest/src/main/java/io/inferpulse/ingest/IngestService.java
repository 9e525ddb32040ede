package io.inferpulse.ingest;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.ingest.discovery.DiscoveredEndpoint;
import io.inferpulse.ingest.discovery.InferencePoolDiscovery;
import io.inferpulse.ingest.engine.Engines;
import io.inferpulse.ingest.engine.PodIdentity;
import io.inferpulse.ingest.engine.PodSample;
import io.inferpulse.ingest.gpu.DcgmMapping;
import io.inferpulse.ingest.gpu.GpuTelemetry;
import io.inferpulse.ingest.logs.AccessLogFormats;
import io.inferpulse.ingest.promtext.Exposition;
import io.inferpulse.ingest.publish.PodMetricsPublisher;
import io.inferpulse.ingest.receive.AccessLogPipeline;
import io.inferpulse.ingest.receive.FileTailer;
import io.inferpulse.ingest.receive.HttpLogReceiver;
import io.inferpulse.ingest.scrape.ScrapeHandler;
import io.inferpulse.ingest.scrape.ScrapeProfile;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.ingest.scrape.Scraper;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.kafka.BrokerReachability;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest service: scrapes model servers (static, or discovered from InferencePools) and
 * dcgm-exporters, and publishes pod samples with their GPUs to {@link Topics#POD_METRICS}; takes
 * access logs over HTTP and from files to {@link Topics#ACCESS_LOGS}; sends what it cannot read to
 * {@link Topics#DEAD_LETTER}.
 */
public final class IngestService implements AutoCloseable {
    /** The engine name that marks a dcgm-exporter target, whose samples feed {@link GpuTelemetry}. */
    static final String DCGM = "dcgm-exporter";
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Duration PRODUCER_CLOSE = Duration.ofSeconds(5);

    private final IngestConfig config;
    private final Scraper scraper;
    private final PodMetricsPublisher publisher;
    private final Deque<AutoCloseable> resources;
    private final Map<String, Boolean> warnedEngines = new ConcurrentHashMap<>();
    private volatile List<ScrapeTarget> staticTargets;
    private volatile List<ScrapeTarget> discoveredTargets = List.of();

    private IngestService(IngestConfig config, Scraper scraper, PodMetricsPublisher publisher, Deque<AutoCloseable> resources) {
        this.config = config;
        this.scraper = scraper;
        this.publisher = publisher;
        this.resources = resources;
        this.staticTargets = config.targets();
    }

    public static IngestService start(IngestConfig config, MeterRegistry meters, HealthChecks health, Clock clock) {
        return start(config, meters, health, clock, () -> new KubernetesClientBuilder().build());
    }

    /**
     * Starts ingest; {@code kubernetes} is asked for a client only when discovery is on (in a pod it
     * finds the service-account token, elsewhere the kubeconfig), and the service closes it.
     */
    public static IngestService start(IngestConfig config, MeterRegistry meters, HealthChecks health, Clock clock,
                                      Supplier<KubernetesClient> kubernetes) {
        TopicSetup.ensure(config.kafka(), Topics.specs(Topics.POD_METRICS, Topics.ACCESS_LOGS, Topics.DEAD_LETTER));
        // Closed in reverse order of creation: receivers and the scraper stop before what they feed.
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        SchemaRegistryClient registry = push(resources,
                SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig())));
        Topics topics = new Topics(new AvroSerdes(registry));
        Topic<String, PodMetrics> podMetrics = topics.podMetrics();
        Topic<String, DeadLetter> deadLetter = topics.deadLetter();

        DeadLetters deadLetters = DeadLetters.open(config.kafka(), deadLetter, "inferpulse-ingest-dlq", meters, clock);
        resources.push(() -> deadLetters.close(PRODUCER_CLOSE));
        Producer<String, PodMetrics> producer = new KafkaProducer<>(producerConfig(config, "inferpulse-ingest"),
                podMetrics.keySerde().serializer(), podMetrics.valueSerde().serializer());
        // The publisher has already waited for what it could deliver; an unbounded close would wait out the delivery timeout.
        resources.push(() -> producer.close(PRODUCER_CLOSE));
        BrokerReachability broker = push(resources, BrokerReachability.watch(config.kafka(), "inferpulse-ingest"));
        health.addReadiness("kafka", broker::problem);
        KafkaClientMetrics producerMetrics = push(resources, new KafkaClientMetrics(producer));
        producerMetrics.bindTo(meters);
        IngestMetrics metrics = new IngestMetrics(meters);

        PodMetricsPublisher publisher = push(resources, new PodMetricsPublisher(producer, podMetrics, deadLetters,
                config.bufferSamples(), config.publishMaxBackoff(), metrics));
        GpuTelemetry gpus = new GpuTelemetry(config.gpuMaxAge());
        Scraper scraper = push(resources, new Scraper(config.scrape(), handler(config.engines(), gpus, publisher),
                deadLetters, metrics, clock));
        health.addReadiness("publish-buffer", () -> publisher.pending() < config.bufferSamples()
                ? Optional.empty() : Optional.of("publish buffer full (" + publisher.pending() + " samples)"));

        IngestService service = new IngestService(config, scraper, publisher, resources);
        service.refreshTargets();
        if (config.discovery().enabled()) {
            InferencePoolDiscovery discovery = push(resources, new InferencePoolDiscovery(
                    push(resources, kubernetes.get()), config.cluster(),
                    config.discovery().namespace(), service::discovered));
            discovery.start();
        }
        startAccessLogReceivers(config, registry, metrics, clock, resources);
        return service;
    }

    private static ScrapeHandler handler(Engines engines, GpuTelemetry gpus, PodMetricsPublisher publisher) {
        return new ScrapeHandler() {
            @Override
            public void scraped(ScrapeTarget target, Exposition exposition, Instant sampleTime, double durationSeconds) {
                if (target.engine().equals(DCGM)) {
                    gpus.update(target.url(), DcgmMapping.byPod(exposition), sampleTime);
                    return;
                }
                PodSample sample = engines.mapping(target.engine()).map(target.pod(), exposition, sampleTime, durationSeconds);
                publisher.accept(sample.withGpus(gpus.gpusOf(sample.namespace(), sample.pod(), sampleTime)));
            }

            @Override
            public void gone(ScrapeTarget target, Instant at) {
                if (!target.engine().equals(DCGM)) {
                    publisher.accept(PodSample.gone(target.pod(), target.engine(), at));
                }
            }
        };
    }

    private static void startAccessLogReceivers(IngestConfig config, SchemaRegistryClient registry, IngestMetrics metrics,
                                                Clock clock, Deque<AutoCloseable> resources) {
        IngestConfig.AccessLogs logs = config.accessLogs();
        if (!logs.httpEnabled() && logs.files().isEmpty()) {
            return;
        }
        var parser = AccessLogFormats.parser(logs.format(), logs.mapping(), logs.maxLineBytes());
        var settings = new AccessLogPipeline.Settings(logs.maxLineBytes(), 64 * 1024, Duration.ofHours(1),
                config.publishMaxBackoff());
        if (logs.httpEnabled()) {
            AccessLogPipeline pipeline = push(resources,
                    AccessLogPipeline.create("http", parser, settings, config.kafka(), registry, metrics, clock));
            push(resources, HttpLogReceiver.start(new HttpLogReceiver.Settings(logs.httpHost(), logs.httpPort(),
                    64 * 1024 * 1024, 64, Duration.ofSeconds(30), List.of("log", "message")), pipeline, metrics));
        }
        for (var file : logs.files()) {
            String name = config.cluster() + "-" + file.toAbsolutePath().normalize().toString().replaceAll("[^A-Za-z0-9._-]", "_");
            AccessLogPipeline pipeline = push(resources,
                    AccessLogPipeline.create("file", parser, settings, config.kafka(), registry, metrics, clock));
            push(resources, FileTailer.start(new FileTailer.Settings(name, file, Duration.ofMillis(250),
                    Duration.ofSeconds(5), 1000), pipeline, config.kafka(), metrics));
        }
    }

    /** Replaces the static targets: used where targets come from elsewhere (the simulated fleet). */
    public void setTargets(List<ScrapeTarget> targets) {
        staticTargets = List.copyOf(targets);
        refreshTargets();
    }

    /** Samples accepted and not yet acknowledged by Kafka. */
    public int pendingSamples() {
        return publisher.pending();
    }

    private void discovered(Set<DiscoveredEndpoint> endpoints) {
        List<ScrapeTarget> targets = new ArrayList<>();
        for (DiscoveredEndpoint endpoint : endpoints) {
            PodIdentity pod = endpoint.pod();
            String engine = Engines.engineOf(pod, Optional.empty());
            if (config.engines().find(engine).isEmpty()) {
                if (warnedEngines.putIfAbsent(engine, Boolean.TRUE) == null) {
                    LOG.warn("Pods labelled {}={} are not scraped: no such engine (known: {}); define it under {}",
                            Engines.ENGINE_LABEL, engine, config.engines().names(), IngestConfig.ENGINES_PREFIX);
                }
                continue;
            }
            URI url = URI.create(config.discovery().scheme() + "://" + pod.address() + config.discovery().metricsPath());
            targets.add(new ScrapeTarget(pod, url, ScrapeProfile.defaults(), engine));
        }
        discoveredTargets = List.copyOf(targets);
        refreshTargets();
    }

    private synchronized void refreshTargets() {
        Collection<ScrapeTarget> all = new ArrayList<>(staticTargets);
        all.addAll(discoveredTargets);
        for (URI exporter : config.dcgmTargets()) {
            all.add(new ScrapeTarget(new PodIdentity(config.cluster(), "", "", exporter.getHost(),
                    exporter.getHost() + ":" + exporter.getPort(), Map.of()), exporter, ScrapeProfile.defaults(), DCGM));
        }
        scraper.setTargets(all);
    }

    private static Map<String, Object> producerConfig(IngestConfig config, String clientId) {
        Map<String, Object> props = config.kafka().clientConfig(clientId);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // A few ms of batching keeps sample-to-pool-stats latency low while still batching at 50k/s.
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return props;
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> resources, T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.error("Error while closing {}", resource.getClass().getSimpleName(), e);
            }
        }
    }
}
