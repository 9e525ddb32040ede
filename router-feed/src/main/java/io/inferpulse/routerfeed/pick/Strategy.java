package io.inferpulse.routerfeed.pick;

/** How a picker chooses among the endpoints that may take a request. */
public enum Strategy {
    /** The highest score; ties broken at random so an idle pool does not pile onto one pod (the EPP's default). */
    MAX_SCORE,
    /** At random, in proportion to score times capacity scaler: spreads load, still leans to the best. */
    WEIGHTED_RANDOM,
    /** The better of two endpoints drawn at random: near-best choices without a herd on the single best. */
    POWER_OF_TWO
}
