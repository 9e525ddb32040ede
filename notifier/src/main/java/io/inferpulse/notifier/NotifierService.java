package io.inferpulse.notifier;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.runtime.deadletter.DeadLetterException;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.fault.Transience;
import io.inferpulse.runtime.kafka.BrokerReachability;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.registry.WaitingRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code inferpulse.alerts}, groups alerts by the routing tree and delivers notifications.
 * One thread owns the consumer and the {@link Dispatcher}; deliveries run on virtual threads.
 * Offsets are committed by hand, only past records whose notifications were all delivered or
 * dead-lettered, and the notification log is loaded from its compacted topic before consuming.
 * Run one instance per consumer group: a second would group and notify independently.
 */
public final class NotifierService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotifierService.class);
    private static final Duration MAX_POLL = Duration.ofMillis(100);
    private static final Duration REGISTRY_PATIENCE = Duration.ofSeconds(2);
    /** Within the group's poll interval, so that the consumer keeps its partitions while the broker is away. */
    private static final Duration DEAD_LETTER_PATIENCE = Duration.ofMinutes(2);

    private final KafkaConsumer<String, AlertEvent> consumer;
    private final Producer<String, String> logProducer;
    private final WaitingRegistryClient registry;
    private final BrokerReachability broker;
    private final Dispatcher dispatcher;
    private final Delivery delivery;
    private final OffsetTracker offsets = new OffsetTracker();
    private final Clock clock;
    private final DeadLetters deadLetters;
    private final Serializer<AlertEvent> alertSerializer;
    private final Thread loop;
    private volatile boolean running = true;
    private volatile boolean assigned;
    private Map<TopicPartition, Long> committed = Map.of();

    private NotifierService(NotifierConfig config, Routing routing, MeterRegistry meters, Clock clock) {
        this.clock = clock;
        TopicSetup.ensure(config.kafka(), Topics.specs(Topics.ALERTS, Topics.DEAD_LETTER, Topics.NOTIFIER_LOG));
        // A short patience: the same thread runs the dispatcher's timers, which must not wait with it.
        broker = BrokerReachability.watch(config.kafka(), config.groupId());
        registry = new WaitingRegistryClient(SchemaRegistryClients.create(
                RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig())), REGISTRY_PATIENCE);
        Topics topics = new Topics(new AvroSerdes(registry));

        Map<String, Object> producerConfig = config.kafka().clientConfig(config.groupId() + "-log");
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        logProducer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
        NotificationLog log = new NotificationLog((key, json) -> write(logProducer, key, json));
        int restored = restore(config, log);
        LOG.info("Notification log: {} entries restored from {}", restored, Topics.NOTIFIER_LOG);

        deadLetters = DeadLetters.open(config.kafka(), topics.deadLetter(), config.groupId() + "-dead-letters", meters, clock);

        dispatcher = new Dispatcher(routing, log);
        delivery = new Delivery(config.retry(), log, deadLetters, new NotifierMetrics(meters), clock);

        Topic<String, AlertEvent> alerts = topics.alerts();
        alertSerializer = alerts.valueSerde().serializer();
        Map<String, Object> consumerConfig = config.kafka().clientConfig(config.groupId());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The alerts job writes in transactions: an aborted one holds transitions that never happened.
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(consumerConfig, alerts.keySerde().deserializer(), alerts.valueSerde().deserializer());
        consumer.subscribe(List.of(Topics.ALERTS), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                commit();
                offsets.forget(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned = true;
            }
        });
        loop = Thread.ofPlatform().name("notifier").start(this::run);
    }

    public static NotifierService start(NotifierConfig config, MeterRegistry meters, HealthChecks health) {
        return start(config, meters, health, System.out, Clock.systemUTC());
    }

    /** @param console where console receivers print */
    public static NotifierService start(NotifierConfig config, MeterRegistry meters, HealthChecks health, PrintStream console,
                                        Clock clock) {
        NotifierService service = new NotifierService(config, config.routing(console, clock), meters, clock);
        health.addLiveness("notifier-loop", () -> service.loop.isAlive() || !service.running
                ? Optional.empty() : Optional.of("the consumer loop stopped"));
        health.addReadiness("schema-registry", service.registry::outage);
        health.addReadiness("kafka", service.broker::problem);
        health.addReadiness("notifier-assignment", () -> service.assigned
                ? Optional.empty() : Optional.of("no partitions of " + Topics.ALERTS + " assigned yet"));
        return service;
    }

    private void run() {
        try {
            while (running) {
                Instant now = clock.instant();
                Duration wait = Duration.between(now, dispatcher.nextDue(now.plus(MAX_POLL)));
                try {
                    ConsumerRecords<String, AlertEvent> records = consumer.poll(wait.isNegative() ? Duration.ZERO
                            : wait.compareTo(MAX_POLL) > 0 ? MAX_POLL : wait);
                    for (ConsumerRecord<String, AlertEvent> r : records) {
                        handle(r);
                    }
                    // Positions also move past transaction markers, never handed over as records: without this the
                    // group would stay one offset behind the end of every partition the exactly-once alerts job writes.
                    records.nextOffsets().forEach((tp, next) -> offsets.advance(tp, next.offset()));
                } catch (RecordDeserializationException e) {
                    if (Transience.isTransient(e)) {
                        // The position stays on the record, so the next poll reads it again; meanwhile the
                        // dispatcher keeps its timers, and readiness names the outage.
                        LOG.debug("Pausing at {}@{} until the schema registry answers: {}", e.topicPartition(), e.offset(),
                                e.getMessage());
                    } else {
                        try {
                            deadLetterUnreadable(e);
                        } catch (DeadLetterException d) {
                            if (!Transience.isTransient(d)) {
                                throw d;
                            }
                            // The broker or the registry (the dead letter's own schema) is away: the position is
                            // still on the record, so the next poll tries it again.
                            LOG.warn("Could not dead-letter {}@{} yet; trying again: {}", e.topicPartition(), e.offset(),
                                    d.getMessage());
                        }
                    }
                }
                dispatcher.flush(clock.instant()).forEach(delivery::submit);
                commit();
            }
        } catch (WakeupException e) {
            // close() asked the poll to return
        } catch (RuntimeException e) {
            LOG.error("Notifier loop failed; nothing more is consumed until a restart", e);
            throw e;
        } finally {
            try {
                delivery.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commit();
            consumer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * An alert event the notifier cannot handle is dead-lettered with the exception and the loop goes
     * on; its offset is released only once the dead letter is kept, so a failure to keep it never
     * commits past the event.
     */
    private void handle(ConsumerRecord<String, AlertEvent> r) {
        OffsetTracker.Ticket ticket = offsets.track(new TopicPartition(r.topic(), r.partition()), r.offset());
        try {
            if (r.value() == null) {
                dispatcher.forget(r.key());
            } else {
                Alert.from(r.value()).ifPresent(a -> dispatcher.receive(a, ticket, clock.instant()).forEach(delivery::submit));
            }
        } catch (RuntimeException e) {
            if (Transience.isTransient(e)) {
                throw e;
            }
            deadLetters.deliver(Topics.ALERTS, "notify.process", e.toString(), alertSerializer.serialize(r.topic(), r.value()),
                    Map.of("key", String.valueOf(r.key()), "partition", String.valueOf(r.partition()),
                            "offset", String.valueOf(r.offset())), DEAD_LETTER_PATIENCE);
        }
        ticket.release();
    }

    /** A record that is not an AlertEvent is dead-lettered and skipped, never retried forever. */
    private void deadLetterUnreadable(RecordDeserializationException e) {
        TopicPartition tp = e.topicPartition();
        ByteBuffer value = e.valueBuffer();
        byte[] raw = new byte[value == null ? 0 : value.remaining()];
        if (value != null) {
            value.duplicate().get(raw);
        }
        OffsetTracker.Ticket ticket = offsets.track(tp, e.offset());
        deadLetters.deliver(Topics.ALERTS, "notify.deserialize", "not an AlertEvent: " + e.getMessage(), raw,
                Map.of("partition", String.valueOf(tp.partition()), "offset", String.valueOf(e.offset())), DEAD_LETTER_PATIENCE);
        consumer.seek(tp, e.offset() + 1);
        ticket.release();
    }

    private void commit() {
        Map<TopicPartition, Long> now = offsets.committable();
        if (now.equals(committed)) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> changed = now.entrySet().stream()
                .filter(e -> !e.getValue().equals(committed.get(e.getKey())))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue())));
        consumer.commitSync(changed);
        committed = new HashMap<>(now);
    }

    private static int restore(NotifierConfig config, NotificationLog log) {
        Map<String, Object> props = config.kafka().clientConfig(config.groupId() + "-log-reader");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(Topics.NOTIFIER_LOG).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions);
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (partitions.stream().anyMatch(p -> reader.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Could not read " + Topics.NOTIFIER_LOG + " to its end within 2 minutes");
                }
                reader.poll(MAX_POLL).forEach(r -> log.restore(r.key(), r.value()));
            }
        }
        return log.size();
    }

    private static void write(Producer<String, String> producer, String key, String json) {
        try {
            producer.send(new ProducerRecord<>(Topics.NOTIFIER_LOG, key, json)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while writing the notification log", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not write the notification log entry " + key + " to " + Topics.NOTIFIER_LOG, e);
        }
    }

    /** Deliveries still running, for tests and shutdown logs. */
    int inFlight() {
        return delivery.inFlight();
    }

    /**
     * Stops consuming, interrupts deliveries in progress (their records stay uncommitted), commits
     * what was delivered and closes the clients.
     */
    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        loop.join(30_000);
        logProducer.close(Duration.ofSeconds(10));
        deadLetters.close(Duration.ofSeconds(10));
        registry.close();
        broker.close();
    }
}
