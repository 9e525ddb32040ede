package io.inferpulse.runtime.kafka;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/** The partitions of a topic, as a reader that assigns itself every partition needs them. */
public final class TopicPartitions {
    private static final Duration RETRY = Duration.ofMillis(100);

    private TopicPartitions() {}

    /**
     * Every partition of {@code topic}, waiting up to {@code timeout} for the topic to appear: a topic
     * created a moment ago may not be in the broker's metadata yet, and an empty list would leave a
     * reader assigned to nothing for good.
     *
     * @throws IllegalStateException when the topic still has no partitions after {@code timeout}
     */
    public static List<TopicPartition> await(Consumer<?, ?> consumer, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("topic " + topic + " does not exist (no partitions after "
                        + timeout.toSeconds() + " s)");
            }
            try {
                Thread.sleep(RETRY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
            }
        }
    }
}
