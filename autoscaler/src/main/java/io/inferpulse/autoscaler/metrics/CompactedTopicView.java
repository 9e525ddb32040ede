package io.inferpulse.autoscaler.metrics;

import io.inferpulse.runtime.fault.Transience;
import io.inferpulse.runtime.kafka.TopicPartitions;
import io.inferpulse.schemas.Topic;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest value of every key of a compacted topic, read from the beginning of every partition
 * on a background thread without a consumer group: every instance of the API holds the whole
 * table, so any replica can answer any request. A tombstone removes its key.
 *
 * <p>The view is caught up once it has read to the end offsets the topic had when the view
 * started; compared by position, not by the last record's offset, because a transaction marker
 * or a compacted-away record can sit at the end of a partition and is never handed to us.
 */
final class CompactedTopicView<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicView.class);

    private final String topic;
    private final KafkaConsumer<String, V> consumer;
    private final Map<String, V> latest = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> endAtStart;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Thread thread;
    private volatile boolean caughtUp;
    private volatile RuntimeException failure;

    private CompactedTopicView(Topic<String, V> topic, KafkaConsumer<String, V> consumer, Map<TopicPartition, Long> endAtStart) {
        this.topic = topic.name();
        this.consumer = consumer;
        this.endAtStart = endAtStart;
        this.caughtUp = endAtStart.values().stream().allMatch(end -> end == 0);
        this.thread = Thread.ofPlatform().name("view-" + topic.name()).daemon().start(this::run);
    }

    static <V> CompactedTopicView<V> start(Map<String, Object> clientConfig, Topic<String, V> topic) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Values written by an exactly-once job and then aborted never happened.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Freshness is the point of this service: hand over a record as soon as it is there.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
        try {
            List<TopicPartition> partitions = TopicPartitions.await(consumer, topic.name(), Duration.ofSeconds(30));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            return new CompactedTopicView<>(topic, consumer, Map.copyOf(end));
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    private void run() {
        try {
            while (true) {
                try {
                    for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(100))) {
                        apply(r);
                    }
                } catch (RecordDeserializationException e) {
                    if (Transience.isTransient(e)) {
                        // The registry client waited and gave up; the position is still on this record, so
                        // the next poll reads it again. Readiness names the outage meanwhile.
                        LOG.warn("{}: pausing at {}@{} until the schema registry answers: {}", topic, e.topicPartition(),
                                e.offset(), e.getMessage());
                        continue;
                    }
                    // The writer dead-letters what it cannot write; here an unreadable record only means
                    // its key keeps its previous value (which then ages into staleness), not a stopped view.
                    skipped.incrementAndGet();
                    LOG.warn("{}: skipping unreadable record at {}@{}: {}", topic, e.topicPartition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
                if (!caughtUp && endAtStart.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.info("{}: caught up, {} keys from {} records", topic, latest.size(), records.get());
                }
            }
        } catch (WakeupException e) {
            // close() asked the poll to return
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("Stopped reading {}: values served from now on grow stale", topic, e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<String, V> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            latest.remove(r.key());
        } else {
            latest.put(r.key(), r.value());
        }
        records.incrementAndGet();
    }

    /** Records that could not be deserialized and were skipped. */
    long skipped() {
        return skipped.get();
    }

    String topic() {
        return topic;
    }

    /** True once everything the topic held at start has been read. */
    boolean caughtUp() {
        return caughtUp;
    }

    /** Why reading stopped, if it did: a record that cannot be deserialized, a lost broker. */
    RuntimeException failure() {
        return failure;
    }

    boolean running() {
        return thread.isAlive();
    }

    /** A live, read-only view of the latest values by key. */
    Map<String, V> values() {
        return Collections.unmodifiableMap(latest);
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(5000);
    }
}
