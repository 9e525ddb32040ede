package io.inferpulse.streams.alert;

/**
 * What one evaluation did to one alert instance.
 *
 * @param alert the instance to keep, or null when it is forgotten
 * @param emit whether the alerts topic hears about it
 */
record AlertOutcome(String fingerprint, ActiveAlert alert, Emit emit) {
    enum Emit {
        /** Kept (value and annotations refreshed) without telling anyone. */
        NOTHING,
        /** An event with the alert's state: it changed, or a re-send is due. */
        EVENT,
        /** Forgotten: a tombstone clears its key from the compacted topic. */
        TOMBSTONE
    }
}
