package io.inferpulse.streams.deadletter;

import io.inferpulse.runtime.deadletter.DeadLetters;
import io.inferpulse.runtime.fault.Transience;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sends the input record on which a processor threw to the dead-letter topic, as it was read from
 * its source topic, with the exception and the processor, and lets the job go on with the next
 * record: one record that breaks a processor must not stop a pool's statistics. The dead letter is
 * acknowledged before the job moves on.
 *
 * <p>A transient failure (the broker or the registry away) and a failure in a punctuation, which
 * has no input record to set aside, fail the thread instead; the job replaces it and reads again
 * from the last commit, and repeated failures stop the job where liveness reports it.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = StreamsDeadLetters.from(configs);
    }

    @Override
    public ProcessingHandlerResponse handle(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (record == null || context.topic() == null || Transience.isTransient(exception)) {
            return ProcessingHandlerResponse.FAIL;
        }
        byte[] raw = context.sourceRawValue() == null ? new byte[0] : context.sourceRawValue();
        deadLetters.deliver(context.topic(), "streams.process", exception.toString(), raw, Map.of(
                "partition", String.valueOf(context.partition()),
                "offset", String.valueOf(context.offset()),
                "key", context.sourceRawKey() == null ? "" : new String(context.sourceRawKey(), StandardCharsets.UTF_8),
                "processor", String.valueOf(context.processorNodeId()),
                "task", String.valueOf(context.taskId())), StreamsDeadLetters.PATIENCE);
        return ProcessingHandlerResponse.CONTINUE;
    }
}
