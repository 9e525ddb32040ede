package io.inferpulse.ingest.receive;

/**
 * Some lines of a batch were not acknowledged by Kafka in time, or Kafka refused them. The batch
 * may be published again: lines already acknowledged are not sent twice by the same batch object,
 * but lines handed to the producer before this was thrown may still arrive, so a source that
 * resends them from scratch (an HTTP client retrying after a 503) can duplicate those.
 */
public final class NotAcknowledgedException extends Exception {
    public NotAcknowledgedException(String message, Throwable cause) {
        super(message, cause);
    }
}
