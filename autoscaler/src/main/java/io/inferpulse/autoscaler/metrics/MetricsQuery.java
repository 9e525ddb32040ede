package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Answers {@code GET .../namespaces/{namespace}/{metric}?labelSelector=...} from the stats tables:
 * the pools of that namespace (or every model) whose labels the selector matches.
 */
final class MetricsQuery {
    private final StatsSource stats;

    MetricsQuery(StatsSource stats) {
        this.stats = stats;
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
        List<ExternalMetricValue> items = switch (metric.definition()) {
            case PoolMetric pool -> pools(namespace, metric, pool, selector);
            case ModelMetric model -> models(metric, model, selector);
        };
        return new Items(metric, items);
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

    private static final Comparator<ExternalMetricValue> BY_LABELS = Comparator.comparing(v -> v.labels().toString());
}
