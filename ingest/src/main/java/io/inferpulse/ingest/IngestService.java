package io.inferpulse.ingest;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.ingest.engine.VllmMapping;
import io.inferpulse.ingest.publish.PodMetricsPublisher;
import io.inferpulse.ingest.scrape.ScrapeTarget;
import io.inferpulse.ingest.scrape.Scraper;
import io.inferpulse.runtime.deadletter.DeadLetters;
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
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The ingest service: scrapes model servers and publishes their samples to
 * {@link Topics#POD_METRICS}, and what it cannot read to {@link Topics#DEAD_LETTER}.
 */
public final class IngestService implements AutoCloseable {
    private final SchemaRegistryClient registry;
    private final Producer<String, PodMetrics> producer;
    private final Producer<String, DeadLetter> deadLetterProducer;
    private final KafkaClientMetrics producerMetrics;
    private final PodMetricsPublisher publisher;
    private final Scraper scraper;

    private IngestService(SchemaRegistryClient registry, Producer<String, PodMetrics> producer,
                          Producer<String, DeadLetter> deadLetterProducer, KafkaClientMetrics producerMetrics,
                          PodMetricsPublisher publisher, Scraper scraper) {
        this.registry = registry;
        this.producer = producer;
        this.deadLetterProducer = deadLetterProducer;
        this.producerMetrics = producerMetrics;
        this.publisher = publisher;
        this.scraper = scraper;
    }

    public static IngestService start(IngestConfig config, MeterRegistry meters, HealthChecks health, Clock clock) {
        TopicSetup.ensure(config.kafka(), Topics.SPECS.stream()
                .filter(s -> s.name().equals(Topics.POD_METRICS) || s.name().equals(Topics.DEAD_LETTER)).toList());
        SchemaRegistryClient registry = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig()));
        Topics topics = new Topics(new AvroSerdes(registry));
        Topic<String, PodMetrics> podMetrics = topics.podMetrics();
        Topic<String, DeadLetter> deadLetter = topics.deadLetter();

        Producer<String, PodMetrics> producer = new KafkaProducer<>(producerConfig(config, "inferpulse-ingest"),
                podMetrics.keySerde().serializer(), podMetrics.valueSerde().serializer());
        Producer<String, DeadLetter> dlqProducer = new KafkaProducer<>(producerConfig(config, "inferpulse-ingest-dlq"),
                deadLetter.keySerde().serializer(), deadLetter.valueSerde().serializer());
        KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(meters);

        DeadLetters deadLetters = new DeadLetters(dlqProducer, deadLetter, meters, clock, 1024 * 1024);
        PodMetricsPublisher publisher = new PodMetricsPublisher(producer, podMetrics, deadLetters,
                config.bufferSamples(), config.publishMaxBackoff(), meters);
        Scraper scraper = new Scraper(config.scrape(), new VllmMapping(), publisher, deadLetters, meters, clock);
        scraper.setTargets(config.targets());
        health.addReadiness("publish-buffer", () -> publisher.pending() < config.bufferSamples()
                ? Optional.empty() : Optional.of("publish buffer full (" + publisher.pending() + " samples)"));
        return new IngestService(registry, producer, dlqProducer, producerMetrics, publisher, scraper);
    }

    /** Replaces the scraped targets: used where targets come from elsewhere (the simulated fleet). */
    public void setTargets(List<ScrapeTarget> targets) {
        scraper.setTargets(targets);
    }

    /** Samples accepted and not yet acknowledged by Kafka. */
    public int pendingSamples() {
        return publisher.pending();
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

    @Override
    public void close() {
        scraper.close();
        publisher.close();
        producerMetrics.close();
        producer.close();
        deadLetterProducer.close();
        registry.close();
    }
}
