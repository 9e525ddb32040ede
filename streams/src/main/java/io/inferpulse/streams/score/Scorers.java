package io.inferpulse.streams.score;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every scorer by name, with the Endpoint Picker's default weights: queue 2 and KV cache 2, the
 * others off until given a weight. The EPP's third default, the prefix-cache scorer (weight 3),
 * needs the prompt of the request being routed and cannot be computed ahead of it from pod metrics.
 */
final class Scorers {
    /** In the order parts are computed and settings listed. */
    static final List<String> NAMES = List.of(QueueScorer.NAME, KvCacheScorer.NAME, RunningRequestsScorer.NAME,
            LoraScorer.NAME, ErrorRateScorer.NAME, LatencyScorer.NAME);

    private Scorers() {}

    static Map<String, Double> defaultWeights() {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String name : NAMES) {
            weights.put(name, name.equals(QueueScorer.NAME) || name.equals(KvCacheScorer.NAME) ? 2.0 : 0.0);
        }
        return weights;
    }

    /** The scorers with a weight above 0, in {@link #NAMES} order. */
    static List<Scorer> enabled(ScoreSettings settings) {
        List<Scorer> scorers = new ArrayList<>();
        for (String name : NAMES) {
            if (settings.weight(name) > 0) {
                scorers.add(create(name, settings));
            }
        }
        return List.copyOf(scorers);
    }

    private static Scorer create(String name, ScoreSettings settings) {
        return switch (name) {
            case QueueScorer.NAME -> new QueueScorer();
            case KvCacheScorer.NAME -> new KvCacheScorer();
            case RunningRequestsScorer.NAME -> new RunningRequestsScorer();
            case LoraScorer.NAME -> new LoraScorer();
            case ErrorRateScorer.NAME -> new ErrorRateScorer(settings.minRequests());
            case LatencyScorer.NAME -> new LatencyScorer();
            default -> throw new IllegalArgumentException("no scorer named '" + name + "'; the scorers are " + NAMES);
        };
    }
}
