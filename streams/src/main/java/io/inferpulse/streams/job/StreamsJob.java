package io.inferpulse.streams.job;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.kafka.BrokerReachability;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.registry.WaitingRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.inferpulse.streams.deadletter.DeadLetterDeserializationHandler;
import io.inferpulse.streams.deadletter.DeadLetterProcessingHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every inferpulse Kafka Streams job runs with: Avro serdes on the schema registry, undecodable
 * input and input a processor throws on sent to the dead-letter topic, a schema-registry outage
 * waited out on the record instead of dead-lettering it, failed stream threads replaced until they
 * fail too often (see {@link ThreadFailures}), state changes logged, Kafka Streams' metrics in the
 * service's registry, and liveness and readiness checks that follow the job's state, the registry
 * and the broker.
 */
public final class StreamsJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamsJob.class);
    /**
     * How long a stream thread waits on one registry call: well within its poll interval (5 min), so
     * the group keeps its tasks through a short outage; past it the thread is replaced and reads again.
     */
    private static final Duration REGISTRY_PATIENCE = Duration.ofMinutes(2);

    private final KafkaStreams streams;
    private final KafkaStreams.CloseOptions closeOptions;
    private final WaitingRegistryClient registry;
    private final BrokerReachability broker;
    private final KafkaStreamsMetrics streamsMetrics;
    private final DeadLetters deadLetters;

    private StreamsJob(KafkaStreams streams, KafkaStreams.CloseOptions closeOptions, WaitingRegistryClient registry,
                       BrokerReachability broker, KafkaStreamsMetrics streamsMetrics,
                       DeadLetters deadLetters) {
        this.streams = streams;
        this.closeOptions = closeOptions;
        this.registry = registry;
        this.broker = broker;
        this.streamsMetrics = streamsMetrics;
        this.deadLetters = deadLetters;
    }

    /** Creates the job's topics where missing, then starts it. */
    public static StreamsJob start(StreamsJobSpec spec, MeterRegistry meters, HealthChecks health) {
        TopicSetup.ensure(spec.kafka(), spec.topics());
        String name = spec.name();
        KafkaSettings kafka = spec.kafka();
        String applicationId = spec.settings().applicationId();
        WaitingRegistryClient registry = new WaitingRegistryClient(
                SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig())), REGISTRY_PATIENCE);
        Topics topics = new Topics(new AvroSerdes(registry));
        Topic<String, DeadLetter> deadLetter = topics.deadLetter();
        DeadLetters deadLetters = DeadLetters.open(kafka, deadLetter, applicationId + "-dead-letters", meters,
                Clock.systemUTC());
        BrokerReachability broker = BrokerReachability.watch(kafka, applicationId);
        Properties props = new Properties();
        props.putAll(kafka.clientConfig(applicationId));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class.getName());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, kafka.topicReplicationFactor());
        props.putAll(properties(spec));
        props.put(InputHealth.CONFIG, new InputHealth(broker::answeredMs, broker::reachableSinceMs, registry::settledSinceMs));
        props.put(DeadLetterDeserializationHandler.DEAD_LETTERS_CONFIG, deadLetters);
        KafkaStreams streams = new KafkaStreams(spec.topology().apply(topics), props);
        ThreadFailures failures = new ThreadFailures(name, Clock.systemUTC());
        streams.setUncaughtExceptionHandler(failures);
        streams.setStateListener((now, before) -> LOG.info("{} streams: {} -> {}", name, before, now));
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        health.addLiveness(name + "-streams", () -> streams.state() == KafkaStreams.State.ERROR
                ? Optional.of(failures.stoppedBecause().orElse("Kafka Streams is in state ERROR")) : Optional.empty());
        health.addReadiness(name + "-streams", () -> streams.state() == KafkaStreams.State.RUNNING
                ? Optional.empty() : Optional.of("Kafka Streams is " + streams.state()));
        health.addReadiness("schema-registry", registry::outage);
        health.addReadiness("kafka", broker::problem);
        streams.start();
        return new StreamsJob(streams, spec.close(), registry, broker, streamsMetrics, deadLetters);
    }

    /** The job's own Kafka Streams properties: identity and state, its tuning, then the operator's overrides. */
    public static Properties properties(StreamsJobSpec spec) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, spec.settings().applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, spec.settings().stateDir().toString());
        props.putAll(spec.tuning());
        props.putAll(spec.settings().overrides());
        return props;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        // A thread waiting for the registry would hold the close up to its patience: end the wait first.
        registry.close();
        streams.close(closeOptions);
        streamsMetrics.close();
        deadLetters.close(Duration.ofSeconds(10));
        broker.close();
    }
}
