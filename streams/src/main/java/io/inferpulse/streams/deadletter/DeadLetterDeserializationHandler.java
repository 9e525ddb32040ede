package io.inferpulse.streams.deadletter;

import io.inferpulse.runtime.deadletter.DeadLetters;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that cannot be deserialized to the dead-letter topic, with the reason and its
 * topic, partition and offset, then lets the job continue. The dead letter is acknowledged before
 * the job moves on, so the input's offset is never committed while its dead letter could still be
 * lost; if the dead letter cannot be written the job stops rather than drop the record.
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
        if (!(configs.get(DEAD_LETTERS_CONFIG) instanceof DeadLetters given)) {
            throw new ConfigException(DEAD_LETTERS_CONFIG, configs.get(DEAD_LETTERS_CONFIG),
                    "must hold the DeadLetters instance of the service running this topology");
        }
        deadLetters = given;
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        byte[] raw = record.value() == null ? new byte[0] : record.value();
        try {
            deadLetters.send(record.topic(), "streams.deserialize", String.valueOf(exception.getMessage()), raw, Map.of(
                    "partition", String.valueOf(record.partition()),
                    "offset", String.valueOf(record.offset()),
                    "processor", String.valueOf(context.processorNodeId()))).get(30, TimeUnit.SECONDS);
            return DeserializationHandlerResponse.CONTINUE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DeserializationHandlerResponse.FAIL;
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("Could not dead-letter an undeserializable record of {}-{} at offset {}; stopping rather than drop it",
                    record.topic(), record.partition(), record.offset(), e);
            return DeserializationHandlerResponse.FAIL;
        }
    }
}
