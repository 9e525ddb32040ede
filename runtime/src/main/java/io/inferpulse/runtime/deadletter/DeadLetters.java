package io.inferpulse.runtime.deadletter;

import io.inferpulse.avro.DeadLetter;
import io.inferpulse.schemas.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends inputs that could not be processed to the dead-letter topic with the reason, and counts
 * them, so that a bad input is visible and replayable rather than dropped. Large inputs are kept
 * up to a limit and marked truncated.
 */
public final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final Producer<String, DeadLetter> producer;
    private final Topic<String, DeadLetter> topic;
    private final MeterRegistry meters;
    private final Clock clock;
    private final int maxRawBytes;

    public DeadLetters(Producer<String, DeadLetter> producer, Topic<String, DeadLetter> topic, MeterRegistry meters,
                       Clock clock, int maxRawBytes) {
        this.producer = producer;
        this.topic = topic;
        this.meters = meters;
        this.clock = clock;
        this.maxRawBytes = maxRawBytes;
    }

    /**
     * Records one rejected input.
     *
     * @param source where it came from: a topic, or an input such as {@code scrape:<url>} (the record key)
     * @param stage the step that rejected it, e.g. {@code scrape.parse}; a label of the counter
     * @return completes when the broker has the dead letter, for callers that must not move on before
     */
    public Future<RecordMetadata> send(String source, String stage, String reason, byte[] raw, Map<String, String> attributes) {
        boolean truncated = raw.length > maxRawBytes;
        DeadLetter letter = DeadLetter.newBuilder()
                .setSource(source)
                .setStage(stage)
                .setReason(reason)
                .setRaw(ByteBuffer.wrap(truncated ? Arrays.copyOf(raw, maxRawBytes) : raw))
                .setRawTruncated(truncated)
                .setReceivedAt(clock.instant())
                .setAttributes(Map.copyOf(attributes))
                .build();
        counter(stage).increment();
        LOG.warn("Dead-lettered input from {} at {}: {}", source, stage, reason);
        return producer.send(new ProducerRecord<>(topic.name(), source, letter), (metadata, e) -> {
            if (e != null) {
                LOG.error("Could not write a dead letter from {} ({}) to {}: {}", source, reason, topic.name(), e.toString());
            }
        });
    }

    private Counter counter(String stage) {
        return Counter.builder("inferpulse_dead_letters")
                .description("Inputs sent to the dead-letter topic, by the stage that rejected them")
                .tag("stage", stage)
                .register(meters);
    }
}
