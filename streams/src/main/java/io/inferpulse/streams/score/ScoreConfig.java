package io.inferpulse.streams.score;

import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.intAtLeast;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigParser;
import io.inferpulse.runtime.config.Configuration;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.runtime.ops.OpsSettings;
import io.inferpulse.streams.job.StreamsJobSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Settings of the endpoint-scores job. Any Kafka Streams property can be given under
 * {@code streams.} (for example {@code streams.num.standby.replicas=1}); cluster labels per cluster
 * under {@code score.cluster-labels.<cluster>} as {@code key=value,key=value}.
 */
public record ScoreConfig(StreamsJobSettings job, ScoreSettings score, KafkaSettings kafka, OpsSettings ops) {
    public static final int DEFAULT_HTTP_PORT = 9406;
    public static final String WEIGHT_PREFIX = "score.weight.";
    public static final String CLUSTER_LABELS_PREFIX = "score.cluster-labels.";

    private static final ConfigParser<Double> WEIGHT = text -> {
        double value = number(text);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(value + " is not a finite number >= 0");
        }
        return value;
    };
    private static final ConfigParser<Double> RATIO = text -> {
        double value = number(text);
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(value + " is not in (0, 1]");
        }
        return value;
    };
    private static final ConfigParser<Double> EPSILON = text -> {
        double value = number(text);
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(value + " is not in [0, 1)");
        }
        return value;
    };

    private static final StreamsJobSettings.Declarations JOB = StreamsJobSettings.declare("inferpulse-endpoint-scores",
            "inferpulse-endpoint-scores", "the pools");
    public static final ConfigParameter<String> APPLICATION_ID = JOB.applicationId();
    public static final ConfigParameter<Path> STATE_DIR = JOB.stateDir();
    public static final ConfigParameter<Duration> STALENESS = ConfigParameter.of("score.staleness", POSITIVE_DURATION, "2s",
            "An endpoint whose newest sample is older than this is STALE (the EPP's threshold); records expire this long "
                    + "after their sample");
    public static final ConfigParameter<Duration> EVALUATION = ConfigParameter.of("score.evaluation.interval",
            POSITIVE_DURATION, "250ms", "How often pools are re-evaluated on the wall clock, to notice stale endpoints");
    public static final ConfigParameter<Duration> RETENTION = ConfigParameter.of("score.endpoint.retention",
            POSITIVE_DURATION, "5m", "An endpoint not heard from for this long is tombstoned and forgotten");
    public static final ConfigParameter<Duration> REQUEST_WINDOW = ConfigParameter.of("score.requests.window",
            POSITIVE_DURATION, "60s", "Error rate, FAILING health and latency cover the requests of this recent window");
    public static final ConfigParameter<Duration> REQUEST_BUCKET = ConfigParameter.of("score.requests.bucket",
            POSITIVE_DURATION, "5s", "Width of the buckets requests are counted in; divides score.requests.window");
    public static final ConfigParameter<Integer> MIN_REQUESTS = ConfigParameter.of("score.requests.min-count",
            intAtLeast(1), "10", "An endpoint's error rate counts from this many requests in the window");
    public static final ConfigParameter<Double> FAILING_ERROR_RATIO = ConfigParameter.of("score.failing.error-ratio",
            RATIO, "0.5", "An endpoint whose recent error ratio reaches this is FAILING");
    public static final ConfigParameter<Double> PUBLISH_EPSILON = ConfigParameter.of("score.publish.epsilon", EPSILON,
            "0.001", "Score and part changes up to this are not published");

    /** One weight setting per scorer, {@code score.weight.<scorer>}, with the EPP's defaults. */
    public static final List<ConfigParameter<Double>> WEIGHTS = Scorers.defaultWeights().entrySet().stream()
            .map(w -> ConfigParameter.of(WEIGHT_PREFIX + w.getKey(), WEIGHT, formatWeight(w.getValue()),
                    "Weight of the " + w.getKey() + " scorer; 0 disables it"))
            .toList();

    public static List<ConfigParameter<?>> parameters() {
        List<ConfigParameter<?>> own = new ArrayList<>(List.of(APPLICATION_ID, STATE_DIR, STALENESS, EVALUATION, RETENTION,
                REQUEST_WINDOW, REQUEST_BUCKET, MIN_REQUESTS, FAILING_ERROR_RATIO, PUBLISH_EPSILON));
        own.addAll(WEIGHTS);
        return Stream.of(own, KafkaSettings.PARAMETERS, OpsSettings.parameters(DEFAULT_HTTP_PORT))
                .flatMap(List::stream).toList();
    }

    public static Set<String> passThroughPrefixes() {
        return StreamsJobSettings.passThroughPrefixes(CLUSTER_LABELS_PREFIX);
    }

    /** Loads the configuration from settings alone: for embedding the job and for tests. */
    public static ScoreConfig of(Map<String, String> settings) {
        return from(Configuration.load(parameters(), passThroughPrefixes(), Configuration.Sources.of(settings)));
    }

    public static ScoreConfig from(Configuration config) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (ConfigParameter<Double> weight : WEIGHTS) {
            weights.put(weight.key().substring(WEIGHT_PREFIX.length()), config.get(weight));
        }
        ScoreSettings score;
        try {
            score = new ScoreSettings(config.get(STALENESS), config.get(EVALUATION), config.get(RETENTION),
                    config.get(REQUEST_WINDOW), config.get(REQUEST_BUCKET), config.get(MIN_REQUESTS),
                    config.get(FAILING_ERROR_RATIO), config.get(PUBLISH_EPSILON), weights,
                    clusterLabels(config.withPrefix(CLUSTER_LABELS_PREFIX)));
        } catch (IllegalArgumentException e) {
            // ScoreSettings names the keys involved.
            throw new ConfigException(e.getMessage());
        }
        return new ScoreConfig(JOB.from(config), score,
                KafkaSettings.from(config), OpsSettings.from(config, DEFAULT_HTTP_PORT));
    }

    /** {@code score.cluster-labels.prod-eu=gke.io/region=europe-west4,gke.io/zone=europe-west4-a}, per cluster. */
    static Map<String, Map<String, String>> clusterLabels(Map<String, String> byCluster) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        byCluster.forEach((cluster, text) -> {
            Map<String, String> labels = new LinkedHashMap<>();
            for (String pair : text.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = eq < 0 ? "" : pair.substring(0, eq).strip();
                String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
                if (name.isEmpty() || value.isEmpty()) {
                    problems.add(CLUSTER_LABELS_PREFIX + cluster + ": '" + pair.strip()
                            + "' is not label=value (e.g. gke.io/zone=us-central1-a)");
                } else if (labels.put(name, value) != null) {
                    problems.add(CLUSTER_LABELS_PREFIX + cluster + ": label " + name + " is given twice");
                }
            }
            out.put(cluster, labels);
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return out;
    }

    private static double number(String text) {
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    }

    private static String formatWeight(double weight) {
        return weight == Math.rint(weight) ? String.valueOf((long) weight) : String.valueOf(weight);
    }
}
