package io.inferpulse.runtime.deadletter;

/** A dead letter the broker did not take: the input it carries must not be moved past. */
public final class DeadLetterException extends RuntimeException {
    public DeadLetterException(String message, Throwable cause) {
        super(message, cause);
    }
}
