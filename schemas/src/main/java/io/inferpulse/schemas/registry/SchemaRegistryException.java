package io.inferpulse.schemas.registry;

/**
 * A failed registry call, carrying the HTTP status and the Confluent error code (for example 409 /
 * 409 for an incompatible schema, 404 / 40403 for an unknown id) so callers can tell a permanent
 * rejection from an outage.
 */
public class SchemaRegistryException extends RuntimeException {
    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
    }

    /** HTTP status of the answer, or -1 when no answer arrived (connection refused, time-out). */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent error code from the answer body, or -1. */
    public int errorCode() {
        return errorCode;
    }

    /** True when the registry could not be reached or answered 5xx: worth retrying later. */
    public boolean isRetriable() {
        return httpStatus < 0 || httpStatus >= 500 || httpStatus == 429;
    }
}
