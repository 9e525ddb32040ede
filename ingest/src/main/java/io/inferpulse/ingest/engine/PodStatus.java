package io.inferpulse.ingest.engine;

/** Whether a sample reports a live pod, or says that the pod left its pool. */
public enum PodStatus {
    /** A scrape answered. */
    UP,
    /** Discovery saw the pod leave (deleted, not ready, or deselected): consumers drop it at once. */
    GONE
}
