package io.inferpulse.streams.score;

import java.util.List;

/** A scorer that judges each endpoint on its own inputs, whatever the rest of the pool looks like. */
abstract class IndependentScorer implements Scorer {
    private final String name;

    IndependentScorer(String name) {
        this.name = name;
    }

    /** The endpoint's part, 0..1. */
    abstract double part(ScoreInput endpoint);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void score(List<ScoreInput> pool, double[] parts) {
        for (int i = 0; i < pool.size(); i++) {
            parts[i] = part(pool.get(i));
        }
    }
}
