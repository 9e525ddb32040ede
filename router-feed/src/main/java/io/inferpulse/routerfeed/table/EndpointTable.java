package io.inferpulse.routerfeed.table;

import io.inferpulse.avro.EndpointScore;
import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.fault.Transience;
import io.inferpulse.runtime.kafka.BrokerReachability;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.kafka.TopicPartitions;
import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import io.inferpulse.schemas.registry.WaitingRegistryClient;
import io.inferpulse.schemas.serde.AvroSerdes;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint-scores topic held in memory as one immutable snapshot per pool.
 *
 * <p>Reads every partition from the beginning with its own assignment, not a consumer group:
 * every picker instance needs the whole table, not a share of it. Ready once it has read to the
 * end offsets the topic had when the table started (compared by position, because a transaction
 * marker or a compacted-away record at the end of a partition is never handed over).
 *
 * <p>After each poll batch the consumer thread publishes a new immutable map of pool snapshots
 * through one volatile write; readers take no lock and always see a whole pool as of one batch.
 * Before that write it hands each new snapshot to the {@link #beforePublishing} listeners, so work
 * a reader would otherwise do on its first look at a snapshot is done off the request path.
 * A record that cannot be decoded goes to the dead-letter topic with the reason before the table
 * moves past it; if even that fails the table stops rather than drop it.
 */
public final class EndpointTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointTable.class);
    private static final String DECODE_STAGE = "router-feed.decode";

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<EndpointScore> decoder;
    private final DeadLetters deadLetters;
    private final WaitingRegistryClient registry;
    private final BrokerReachability broker;
    private final EndpointTableMetrics metrics;
    private final Map<TopicPartition, Long> endAtStart;
    private final PoolSnapshots state = new PoolSnapshots();
    private final Thread thread;
    private final List<Consumer<PoolSnapshot>> beforePublishing = new CopyOnWriteArrayList<>();
    private volatile Map<String, PoolSnapshot> pools = Map.of();
    private volatile boolean caughtUp;
    private volatile RuntimeException failure;
    private volatile boolean closing;

    private EndpointTable(KafkaSettings kafka, String clientId, MeterRegistry meters) {
        // Its own assignment and no group: the table can wait out a registry outage on the record it is at.
        registry = new WaitingRegistryClient(SchemaRegistryClients.create(RegistryClientConfig.fromSerdeConfig(kafka.registryConfig())),
                WaitingRegistryClient.UNTIL_CLOSED);
        Topics topics = new Topics(new AvroSerdes(registry));
        decoder = topics.endpointScores().valueSerde().deserializer();
        metrics = new EndpointTableMetrics(meters);

        deadLetters = DeadLetters.open(kafka, topics.deadLetter(), clientId + "-dead-letters", meters, Clock.systemUTC());

        Map<String, Object> props = kafka.clientConfig(clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Scores written by an exactly-once job and then aborted never happened.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A pick is only as good as its scores are fresh: hand over a record as soon as it is there.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        // Raw bytes, decoded here, so that an undecodable record can be dead-lettered as it was.
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            // A missing topic fails start-up: without partitions the table would be ready at once and stay empty for good.
            List<TopicPartition> partitions = TopicPartitions.await(consumer, Topics.ENDPOINT_SCORES, Duration.ofSeconds(30));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            endAtStart = Map.copyOf(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
        } catch (RuntimeException e) {
            consumer.close();
            deadLetters.close(Duration.ofSeconds(10));
            registry.close();
            throw e;
        }
        broker = BrokerReachability.watch(kafka, clientId);
        caughtUp = endAtStart.values().stream().allMatch(end -> end == 0);
        thread = Thread.ofPlatform().name("endpoint-table").daemon().start(this::run);
    }

    /**
     * Starts reading the topic and adds the table's checks: live while its thread runs, ready once
     * caught up.
     *
     * @param clientId the Kafka client id of the consumer (and, with {@code -dead-letters}, of the dead-letter producer)
     */
    public static EndpointTable start(KafkaSettings kafka, String clientId, MeterRegistry meters, HealthChecks health) {
        EndpointTable table = new EndpointTable(kafka, clientId, meters);
        health.addLiveness("endpoint-table", () -> table.failure == null
                ? Optional.empty() : Optional.of("stopped reading " + Topics.ENDPOINT_SCORES + ": " + table.failure));
        health.addReadiness("schema-registry", table.registry::outage);
        health.addReadiness("kafka", table.broker::problem);
        health.addReadiness("endpoint-table", () -> table.ready()
                ? Optional.empty() : Optional.of("not yet caught up with " + Topics.ENDPOINT_SCORES));
        return table;
    }

    /** True once everything the topic held at start has been applied. */
    public boolean ready() {
        return caughtUp && failure == null;
    }

    /** The pool's endpoints as of the last batch applied; empty for a pool the table does not know. */
    public PoolSnapshot snapshot(String poolKey) {
        PoolSnapshot pool = pools.get(poolKey);
        return pool != null ? pool : PoolSnapshot.empty(poolKey);
    }

    /**
     * Calls {@code prepare} on the consumer thread with every new pool snapshot before readers can see
     * it, such as {@code ScorePicker::prepare}. It must be quick, as the next batch waits for it; if it
     * throws, the table stops reading and reports not live.
     */
    public void beforePublishing(Consumer<PoolSnapshot> prepare) {
        beforePublishing.add(prepare);
    }

    /** Every pool's snapshot, all as of the same batch. */
    public Map<String, PoolSnapshot> pools() {
        return pools;
    }

    private void run() {
        try {
            while (true) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, byte[]> r : batch) {
                    apply(r);
                }
                pools = state.publish(snapshot -> beforePublishing.forEach(prepare -> prepare.accept(snapshot)));
                metrics.lag(lag());
                if (!caughtUp && endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.info("{}: caught up, {} pools", Topics.ENDPOINT_SCORES, pools.size());
                }
            }
        } catch (WakeupException e) {
            // close() asked the poll to return
        } catch (RuntimeException e) {
            if (closing && Transience.isTransient(e)) {
                return;
            }
            failure = e;
            LOG.error("Stopped reading {}: the snapshots served from now on grow stale", Topics.ENDPOINT_SCORES, e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            deadLetter(r, "no key: an endpoint score must be keyed cluster/namespace/pod:port");
            return;
        }
        if (r.value() == null) {
            state.remove(r.key());
            metrics.tombstone();
            return;
        }
        Endpoint endpoint;
        try {
            endpoint = Endpoint.from(r.key(), decoder.deserialize(r.topic(), r.headers(), r.value()));
        } catch (RuntimeException e) {
            if (Transience.isTransient(e)) {
                throw e; // the registry wait ended only because the table is closing
            }
            deadLetter(r, "not an EndpointScore: " + e.getMessage());
            return;
        }
        state.put(endpoint);
        metrics.applied();
    }

    /**
     * Waits for the broker to hold the dead letter, through a broker outage if need be: moving past a
     * record nobody kept would drop it.
     */
    private void deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
        byte[] raw = r.value() == null ? new byte[0] : r.value();
        deadLetters.deliver(Topics.ENDPOINT_SCORES, DECODE_STAGE, reason, raw, Map.of("key", String.valueOf(r.key()),
                "partition", String.valueOf(r.partition()), "offset", String.valueOf(r.offset())), WaitingRegistryClient.UNTIL_CLOSED);
    }

    private long lag() {
        long total = 0;
        for (TopicPartition tp : endAtStart.keySet()) {
            // The consumer knows the lag only once a fetch of the partition returned; until then the
            // end seen at start is the best there is, and it keeps a table that is catching up from reading 0.
            total += consumer.currentLag(tp).orElseGet(() -> Math.max(0, endAtStart.get(tp) - consumer.position(tp)));
        }
        return total;
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        consumer.wakeup();
        registry.close(); // ends a wait for the registry, which the wakeup does not reach
        thread.join(5000);
        deadLetters.close(Duration.ofSeconds(10));
        broker.close();
    }
}
