package io.inferpulse.ingest.engine;

/**
 * How the series of one metric combine into one value per pod. A model server can expose several
 * series of the same gauge (one per model name, data-parallel rank or Triton model), so a mapping
 * must say whether they add up or overlap.
 */
public enum Aggregation {
    /** The series count distinct things, e.g. the queue of each data-parallel engine. */
    SUM,
    /**
     * The series describe the same or competing resources, e.g. the KV cache seen by each rank:
     * the fullest is the one that starts preempting first.
     */
    MAX
}
