package io.inferpulse.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.devstack.broker.EmbeddedKafkaBroker;
import io.inferpulse.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Topic creation on a real broker (here, because the broker lives in this module): the topics
 * {@link TopicSetup#ensure} created take a write on every partition the moment it returns.
 */
class TopicSetupIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void shouldReturnOnlyOnceEveryCreatedPartitionTakesWrites() throws Exception {
        KafkaSettings kafka = KafkaSettings.local(broker.bootstrapServers(), "http://127.0.0.1:1");
        // A producer that does not retry fails a write to a partition its leader does not serve yet
        // (NOT_LEADER_OR_FOLLOWER) instead of hiding it; several rounds, as the window is short.
        Map<String, Object> noRetries = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(noRetries, new StringSerializer(), new StringSerializer())) {
            for (int round = 0; round < 5; round++) {
                List<Topics.Spec> specs = List.of(
                        new Topics.Spec("setup-" + round + "-logs", false, "3600000"),
                        new Topics.Spec("setup-" + round + "-scores", true, "-1"));

                TopicSetup.ensure(kafka, specs);

                List<Future<RecordMetadata>> writes = new ArrayList<>();
                for (Topics.Spec spec : specs) {
                    IntStream.range(0, kafka.topicPartitions()).forEach(p ->
                            writes.add(producer.send(new ProducerRecord<>(spec.name(), p, "k", "v"))));
                }
                for (Future<RecordMetadata> write : writes) {
                    assertThat(write.get(30, TimeUnit.SECONDS).offset()).isZero();
                }
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            assertThat(admin.describeTopics(List.of("setup-0-scores")).allTopicNames().get().get("setup-0-scores").partitions())
                    .hasSize(kafka.topicPartitions());
        }
    }
}
