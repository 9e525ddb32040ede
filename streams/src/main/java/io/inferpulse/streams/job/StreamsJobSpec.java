package io.inferpulse.streams.job;

import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.schemas.Topics;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/**
 * What one streams job is, as the job declares it; {@link StreamsJob#start} runs every job the same way.
 *
 * @param name     names the job in logs and in its health checks ({@code <name>-streams})
 * @param kafka    where the broker and the schema registry are
 * @param settings its application id, state directory and the operator's Kafka Streams properties
 * @param topics   the topics it reads and writes, created when missing before it starts
 * @param tuning   the job's own Kafka Streams properties (its processing guarantee among them), applied
 *                 over the common ones and under the operator's
 * @param topology builds the topology from the job's topics, once they exist
 * @param close    how the job stops
 */
public record StreamsJobSpec(String name, KafkaSettings kafka, StreamsJobSettings settings, List<Topics.Spec> topics,
                             Properties tuning, Function<Topics, Topology> topology, KafkaStreams.CloseOptions close) {

    public StreamsJobSpec {
        topics = List.copyOf(topics);
        Properties copy = new Properties();
        copy.putAll(tuning);
        tuning = copy;
    }
}
