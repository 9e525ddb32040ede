package io.inferpulse.autoscaler.replicas;

/** What the replica calculator needs to know of a pod: the four groups HPA sorts pods into. */
public enum PodState {
    /** Running and ready: counted everywhere, including the ready count of a {@code Value} target. */
    READY,
    /**
     * Running but not ready. HPA still counts its sample for every metric but CPU, and leaves it out of
     * the ready count that scales a {@code Value} target.
     */
    NOT_READY,
    /** Not running yet: its sample is set aside, and counts as 0 when the metric asks for a scale-up. */
    PENDING,
    /** Being deleted or failed: ignored entirely. */
    TERMINATING
}
