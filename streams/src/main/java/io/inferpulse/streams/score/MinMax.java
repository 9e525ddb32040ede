package io.inferpulse.streams.score;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The Endpoint Picker's queue-scorer normalisation, for any gauge where less is better: over the
 * endpoints that have a value, {@code (max - v) / (max - min)}, so the least loaded scores 1 and the
 * most loaded 0; 1 for every one of them when all values are equal.
 */
final class MinMax {
    private MinMax() {}

    /**
     * @param value the gauge of an endpoint, NaN when it has none
     * @param unknown the part of an endpoint without a value
     */
    static void lowerIsBetter(List<ScoreInput> pool, ToDoubleFunction<ScoreInput> value, double unknown, double[] parts) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (ScoreInput input : pool) {
            double v = value.applyAsDouble(input);
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double range = max - min;
        for (int i = 0; i < pool.size(); i++) {
            double v = value.applyAsDouble(pool.get(i));
            if (Double.isNaN(v)) {
                parts[i] = unknown;
            } else {
                parts[i] = range > 0 ? (max - v) / range : 1.0;
            }
        }
    }

    /** The gauge as a double, NaN when the server did not report it. */
    static double orNaN(Double gauge) {
        return gauge == null ? Double.NaN : gauge;
    }
}
