package io.inferpulse.streams.score;

import org.apache.kafka.common.errors.SerializationException;

/** The version byte that opens every value of the job's stores, so a newer release can change the layout. */
final class StoreFormat {
    private StoreFormat() {
    }

    /** Fails naming the format and topic when a value was written in a layout this release cannot read. */
    static void requireVersion(String format, byte found, byte supported, String topic) {
        if (found != supported) {
            throw new SerializationException(format + " format version " + found + " is unknown (topic " + topic
                    + "); this release reads version " + supported);
        }
    }
}
