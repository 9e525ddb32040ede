package io.inferpulse.ingest.engine;

import java.util.OptionalDouble;
import java.util.function.DoublePredicate;

/**
 * Folds the values of several series into one. A NaN series is a missing one, and no non-NaN
 * series means no value rather than zero, so that "the server did not say" stays distinguishable
 * from "the server said 0".
 */
final class Accumulator {

    private final Aggregation aggregation;
    private double value;
    private boolean seen;

    Accumulator(Aggregation aggregation) {
        this.aggregation = aggregation;
        this.value = aggregation == Aggregation.SUM ? 0 : Double.NEGATIVE_INFINITY;
    }

    void add(double sample) {
        if (Double.isNaN(sample)) {
            return;
        }
        value = aggregation == Aggregation.SUM ? value + sample : Math.max(value, sample);
        seen = true;
    }

    OptionalDouble result() {
        return seen ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    /**
     * The value if it is valid, else empty: an impossible value (a negative queue, a cache 120%
     * full) is dropped like a missing one rather than failing the sample, so the pod's other values
     * still get through. A negative zero becomes zero, lest a dashboard show "-0".
     */
    static OptionalDouble validated(OptionalDouble value, DoublePredicate isValid) {
        if (value.isEmpty()) {
            return value;
        }
        double v = value.getAsDouble();
        return isValid.test(v) ? OptionalDouble.of(v + 0.0) : OptionalDouble.empty();
    }
}
