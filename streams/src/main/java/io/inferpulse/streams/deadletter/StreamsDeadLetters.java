package io.inferpulse.streams.deadletter;

import io.inferpulse.runtime.deadletter.DeadLetters;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** How the handlers of a job find the job's {@link DeadLetters}, and how long they wait for the broker to take one. */
final class StreamsDeadLetters {
    /** Well within the stream thread's poll interval: past it the group would take the thread's tasks away. */
    static final Duration PATIENCE = Duration.ofMinutes(1);

    private StreamsDeadLetters() {}

    static DeadLetters from(Map<String, ?> configs) {
        if (!(configs.get(DeadLetterDeserializationHandler.DEAD_LETTERS_CONFIG) instanceof DeadLetters given)) {
            throw new ConfigException(DeadLetterDeserializationHandler.DEAD_LETTERS_CONFIG,
                    configs.get(DeadLetterDeserializationHandler.DEAD_LETTERS_CONFIG),
                    "must hold the DeadLetters instance of the service running this topology");
        }
        return given;
    }
}
