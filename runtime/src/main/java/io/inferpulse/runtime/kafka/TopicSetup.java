package io.inferpulse.runtime.kafka;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.inferpulse.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a service needs when they are missing, with their cleanup policy, and leaves
 * existing ones as they are: operators who manage topics themselves (Strimzi KafkaTopic) keep
 * control of partitions and retention.
 */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

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
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
                // another instance created it between our list and create: what we wanted
            }
            LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not create topics on " + kafka.bootstrapServers() + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
    }
}
