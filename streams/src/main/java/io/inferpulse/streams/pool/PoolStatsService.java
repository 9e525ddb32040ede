package io.inferpulse.streams.pool;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.deadletter.DeadLetterDeserializationHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the streams job (pool stats, request statistics, error details): lifecycle, health and metrics around {@link PoolStatsTopology}. */
public final class PoolStatsService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PoolStatsService.class);

    private final KafkaStreams streams;
    private final SchemaRegistryClient registry;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Producer<String, DeadLetter> deadLetterProducer;

    private PoolStatsService(KafkaStreams streams, SchemaRegistryClient registry, KafkaStreamsMetrics streamsMetrics,
                             Producer<String, DeadLetter> deadLetterProducer) {
        this.streams = streams;
        this.registry = registry;
        this.streamsMetrics = streamsMetrics;
        this.deadLetterProducer = deadLetterProducer;
    }

    public static PoolStatsService start(PoolStatsConfig config, MeterRegistry meters, HealthChecks health) {
        List<String> used = List.of(Topics.POD_METRICS, Topics.ACCESS_LOGS, Topics.POOL_STATS, Topics.MODEL_STATS,
                Topics.ERROR_DETAILS, Topics.DEAD_LETTER);
        List<Topics.Spec> specs = new ArrayList<>(Topics.SPECS.stream().filter(s -> used.contains(s.name())).toList());
        // Read within moments of being written; the retention only needs to outlast an outage of the job.
        specs.add(new Topics.Spec(PoolStatsTopology.modelRequestsTopic(config.applicationId()), false,
                String.valueOf(Duration.ofHours(6).toMillis())));
        TopicSetup.ensure(config.kafka(), specs);
        SchemaRegistryClient registry = SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig()));
        Topics topics = new Topics(new AvroSerdes(registry));
        Topic<String, DeadLetter> deadLetter = topics.deadLetter();
        Map<String, Object> dlqConfig = config.kafka().clientConfig(config.applicationId() + "-dead-letters");
        dlqConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        Producer<String, DeadLetter> dlqProducer = new KafkaProducer<>(dlqConfig,
                deadLetter.keySerde().serializer(), deadLetter.valueSerde().serializer());
        Properties props = properties(config);
        props.put(DeadLetterDeserializationHandler.DEAD_LETTERS_CONFIG,
                new DeadLetters(dlqProducer, deadLetter, meters, Clock.systemUTC(), 1024 * 1024));
        KafkaStreams streams = new KafkaStreams(PoolStatsTopology.build(topics, config.pool(), config.requests(), config.applicationId()), props);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Pool-stats stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Pool-stats streams: {} -> {}", before, now));
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        health.addLiveness("pool-stats-streams", () -> streams.state() == KafkaStreams.State.ERROR
                ? Optional.of("Kafka Streams is in state ERROR") : Optional.empty());
        health.addReadiness("pool-stats-streams", () -> streams.state() == KafkaStreams.State.RUNNING
                ? Optional.empty() : Optional.of("Kafka Streams is " + streams.state()));
        streams.start();
        return new PoolStatsService(streams, registry, streamsMetrics, dlqProducer);
    }

    static Properties properties(PoolStatsConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafka().clientConfig(config.applicationId()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        // Gauges are idempotent on a compacted topic: a replayed record after a crash is harmless,
        // so at-least-once avoids the transaction commit delay on every result.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class.getName());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.kafka().topicReplicationFactor());
        props.putAll(config.streamsOverrides());
        return props;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        streamsMetrics.close();
        deadLetterProducer.close();
        registry.close();
    }
}
