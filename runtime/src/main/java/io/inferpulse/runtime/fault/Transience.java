package io.inferpulse.runtime.fault;

import io.inferpulse.schemas.registry.SchemaRegistryException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells a failure that passes (the broker or the schema registry unreachable for a while) from one
 * caused by the record itself. A reader retries the first and dead-letters only the second: a
 * valid record must never be dead-lettered because a dependency was down.
 */
public final class Transience {
    private Transience() {}

    /** True when anything in the cause chain is a Kafka retriable error or a registry call that may succeed later. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException
                    || t instanceof SchemaRegistryException sre && sre.isRetriable()) {
                return true;
            }
        }
        return false;
    }
}
