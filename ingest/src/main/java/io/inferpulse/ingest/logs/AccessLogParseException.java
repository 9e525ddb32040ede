package io.inferpulse.ingest.logs;

/** A line that is not a valid access-log entry of the expected format; the message says why, for the dead-letter topic. */
public final class AccessLogParseException extends RuntimeException {
    public AccessLogParseException(String reason) {
        super(reason);
    }

    public AccessLogParseException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
