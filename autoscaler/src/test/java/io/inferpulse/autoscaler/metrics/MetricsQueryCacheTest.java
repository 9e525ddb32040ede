package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-request shortcuts of the query path: remembered selectors and names, and the streamed document. */
class MetricsQueryCacheTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private final FixedStats stats = new FixedStats();
    private final MetricsQuery query = new MetricsQuery(stats, Staleness.error(Duration.ofMinutes(10)), Clock.systemUTC(),
            new MetricsApiMetrics(new SimpleMeterRegistry()));

    private List<String> values(String metric, String selector) {
        MetricsQuery.Result result = query.list("default", metric, selector);
        assertThat(result).isInstanceOf(MetricsQuery.Items.class);
        return ((MetricsQuery.Items) result).items().stream().map(v -> Quantities.format(v.value())).toList();
    }

    @Test
    void shouldAnswerFromTheCurrentTableWhenTheSelectorIsRemembered() {
        stats.pools.add(pool("c1", "default", "pool-0", NOW, 0.5, 12, 3));
        stats.pools.add(pool("c1", "default", "pool-1", NOW, 0.25, 1.5, 2));
        assertThat(values("inference_pool_average_queue_size", "name=pool-0")).containsExactly("12");

        // The same selector again, after the table changed: the answer follows the table.
        stats.pools.set(0, pool("c1", "default", "pool-0", NOW, 0.5, 7, 3));
        assertThat(values("inference_pool_average_queue_size", "name=pool-0")).containsExactly("7");
        stats.pools.add(pool("c2", "default", "pool-0", NOW, 0.5, 3, 3));
        assertThat(values("inference_pool_average_queue_size", "name=pool-0")).containsExactly("7", "3");
        stats.pools.clear();
        assertThat(values("inference_pool_average_queue_size", "name=pool-0")).isEmpty();
    }

    @Test
    void shouldMatchEachFormsLabelNamesWithoutALabelMapPerRow() {
        stats.pools.add(pool("c1", "default", "pool-0", NOW, 0.5, 12, 3));
        stats.pools.add(pool("c2", "default", "pool-1", NOW, 0.25, 1.5, 2));
        String stackdriver = "prometheus.googleapis.com|inference_pool_average_queue_size|gauge";
        assertThat(values(stackdriver, "metric.labels.name=pool-1")).containsExactly("1500m");
        assertThat(values(stackdriver, "resource.labels.cluster=c1")).containsExactly("12");
        // In the Stackdriver form the EPP spelling is no label at all, so equality never matches and != always does.
        assertThat(values(stackdriver, "name=pool-1")).isEmpty();
        assertThat(values(stackdriver, "name!=pool-1")).hasSize(2);
        assertThat(values("inference_pool_average_queue_size", "cluster in (c2),!missing")).containsExactly("1500m");
    }

    @Test
    void shouldKeepTheSelectorCacheBoundedAndNeverRememberAMalformedSelector() {
        stats.pools.add(pool("c1", "default", "pool-0", NOW, 0.5, 12, 3));
        for (int i = 0; i < MetricsQuery.CACHE_LIMIT * 2 + 10; i++) {
            query.list("default", "inference_pool_average_queue_size", "name=pool-" + i);
            assertThat(query.cachedSelectors()).isLessThanOrEqualTo(MetricsQuery.CACHE_LIMIT);
        }
        int held = query.cachedSelectors();
        for (int i = 0; i < 2; i++) {
            assertThat(query.list("default", "inference_pool_average_queue_size", "name in (pool-0"))
                    .isInstanceOf(MetricsQuery.Failure.class);
            assertThat(query.cachedSelectors()).isEqualTo(held);
        }
    }

    @Test
    void shouldStreamTheSameBytesAsTheDocumentTree() throws Exception {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("name", "pool \"0\"\u00e9");
        labels.put("namespace", "default");
        List<ExternalMetricValue> items = List.of(
                new ExternalMetricValue("m", labels, NOW.plusMillis(1500), 1.5, "pool a"),
                new ExternalMetricValue("prometheus.googleapis.com|m|gauge", Map.of("cluster", "c\\1"), NOW, 0.001, "pool b"));
        for (List<ExternalMetricValue> list : List.of(items, List.<ExternalMetricValue>of())) {
            assertThat(new String(ApiDocuments.valueList(list), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(new String(tree(list), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The document as ApiDocuments wrote it before it streamed: maps written by Jackson. */
    private static byte[] tree(List<ExternalMetricValue> items) throws Exception {
        List<Map<String, Object>> out = items.stream().map(v -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("metricName", v.metricName());
            item.put("metricLabels", v.labels());
            item.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(v.timestamp().truncatedTo(ChronoUnit.SECONDS)));
            item.put("value", Quantities.format(v.value()));
            return item;
        }).toList();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", "ExternalMetricValueList");
        doc.put("apiVersion", ApiDocuments.GROUP_VERSION);
        doc.put("metadata", Map.of());
        doc.put("items", out);
        return new ObjectMapper().writeValueAsBytes(doc);
    }
}
