package io.inferpulse.streams.score;

import java.util.List;

/**
 * One criterion of an endpoint's score. A scorer sees the pool's healthy endpoints at once, so it
 * can normalise across them as the Endpoint Picker's scorers do, and gives each a value from 0
 * (worst) to 1 (best); the score is the weighted sum of those values. A new criterion is one new
 * implementation, registered by name in {@link Scorers}.
 */
interface Scorer {

    /** The name of the part in {@code EndpointScore.parts} and of its weight setting ({@code score.weight.<name>}). */
    String name();

    /**
     * Scores the pool's healthy endpoints.
     *
     * @param pool the inputs of every healthy endpoint of one pool
     * @param parts where to write the value of {@code pool.get(i)} at index i, 0..1; at least as long as {@code pool}
     */
    void score(List<ScoreInput> pool, double[] parts);
}
