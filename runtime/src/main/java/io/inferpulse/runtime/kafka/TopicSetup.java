package io.inferpulse.runtime.kafka;

import io.inferpulse.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a service needs when they are missing, with their cleanup policy, and leaves
 * existing ones as they are: operators who manage topics themselves (Strimzi KafkaTopic) keep
 * control of partitions and retention.
 *
 * <p>{@link #ensure} returns once every partition it created has a leader that serves it. A
 * created topic reaches the brokers through the metadata log a moment later, and an idempotent
 * producer that writes at once can lose its first batch: the batch fails with
 * NOT_LEADER_OR_FOLLOWER, the next one is appended, and every retry of the first then fails with
 * OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout (KAFKA-15591, fixed in Kafka 4.5 brokers).
 */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final Duration SERVED_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofMillis(50);

    private TopicSetup() {}

    public static void ensure(KafkaSettings kafka, List<Topics.Spec> topics) {
        try (Admin admin = Admin.create(kafka.clientConfig("inferpulse-topic-setup"))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            Optional<Short> replication = kafka.topicReplicationFactor() < 0
                    ? Optional.empty() : Optional.of((short) kafka.topicReplicationFactor());
            List<NewTopic> missing = topics.stream()
                    .filter(t -> !existing.contains(t.name()))
                    .map(t -> new NewTopic(t.name(), Optional.of(kafka.topicPartitions()), replication).configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            t.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, t.retentionMs())))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            CreateTopicsResult created = admin.createTopics(missing);
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            for (NewTopic topic : missing) {
                try {
                    int count = created.numPartitions(topic.name()).get(30, TimeUnit.SECONDS);
                    for (int p = 0; p < count; p++) {
                        partitions.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // another instance created it between our list and create, and waits for it
                }
            }
            awaitServed(admin, partitions);
            LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw failed("create topics", kafka, e);
        }
    }

    /** How many partitions an existing topic has: a topology whose tasks wait for one another needs the count. */
    public static int partitions(KafkaSettings kafka, String topic) {
        try (Admin admin = Admin.create(kafka.clientConfig("inferpulse-topic-setup"))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw failed("describe topic " + topic, kafka, e);
        }
    }

    private static IllegalStateException failed(String what, KafkaSettings kafka, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("Interrupted while trying to " + what, e);
        }
        return new IllegalStateException("Could not " + what + " on " + kafka.bootstrapServers() + ": "
                + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    }

    /**
     * Waits until the broker's metadata has the topics and then until each partition's leader serves
     * it. ListOffsets is answered only by a leader that serves the partition, as a produce is, and the
     * admin client retries NOT_LEADER_OR_FOLLOWER by itself; a topic missing from the metadata fails
     * it at once, with an ERROR line per topic, so that wait is done first with describeTopics.
     */
    private static void awaitServed(Admin admin, Map<TopicPartition, OffsetSpec> partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + SERVED_TIMEOUT.toNanos();
        Set<String> names = partitions.keySet().stream().map(TopicPartition::topic).collect(Collectors.toSet());
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get(remaining(deadline), TimeUnit.NANOSECONDS);
                break;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || remaining(deadline) == 0) {
                    throw e;
                }
                Thread.sleep(RETRY);
            }
        }
        admin.listOffsets(partitions, new ListOffsetsOptions().timeoutMs((int) TimeUnit.NANOSECONDS.toMillis(remaining(deadline))))
                .all().get(remaining(deadline) + RETRY.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
