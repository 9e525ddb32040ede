package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /** Bounds the caches of parsed names and selectors: HPAs ask a few fixed ones, anything else only costs a re-parse. */
    static final int CACHE_LIMIT = 1024;
    private static final Map<MetricName.Form, Map<String, String>> POOL_KEYS = keys(PoolMetric.NAME, PoolMetric.NAMESPACE,
            PoolMetric.CLUSTER);
    private static final Map<MetricName.Form, Map<String, String>> MODEL_KEYS = keys(ModelMetric.MODEL_NAME,
            ModelMetric.TARGET_MODEL_NAME);

    private final Map<String, MetricName> names = new ConcurrentHashMap<>();
    private final Map<String, LabelSelector> selectors = new ConcurrentHashMap<>();

    /** Each form's spelling of the labels back to the EPP label, so a selector is matched without a label map per row. */
    private static Map<MetricName.Form, Map<String, String>> keys(String... eppLabels) {
        Map<MetricName.Form, Map<String, String>> out = new EnumMap<>(MetricName.Form.class);
        for (MetricName.Form form : MetricName.Form.values()) {
            Map<String, String> keys = new HashMap<>();
            for (String label : eppLabels) {
                keys.put(form.label(label), label);
            }
            out.put(form, Map.copyOf(keys));
        }
        return out;
    }

    private MetricName resolve(String requested) {
        MetricName metric = names.get(requested);
        if (metric == null) {
            metric = MetricName.resolve(requested).orElse(null);
            if (metric != null) {
                remember(names, requested, metric);
            }
        }
        return metric;
    }

    private LabelSelector selector(String text) {
        if (text == null) {
            return LabelSelector.parse(null);
        }
        LabelSelector selector = selectors.get(text);
        if (selector == null) {
            selector = LabelSelector.parse(text); // throws for a malformed one, which is not remembered
            remember(selectors, text, selector);
        }
        return selector;
    }

    private static <V> void remember(Map<String, V> cache, String key, V value) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear(); // crude but bounded: a client cycling through names cannot grow the heap
        }
        cache.put(key, value);
    }

    /** How many parsed selectors are held: for tests of the bound. */
    int cachedSelectors() {
        return selectors.size();
    }

    Result list(String namespace, String requestedMetric, String labelSelector) {
        MetricName metric = resolve(requestedMetric);
        if (metric == null) {
            return new Failure(ApiStatus.notFound("the server could not find the metric " + requestedMetric
                    + "; served metrics: " + MetricName.all().map(MetricDefinition::metricName).toList()
                    + ", each also as prometheus.googleapis.com|<name>|gauge"));
        }
        LabelSelector selector;
        try {
            selector = selector(labelSelector);
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
                metrics.served(name, age.toNanos());
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
        PoolRow row = new PoolRow(POOL_KEYS.get(metric.form())); // one per request, not a lambda per row
        for (PoolStats s : stats.pools()) {
            if (!s.getNamespace().equals(namespace)) {
                continue;
            }
            row.pool = s;
            if (!selector.matches(row)) {
                continue;
            }
            Double value = definition.value(s);
            if (value != null && !value.isNaN()) {
                Map<String, String> labels = metric.form().labels(PoolMetric.labels(s));
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
        ModelRow row = new ModelRow(MODEL_KEYS.get(metric.form()));
        for (ModelStats s : stats.models()) {
            if (!targets && !s.getTargetModelName().isEmpty()) {
                continue;
            }
            row.model = s;
            if (!selector.matches(row)) {
                continue;
            }
            Double value = definition.value(s);
            if (value != null && !value.isNaN()) {
                Map<String, String> labels = metric.form().labels(ModelMetric.labels(s));
                out.add(new ExternalMetricValue(metric.requested(), labels, s.getWindowEnd(), value,
                        "model " + s.getModelName() + (s.getTargetModelName().isEmpty() ? "" : "/" + s.getTargetModelName())));
            }
        }
        out.sort(BY_LABELS);
        return out;
    }

    /** The same values {@link PoolMetric#labels} gives, one at a time; null for a label pools do not have. */
    private static String poolLabel(PoolStats s, String eppLabel) {
        if (eppLabel == null) {
            return null;
        }
        return switch (eppLabel) {
            case PoolMetric.NAME -> s.getPool();
            case PoolMetric.NAMESPACE -> s.getNamespace();
            case PoolMetric.CLUSTER -> s.getCluster();
            default -> null;
        };
    }

    private static String modelLabel(ModelStats s, String eppLabel) {
        if (eppLabel == null) {
            return null;
        }
        return switch (eppLabel) {
            case ModelMetric.MODEL_NAME -> s.getModelName();
            case ModelMetric.TARGET_MODEL_NAME -> s.getTargetModelName();
            default -> null;
        };
    }

    /** The labels of the row being matched, looked up by the form's label name. */
    private static final class PoolRow implements java.util.function.Function<String, String> {
        private final Map<String, String> keys;
        PoolStats pool;

        PoolRow(Map<String, String> keys) {
            this.keys = keys;
        }

        @Override
        public String apply(String key) {
            return poolLabel(pool, keys.get(key));
        }
    }

    private static final class ModelRow implements java.util.function.Function<String, String> {
        private final Map<String, String> keys;
        ModelStats model;

        ModelRow(Map<String, String> keys) {
            this.keys = keys;
        }

        @Override
        public String apply(String key) {
            return modelLabel(model, keys.get(key));
        }
    }
}
