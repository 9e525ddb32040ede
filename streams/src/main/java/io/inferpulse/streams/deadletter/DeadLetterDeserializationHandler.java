package io.inferpulse.streams.deadletter;

import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.fault.Transience;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that cannot be deserialized to the dead-letter topic, with the reason and its
 * topic, partition and offset, then lets the job continue. The dead letter is acknowledged before
 * the job moves on, so the input's offset is never committed while its dead letter could still be
 * lost; if it cannot be written the thread fails rather than drop the record, and reads it again.
 *
 * <p>A record that failed only because the schema registry could not be reached is not bad: the
 * thread fails without a dead letter and its replacement reads the record again (see
 * {@code ThreadFailures}).
 *
 * <p>Kafka Streams instantiates handlers itself and never closes them, so the service that owns
 * the dead-letter producer passes it in the streams configuration under {@link #DEAD_LETTERS_CONFIG}.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    public static final String DEAD_LETTERS_CONFIG = "inferpulse.dead.letters";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = StreamsDeadLetters.from(configs);
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        if (Transience.isTransient(exception)) {
            LOG.warn("Could not read {}-{}@{} while the schema registry is unreachable; reading it again, not dead-lettering it",
                    record.topic(), record.partition(), record.offset());
            return DeserializationHandlerResponse.FAIL;
        }
        byte[] raw = record.value() == null ? new byte[0] : record.value();
        deadLetters.deliver(record.topic(), "streams.deserialize", String.valueOf(exception.getMessage()), raw, Map.of(
                "partition", String.valueOf(record.partition()),
                "offset", String.valueOf(record.offset()),
                "processor", String.valueOf(context.processorNodeId())), StreamsDeadLetters.PATIENCE);
        return DeserializationHandlerResponse.CONTINUE;
    }
}
