package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Answers {@code GET .../namespaces/{namespace}/{metric}?labelSelector=...} from the stats tables:
 * the pools of that namespace (or every model) whose labels the selector matches, each judged
 * against the staleness policy before it is served.
 */
final class MetricsQuery {
    private static final Comparator<ExternalMetricValue> BY_LABELS = Comparator.comparing(v -> v.labels().toString());

    private final StatsSource stats;
    private final Staleness staleness;
    private final Clock clock;
    private final MetricsApiMetrics metrics;

    MetricsQuery(StatsSource stats, Staleness staleness, Clock clock, MetricsApiMetrics metrics) {
        this.stats = stats;
        this.staleness = staleness;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The items, or why there are none to give. */
    sealed interface Result permits Items, Failure {}

    record Items(MetricName metric, List<ExternalMetricValue> items) implements Result {
        Items {
            items = List.copyOf(items);
        }
    }

    record Failure(ApiStatus status) implements Result {}

    Result list(String namespace, String requestedMetric, String labelSelector) {
        MetricName metric = MetricName.resolve(requestedMetric).orElse(null);
        if (metric == null) {
            return new Failure(ApiStatus.notFound("the server could not find the metric " + requestedMetric
                    + "; served metrics: " + MetricName.all().map(MetricDefinition::metricName).toList()
                    + ", each also as prometheus.googleapis.com|<name>|gauge"));
        }
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(labelSelector);
        } catch (IllegalArgumentException e) {
            return new Failure(ApiStatus.badRequest(e.getMessage()));
        }
        List<ExternalMetricValue> selected = switch (metric.definition()) {
            case PoolMetric pool -> pools(namespace, metric, pool, selector);
            case ModelMetric model -> models(metric, model, selector);
        };
        return judge(metric, selected);
    }

    /** Applies the staleness policy: all items current, or the stale ones replaced, or an error naming the first. */
    private Result judge(MetricName metric, List<ExternalMetricValue> selected) {
        Instant now = clock.instant();
        String name = metric.definition().metricName();
        List<ExternalMetricValue> served = new ArrayList<>(selected.size());
        for (ExternalMetricValue v : selected) {
            Duration age = Duration.between(v.timestamp(), now);
            if (!staleness.stale(age)) {
                metrics.served(name, age);
                served.add(v);
            } else if (staleness.fallback().isPresent()) {
                metrics.stale(name, "fallback");
                served.add(v.withValue(staleness.fallback().getAsDouble()));
            } else {
                metrics.stale(name, "error");
                return new Failure(ApiStatus.serviceUnavailable("the value of " + metric.requested() + " for " + v.subject()
                        + " is stale: computed " + seconds(age) + " ago (at " + v.timestamp() + "), more than the "
                        + seconds(staleness.maxAge()) + " allowed (staleness.max-age); check that the job writing "
                        + (metric.definition() instanceof PoolMetric ? Topics.POOL_STATS : Topics.MODEL_STATS)
                        + " is running"));
            }
        }
        return new Items(metric, served);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    private List<ExternalMetricValue> pools(String namespace, MetricName metric, PoolMetric definition, LabelSelector selector) {
        List<ExternalMetricValue> out = new ArrayList<>();
        for (PoolStats s : stats.pools()) {
            if (!s.getNamespace().equals(namespace)) {
                continue;
            }
            Map<String, String> labels = metric.form().labels(PoolMetric.labels(s));
            Double value = definition.value(s);
            if (value != null && !value.isNaN() && selector.matches(labels)) {
                out.add(new ExternalMetricValue(metric.requested(), labels, s.getComputedAt(), value,
                        "pool " + Topics.poolKey(s.getCluster(), s.getNamespace(), s.getPool())));
            }
        }
        out.sort(BY_LABELS);
        return out;
    }

    private List<ExternalMetricValue> models(MetricName metric, ModelMetric definition, LabelSelector selector) {
        boolean targets = selector.mentions(metric.form().label(ModelMetric.TARGET_MODEL_NAME));
        List<ExternalMetricValue> out = new ArrayList<>();
        for (ModelStats s : stats.models()) {
            if (!targets && !s.getTargetModelName().isEmpty()) {
                continue;
            }
            Map<String, String> labels = metric.form().labels(ModelMetric.labels(s));
            Double value = definition.value(s);
            if (value != null && !value.isNaN() && selector.matches(labels)) {
                out.add(new ExternalMetricValue(metric.requested(), labels, s.getWindowEnd(), value,
                        "model " + s.getModelName() + (s.getTargetModelName().isEmpty() ? "" : "/" + s.getTargetModelName())));
            }
        }
        out.sort(BY_LABELS);
        return out;
    }
}
