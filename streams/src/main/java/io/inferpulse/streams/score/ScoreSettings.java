package io.inferpulse.streams.score;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How the endpoint-scores job judges and reports endpoints. Problems name the settings' keys
 * ({@link ScoreConfig}), because that is what a user has to change.
 *
 * @param staleness an endpoint whose newest sample is older than this, by the wall clock, is STALE (the EPP uses 2 s);
 *     also the distance from a record's sample time to its {@code expires_at}
 * @param evaluationInterval how often every pool is re-evaluated on the wall clock: how late a stale endpoint may be noticed
 * @param retention an endpoint not heard from for this long is deleted and tombstoned
 * @param requestWindow error rate, failing health and latency cover the requests completed within this long before now
 * @param requestBucket requests are counted in buckets this wide; the window moves in these steps
 * @param minRequests an endpoint's error rate counts (for health and the error-rate scorer) from this many requests in the window
 * @param failingErrorRatio an endpoint whose error ratio reaches this is FAILING
 * @param publishEpsilon score and part changes up to this are not worth a record
 * @param weights every scorer's weight by name ({@link Scorers#NAMES}); 0 disables it
 * @param clusterLabels extra {@code cluster_labels} per cluster name, besides {@code gke.io/cluster-name}
 */
public record ScoreSettings(Duration staleness, Duration evaluationInterval, Duration retention, Duration requestWindow,
                            Duration requestBucket, int minRequests, double failingErrorRatio, double publishEpsilon,
                            Map<String, Double> weights, Map<String, Map<String, String>> clusterLabels) {
    /** The cluster label every endpoint carries: the cluster name of its samples. */
    public static final String CLUSTER_NAME_LABEL = "gke.io/cluster-name";

    public ScoreSettings {
        requirePositiveMillis(staleness, ScoreConfig.STALENESS.key());
        requirePositiveMillis(evaluationInterval, ScoreConfig.EVALUATION.key());
        requirePositiveMillis(retention, ScoreConfig.RETENTION.key());
        requirePositiveMillis(requestWindow, ScoreConfig.REQUEST_WINDOW.key());
        requirePositiveMillis(requestBucket, ScoreConfig.REQUEST_BUCKET.key());
        if (evaluationInterval.compareTo(staleness) > 0) {
            throw new IllegalArgumentException(ScoreConfig.EVALUATION.key() + " (" + evaluationInterval + ") must not exceed "
                    + ScoreConfig.STALENESS.key() + " (" + staleness + "): a stale endpoint would be noticed that much late");
        }
        if (retention.compareTo(staleness) < 0) {
            throw new IllegalArgumentException(ScoreConfig.RETENTION.key() + " (" + retention + ") must not be shorter than "
                    + ScoreConfig.STALENESS.key() + " (" + staleness + "): an endpoint would be removed while still fresh");
        }
        if (requestWindow.toMillis() % requestBucket.toMillis() != 0) {
            throw new IllegalArgumentException(ScoreConfig.REQUEST_BUCKET.key() + " (" + requestBucket + ") must divide "
                    + ScoreConfig.REQUEST_WINDOW.key() + " (" + requestWindow + "): the window is made of whole buckets");
        }
        if (minRequests < 1) {
            throw new IllegalArgumentException(ScoreConfig.MIN_REQUESTS.key() + " must be at least 1, was " + minRequests);
        }
        if (!(failingErrorRatio > 0 && failingErrorRatio <= 1)) {
            throw new IllegalArgumentException(ScoreConfig.FAILING_ERROR_RATIO.key() + " must be in (0, 1], was "
                    + failingErrorRatio);
        }
        if (!(publishEpsilon >= 0 && publishEpsilon < 1)) {
            throw new IllegalArgumentException(ScoreConfig.PUBLISH_EPSILON.key() + " must be in [0, 1), was " + publishEpsilon);
        }
        Map<String, Double> allWeights = new LinkedHashMap<>();
        for (String name : Scorers.NAMES) {
            allWeights.put(name, 0.0);
        }
        for (Map.Entry<String, Double> weight : weights.entrySet()) {
            String key = ScoreConfig.WEIGHT_PREFIX + weight.getKey();
            if (!allWeights.containsKey(weight.getKey())) {
                throw new IllegalArgumentException(key + ": no scorer named '" + weight.getKey() + "'; the scorers are "
                        + Scorers.NAMES);
            }
            double w = weight.getValue();
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(key + " must be a finite number >= 0, was " + w);
            }
            allWeights.put(weight.getKey(), w);
        }
        if (allWeights.values().stream().noneMatch(w -> w > 0)) {
            throw new IllegalArgumentException("every " + ScoreConfig.WEIGHT_PREFIX + "* is 0: at least one scorer must "
                    + "have a weight above 0, or every endpoint scores 0");
        }
        weights = Map.copyOf(allWeights);
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        clusterLabels.forEach((cluster, perCluster) -> labels.put(cluster, Map.copyOf(perCluster)));
        clusterLabels = Map.copyOf(labels);
    }

    /**
     * The EPP's 2 s staleness, evaluation every 250 ms, endpoints kept 5 minutes after their last
     * sample (as pool stats keep pods), requests over the last 60 s in 5 s buckets, FAILING from 10
     * requests at an error ratio of 0.5, the EPP's weights (queue 2, KV cache 2).
     */
    public static ScoreSettings defaults() {
        return new ScoreSettings(Duration.ofSeconds(2), Duration.ofMillis(250), Duration.ofMinutes(5), Duration.ofSeconds(60),
                Duration.ofSeconds(5), 10, 0.5, 0.001, Scorers.defaultWeights(), Map.of());
    }

    /** These settings with other scorer weights; scorers not named get 0. */
    public ScoreSettings withWeights(Map<String, Double> newWeights) {
        return new ScoreSettings(staleness, evaluationInterval, retention, requestWindow, requestBucket, minRequests,
                failingErrorRatio, publishEpsilon, newWeights, clusterLabels);
    }

    /** The weight of the scorer named so; 0 for a disabled one. */
    double weight(String scorer) {
        return Objects.requireNonNull(weights.get(scorer), () -> "no scorer named '" + scorer + "'");
    }

    /** The cluster labels of every endpoint of the cluster: its name as {@value #CLUSTER_NAME_LABEL}, then the configured ones. */
    Map<String, String> clusterLabelsOf(String cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(CLUSTER_NAME_LABEL, cluster);
        labels.putAll(clusterLabels.getOrDefault(cluster, Map.of()));
        return Map.copyOf(labels);
    }

    // Whole milliseconds, because that is the resolution of record timestamps and punctuation.
    private static void requirePositiveMillis(Duration value, String key) {
        Objects.requireNonNull(value, key);
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(key + " must be at least 1 ms, was " + value);
        }
    }
}
