package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The seeds' four rules, loaded unmodified from the classpath, over hand-built stats records. */
class SeedRulesTest {
    private static final RuleSettings SETTINGS = RuleSettings.defaults();
    private static final List<AlertingRule> RULES = RuleFiles.loadDefault(SETTINGS).get(0).rules();

    @Test
    void shouldLoadTheSeedFileUnmodified() {
        List<RuleGroup> groups = RuleFiles.loadDefault(SETTINGS);

        assertThat(groups).hasSize(1);
        RuleGroup group = groups.get(0);
        assertThat(group.name()).isEqualTo("gateway-api-inference-extension");
        assertThat(group.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(group.file()).isEqualTo("alerts.yaml");
        assertThat(group.rules()).extracting(AlertingRule::name).containsExactly("HighInferenceRequestLatencyP99",
                "HighInferenceErrorRate", "HighInferencePoolAvgQueueSize", "HighInferencePoolAvgKVCacheUtilization");
        assertThat(group.rules()).allSatisfy(r -> {
            assertThat(r.holdDuration()).isEqualTo(Duration.ofMinutes(5));
            assertThat(r.keepFiringFor()).isZero();
            assertThat(r.group()).isEqualTo("gateway-api-inference-extension");
        });
        assertThat(rule("HighInferencePoolAvgQueueSize").expr()).isEqualTo("inference_pool_average_queue_size > 50");
    }

    @Test
    void shouldFireQueueRuleOnlyForPoolsAboveFifty() {
        SeriesSet input = pools(pool("prod", "llm", "big", 50.5, 0.2), pool("", "llm", "small", 50.0, 0.95));
        AlertingRule queue = rule("HighInferencePoolAvgQueueSize");

        List<Sample> result = queue.evaluate(input);

        assertThat(result).hasSize(1);
        Sample s = result.get(0);
        assertThat(s.value()).isEqualTo(50.5);
        assertThat(queue.alertLabels(s)).containsExactlyEntriesOf(new TreeMap<>(Map.of("alertname",
                "HighInferencePoolAvgQueueSize", "cluster", "prod", "impact", "performance", "name", "big",
                "namespace", "llm", "severity", "critical")));
        assertThat(queue.annotations(s)).containsExactly(
                Map.entry("title", "High average queue size for inference pool big"),
                Map.entry("description", "The average number of requests pending in the queue for inference pool big"
                        + " has been consistently above 50 for 5 minutes."));
        assertThat(queue.inputMetrics()).containsExactly("inference_pool_average_queue_size");
    }

    @Test
    void shouldFireKvCacheRuleWithoutClusterLabelWhenClusterIsEmpty() {
        SeriesSet input = pools(pool("prod", "llm", "big", 50.5, 0.2), pool("", "llm", "small", 50.0, 0.95));
        AlertingRule kv = rule("HighInferencePoolAvgKVCacheUtilization");

        List<Sample> result = kv.evaluate(input);

        assertThat(result).singleElement().satisfies(s -> {
            assertThat(s.value()).isEqualTo(0.95);
            assertThat(kv.alertLabels(s)).containsExactlyEntriesOf(new TreeMap<>(Map.of("alertname",
                    "HighInferencePoolAvgKVCacheUtilization", "impact", "resource_exhaustion", "name", "small",
                    "namespace", "llm", "severity", "critical")));
            assertThat(kv.annotations(s).get("title")).isEqualTo("High KV cache utilization for inference pool small");
        });
    }

    @Test
    void shouldNotFireGaugeRulesForPoolsWithoutFreshPods() {
        PoolStats empty = pool("prod", "llm", "idle", null, null);

        assertThat(StatSeries.of(empty)).extracting(s -> s.labels().get("__name__"))
                .containsExactly("inference_pool_ready_pods");
        assertThat(rule("HighInferencePoolAvgQueueSize").evaluate(pools(empty))).isEmpty();
        assertThat(rule("HighInferencePoolAvgKVCacheUtilization").evaluate(pools(empty))).isEmpty();
    }

    @Test
    void shouldFireLatencyRulePerTargetAboveTenSeconds() {
        SeriesSet input = models(
                model("llama", "llama-a", 100, 0, 12.5),
                model("llama", "llama-b", 100, 0, 10.0),
                model("llama", "", 200, 0, 11.0),
                model("qwen", "qwen-1", 0, 0, null));
        AlertingRule latency = rule("HighInferenceRequestLatencyP99");

        List<Sample> result = latency.evaluate(input);

        assertThat(result).singleElement().satisfies(s -> {
            assertThat(s.value()).isEqualTo(12.5);
            assertThat(s.labels()).containsExactlyEntriesOf(new TreeMap<>(Map.of("model_name", "llama",
                    "target_model_name", "llama-a")));
            assertThat(latency.annotations(s).get("description")).isEqualTo("The 99th percentile request duration for"
                    + " model llama and target model llama-a has been consistently above 10.0 seconds for 5 minutes.");
            assertThat(latency.alertLabels(s)).containsExactlyEntriesOf(new TreeMap<>(Map.of("alertname",
                    "HighInferenceRequestLatencyP99", "model_name", "llama", "target_model_name", "llama-a",
                    "severity", "warning")));
        });
        assertThat(latency.inputMetrics()).containsExactly(StatSeries.LATENCY_P99);
    }

    @Test
    void shouldFireErrorRateRulePerModelWithTargetRenderedEmpty() {
        // llama: 6 errors in 100 + 0 in 100 requests = 3 %, no alert; qwen: 12 of 200 = 6 %.
        SeriesSet input = models(
                model("llama", "llama-a", 100, 6, 1.0),
                model("llama", "llama-b", 100, 0, 1.0),
                model("qwen", "qwen-1", 150, 10, 1.0),
                model("qwen", "qwen-2", 50, 2, 1.0),
                model("idle", "idle-1", 0, 0, null));
        AlertingRule errors = rule("HighInferenceErrorRate");

        List<Sample> result = errors.evaluate(input);

        assertThat(result).singleElement().satisfies(s -> {
            assertThat(s.labels()).containsExactlyEntriesOf(new TreeMap<>(Map.of("model_name", "qwen")));
            assertThat(s.value()).isCloseTo(0.06, Offset.offset(1e-15));
            assertThat(errors.alertLabels(s)).containsExactlyEntriesOf(new TreeMap<>(Map.of("alertname",
                    "HighInferenceErrorRate", "model_name", "qwen", "severity", "critical", "impact", "availability")));
            assertThat(errors.annotations(s)).containsExactly(
                    Map.entry("title", "High error rate for model qwen"),
                    Map.entry("description", "The error rate for model qwen and target model  has been consistently"
                            + " above 5% for 5 minutes."));
        });
        assertThat(errors.inputMetrics()).containsExactly(StatSeries.ERROR_RATE, StatSeries.REQUEST_RATE);
    }

    @Test
    void shouldLinkToTheExpressionLikePrometheus() {
        assertThat(rule("HighInferencePoolAvgQueueSize").generatorUrl()).isEqualTo(
                "http://localhost:9090/graph?g0.expr=inference_pool_average_queue_size+%3E+50&g0.tab=1");
    }

    private static AlertingRule rule(String name) {
        return RULES.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    static PoolStats pool(String cluster, String namespace, String name, Double queue, Double kvCache) {
        return PoolStats.newBuilder().setCluster(cluster).setNamespace(namespace).setPool(name).setComputedAt(
                Instant.ofEpochMilli(1_000)).setReadyPods(queue == null ? 0 : 2).setAverageQueueSize(queue)
                .setAverageKvCacheUtilization(kvCache).setAverageRunningRequests(queue == null ? null : 1.0).build();
    }

    /** A 5-minute window: the rate is count / 300. */
    static ModelStats model(String model, String target, long requests, long errors, Double p99) {
        return ModelStats.newBuilder().setModelName(model).setTargetModelName(target)
                .setWindowStart(Instant.ofEpochMilli(0)).setWindowEnd(Instant.ofEpochMilli(300_000))
                .setRequestCount(requests).setErrorCount(errors).setRequestRatePerSecond(requests / 300.0)
                .setErrorRate(requests == 0 ? null : (double) errors / requests)
                .setLatencyP50Seconds(p99 == null ? null : p99 / 4).setLatencyP90Seconds(p99 == null ? null : p99 / 2)
                .setLatencyP99Seconds(p99).build();
    }

    static SeriesSet pools(PoolStats... stats) {
        List<Sample> all = new ArrayList<>();
        for (PoolStats s : stats) {
            all.addAll(StatSeries.of(s));
        }
        return SeriesSet.of(all);
    }

    static SeriesSet models(ModelStats... stats) {
        List<Sample> all = new ArrayList<>();
        for (ModelStats s : stats) {
            all.addAll(StatSeries.of(s));
        }
        return SeriesSet.of(all);
    }

}
