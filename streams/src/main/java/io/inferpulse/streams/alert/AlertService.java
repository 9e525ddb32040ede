package io.inferpulse.streams.alert;

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
import io.inferpulse.streams.rules.RuleFiles;
import io.inferpulse.streams.rules.RuleGroup;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the alert-evaluation topology: rule loading, lifecycle, health and metrics around {@link AlertTopology}. */
public final class AlertService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertService.class);
    private static final Set<String> TOPICS = Set.of(Topics.POOL_STATS, Topics.MODEL_STATS, Topics.ALERTS, Topics.DEAD_LETTER);

    private final KafkaStreams streams;
    private final SchemaRegistryClient registry;
    private final KafkaStreamsMetrics streamsMetrics;
    private final Producer<String, DeadLetter> deadLetterProducer;

    private AlertService(KafkaStreams streams, SchemaRegistryClient registry, KafkaStreamsMetrics streamsMetrics,
                         Producer<String, DeadLetter> deadLetterProducer) {
        this.streams = streams;
        this.registry = registry;
        this.streamsMetrics = streamsMetrics;
        this.deadLetterProducer = deadLetterProducer;
    }

    /**
     * Loads the rules, then starts the job.
     *
     * @throws io.inferpulse.streams.rules.RuleFileException naming file, line and rule when a rule file is bad;
     *     nothing has been started then
     */
    public static AlertService start(AlertConfig config, MeterRegistry meters, HealthChecks health) {
        List<RuleGroup> groups = config.ruleFiles().isEmpty()
                ? RuleFiles.loadDefault(config.rules()) : RuleFiles.load(config.ruleFiles(), config.rules());
        LOG.info("Evaluating {} rule groups ({} rules) from {}", groups.size(),
                groups.stream().mapToInt(g -> g.rules().size()).sum(),
                config.ruleFiles().isEmpty() ? "the built-in rules" : config.ruleFiles());
        TopicSetup.ensure(config.kafka(), Topics.SPECS.stream().filter(s -> TOPICS.contains(s.name())).toList());
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
        KafkaStreams streams = new KafkaStreams(AlertTopology.build(topics, groups, config.alerts(), new AlertMetrics(meters)), props);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Alert-evaluation stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("Alert-evaluation streams: {} -> {}", before, now));
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        health.addLiveness("alert-streams", () -> streams.state() == KafkaStreams.State.ERROR
                ? Optional.of("Kafka Streams is in state ERROR") : Optional.empty());
        health.addReadiness("alert-streams", () -> streams.state() == KafkaStreams.State.RUNNING
                ? Optional.empty() : Optional.of("Kafka Streams is " + streams.state()));
        streams.start();
        return new AlertService(streams, registry, streamsMetrics, dlqProducer);
    }

    static Properties properties(AlertConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafka().clientConfig(config.applicationId()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        // An alert event and the state change behind it commit together: after a crash the job neither
        // pages twice for one transition nor forgets one it already announced.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class.getName());
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
        // A static member (streams.group.instance.id) leaves the group, so whoever takes its rule groups
        // over starts at once rather than after the session timeout, during which pending timers would
        // run late. Kafka Streams never sends a dynamic member's leave on close.
        streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
        streamsMetrics.close();
        deadLetterProducer.close();
        registry.close();
    }
}
