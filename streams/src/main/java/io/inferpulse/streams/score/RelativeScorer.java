package io.inferpulse.streams.score;

import java.util.List;

/**
 * The Endpoint Picker's queue-scorer normalisation, for any gauge where less is better: over the
 * endpoints that have a value, {@code (max - v) / (max - min)}, so the least loaded scores 1 and the
 * most loaded 0; 1 for every one of them when all values are equal.
 */
abstract class RelativeScorer implements Scorer {
    private final String name;
    private final double unknown;

    /** @param unknown the part of an endpoint without a value */
    RelativeScorer(String name, double unknown) {
        this.name = name;
        this.unknown = unknown;
    }

    /** The endpoint's gauge, NaN when it has none. */
    abstract double value(ScoreInput endpoint);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void score(List<ScoreInput> pool, double[] parts) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (ScoreInput input : pool) {
            double v = value(input);
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double range = max - min;
        for (int i = 0; i < pool.size(); i++) {
            double v = value(pool.get(i));
            if (Double.isNaN(v)) {
                parts[i] = unknown;
            } else {
                parts[i] = range > 0 ? (max - v) / range : 1.0;
            }
        }
    }

    /** A reported gauge as a double, NaN when the server did not report it. */
    static double orNaN(Double gauge) {
        return gauge == null ? Double.NaN : gauge;
    }
}
