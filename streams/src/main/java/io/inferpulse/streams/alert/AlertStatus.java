package io.inferpulse.streams.alert;

/** Where an alert instance stands; Prometheus's "inactive" is the absence of an instance. */
enum AlertStatus {
    /** The condition holds, but not yet for the rule's {@code for}. */
    PENDING,
    /** The condition has held for {@code for} (or is kept firing by {@code keep_firing_for}). */
    FIRING,
    /** Stopped firing; kept for the resolved retention so receivers hear about it, then forgotten. */
    RESOLVED
}
