package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PromQlTest {
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final String QUEUE = StatSeries.POOL_QUEUE_SIZE;
    private static final String RUNNING = StatSeries.POOL_RUNNING_REQUESTS;

    /** Two pools in two namespaces, with queue and running-request gauges. */
    private static final SeriesSet POOLS = SeriesSet.of(List.of(
            Sample.of(QUEUE, Map.of("namespace", "a", "name", "p1"), 10),
            Sample.of(QUEUE, Map.of("namespace", "a", "name", "p2"), 30),
            Sample.of(QUEUE, Map.of("namespace", "b", "name", "p1"), 0),
            Sample.of(RUNNING, Map.of("namespace", "a", "name", "p1"), 4),
            Sample.of(RUNNING, Map.of("namespace", "a", "name", "p2"), 0),
            Sample.of(RUNNING, Map.of("namespace", "b", "name", "p1"), 0)));

    @Test
    void shouldMatchVectorsOnAllLabelsButTheName() {
        Map<Map<String, String>, Double> result = eval(QUEUE + " / " + RUNNING, POOLS);

        assertThat(result).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("namespace", "a", "name", "p1"), 2.5,
                labels("namespace", "a", "name", "p2"), Double.POSITIVE_INFINITY,
                labels("namespace", "b", "name", "p1"), Double.NaN));
    }

    @Test
    void shouldNeverFireOnNaNFromZeroOverZero() {
        assertThat(eval(QUEUE + " / " + RUNNING + " > 1", POOLS)).containsOnlyKeys(
                labels("namespace", "a", "name", "p1"), labels("namespace", "a", "name", "p2"));
        assertThat(eval(QUEUE + " / " + RUNNING + " <= 1", POOLS)).isEmpty();
        assertThat(eval(QUEUE + " / " + RUNNING + " == " + QUEUE + " / " + RUNNING, POOLS))
                .containsOnlyKeys(labels("namespace", "a", "name", "p1"), labels("namespace", "a", "name", "p2"));
    }

    @Test
    void shouldKeepTheNameAndValueWhenAComparisonFilters() {
        assertThat(eval(QUEUE + " > 5", POOLS)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("__name__", QUEUE, "namespace", "a", "name", "p1"), 10.0,
                labels("__name__", QUEUE, "namespace", "a", "name", "p2"), 30.0));
        // The vector's value survives even when the scalar is on the left.
        assertThat(eval("20 < " + QUEUE, POOLS)).containsExactlyEntriesOf(Map.of(
                labels("__name__", QUEUE, "namespace", "a", "name", "p2"), 30.0));
    }

    @Test
    void shouldReturnZeroOrOneAndDropTheNameWithBool() {
        assertThat(eval(QUEUE + " > bool 5", POOLS)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("namespace", "a", "name", "p1"), 1.0,
                labels("namespace", "a", "name", "p2"), 1.0,
                labels("namespace", "b", "name", "p1"), 0.0));
        assertThat(eval("2 >= bool 3", POOLS)).containsExactlyEntriesOf(Map.of(Map.of(), 0.0));
    }

    @Test
    void shouldDropTheNameInArithmetic() {
        assertThat(eval(QUEUE + " * 2 - 1", POOLS)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("namespace", "a", "name", "p1"), 19.0,
                labels("namespace", "a", "name", "p2"), 59.0,
                labels("namespace", "b", "name", "p1"), -1.0));
        assertThat(eval("-" + QUEUE + " % 7", POOLS)).containsEntry(labels("namespace", "a", "name", "p2"), -2.0);
    }

    @Test
    void shouldFollowPromQlPrecedence() {
        assertThat(scalar("1 + 2 * 3 ^ 2")).isEqualTo(19);
        assertThat(scalar("2 ^ 3 ^ 2")).isEqualTo(512);
        assertThat(scalar("-2 ^ 2")).isEqualTo(-4);
        assertThat(scalar("(1 + 2) * 3")).isEqualTo(9);
        assertThat(scalar("10 / 4 % 2")).isEqualTo(0.5);
        assertThat(scalar("1 / 0")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(scalar("-1 / 0")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(scalar("0 / 0")).isNaN();
        assertThat(scalar("0x10 + 1e1 + .5")).isEqualTo(26.5);
    }

    @Test
    void shouldSumAndAverageByTheGroupingLabelsOnly() {
        assertThat(eval("sum by (namespace) (" + QUEUE + ")", POOLS)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("namespace", "a"), 40.0, labels("namespace", "b"), 0.0));
        assertThat(eval("avg(" + QUEUE + ") by (name)", POOLS)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("name", "p1"), 5.0, labels("name", "p2"), 30.0));
        assertThat(eval("max without (name) (" + QUEUE + ")", POOLS)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("namespace", "a"), 30.0, labels("namespace", "b"), 0.0));
        assertThat(eval("min(" + QUEUE + ")", POOLS)).containsExactlyEntriesOf(Map.of(Map.of(), 0.0));
        assertThat(eval("count by (namespace) (" + QUEUE + " > 5)", POOLS)).containsExactlyEntriesOf(Map.of(
                labels("namespace", "a"), 2.0));
        assertThat(eval("SUM(" + QUEUE + ")", POOLS)).containsExactlyEntriesOf(Map.of(Map.of(), 40.0));
    }

    @Test
    void shouldMatchOnOrIgnoringTheListedLabels() {
        SeriesSet input = SeriesSet.of(List.of(
                Sample.of(QUEUE, Map.of("namespace", "a", "name", "p1", "cluster", "x"), 12),
                Sample.of(RUNNING, Map.of("namespace", "a", "name", "p1", "cluster", "y"), 3)));

        assertThat(eval(QUEUE + " / " + RUNNING, input)).isEmpty();
        assertThat(eval(QUEUE + " / ignoring(cluster) " + RUNNING, input)).containsExactlyEntriesOf(Map.of(
                labels("namespace", "a", "name", "p1"), 4.0));
        assertThat(eval(QUEUE + " / on(namespace, name) " + RUNNING, input)).containsExactlyEntriesOf(Map.of(
                labels("namespace", "a", "name", "p1"), 4.0));
        assertThat(eval(QUEUE + " > on(name) " + RUNNING, input)).containsExactlyEntriesOf(Map.of(
                labels("name", "p1"), 12.0));
    }

    @Test
    void shouldCombineVectorsWithSetOperators() {
        assertThat(eval(QUEUE + " and " + RUNNING + " > 1", POOLS)).containsExactlyEntriesOf(Map.of(
                labels("__name__", QUEUE, "namespace", "a", "name", "p1"), 10.0));
        assertThat(eval(QUEUE + " unless " + RUNNING + " > 1", POOLS)).containsOnlyKeys(
                labels("__name__", QUEUE, "namespace", "a", "name", "p2"),
                labels("__name__", QUEUE, "namespace", "b", "name", "p1"));
        assertThat(eval(QUEUE + " > 20 or " + RUNNING, POOLS)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("__name__", QUEUE, "namespace", "a", "name", "p2"), 30.0,
                labels("__name__", RUNNING, "namespace", "a", "name", "p1"), 4.0,
                labels("__name__", RUNNING, "namespace", "b", "name", "p1"), 0.0));
    }

    @Test
    void shouldAnchorRegexMatchers() {
        assertThat(eval(QUEUE + "{name=~\"p\"}", POOLS)).isEmpty();
        assertThat(eval(QUEUE + "{name=~\"p.*\", namespace!=\"b\"}", POOLS)).hasSize(2);
        assertThat(eval(QUEUE + "{name!~\"p1|p3\"}", POOLS)).containsOnlyKeys(
                labels("__name__", QUEUE, "namespace", "a", "name", "p2"));
        assertThat(eval(QUEUE + "{name=\"p1\",namespace='b',}", POOLS)).containsOnlyKeys(
                labels("__name__", QUEUE, "namespace", "b", "name", "p1"));
        // A matcher on an absent label sees "".
        assertThat(eval(QUEUE + "{cluster=\"\"}", POOLS)).hasSize(3);
    }

    @Test
    void shouldAnswerRateAndIncreaseFromTheWindowedSeries() {
        SeriesSet input = SeedRulesTest.models(
                SeedRulesTest.model("llama", "a", 600, 30, 1.0),
                SeedRulesTest.model("llama", "b", 300, 0, 1.0));

        assertThat(eval("rate(inference_model_request_total[5m])", input)).containsExactlyInAnyOrderEntriesOf(Map.of(
                labels("model_name", "llama", "target_model_name", "a"), 2.0,
                labels("model_name", "llama", "target_model_name", "b"), 1.0));
        assertThat(eval("increase(inference_objective_request_error_total{target_model_name=\"a\"}[5m])", input))
                .containsExactlyEntriesOf(Map.of(labels("model_name", "llama", "target_model_name", "a"), 30.0));
        assertThat(eval("sum by (model_name) (increase(inference_model_request_total[300s]))", input))
                .containsExactlyEntriesOf(Map.of(labels("model_name", "llama"), 900.0));
    }

    @Test
    void shouldAnswerPerModelQuantilesFromTheModelTotals() {
        SeriesSet input = SeedRulesTest.models(
                SeedRulesTest.model("llama", "a", 10, 0, 8.0),
                SeedRulesTest.model("llama", "", 20, 0, 12.0));

        assertThat(eval("histogram_quantile(0.99, sum by (le, model_name) (rate("
                + "inference_model_request_duration_seconds_bucket[5m])))", input))
                .containsExactlyEntriesOf(Map.of(labels("model_name", "llama"), 12.0));
        assertThat(eval("histogram_quantile(0.5, sum(rate(inference_objective_request_duration_seconds_bucket"
                + "{model_name=\"llama\"}[5m])) by (model_name, le))", input))
                .containsExactlyEntriesOf(Map.of(labels("model_name", "llama"), 3.0));
        assertThat(eval("histogram_quantile(0.9, rate(inference_model_request_duration_seconds_bucket[5m]))", input))
                .containsExactlyEntriesOf(Map.of(labels("model_name", "llama", "target_model_name", "a"), 4.0));
    }

    @Test
    void shouldRefuseDuplicateSeriesInAOneToOneMatch() {
        assertThatThrownBy(() -> eval(QUEUE + " / on(namespace) " + RUNNING, POOLS))
                .isInstanceOf(RuleEvaluationException.class).hasMessageContaining("many-to-many matching not allowed");
        assertThatThrownBy(() -> eval(QUEUE + " / on(namespace) sum by (namespace) (" + RUNNING + ")", POOLS))
                .isInstanceOf(RuleEvaluationException.class).hasMessageContaining("many-to-one matching must be explicit");
    }

    @Test
    void shouldNameTheUnsupportedConstruct() {
        assertRejected("predict_linear(" + QUEUE + "[5m], 60) > 0", "function \"predict_linear\" is not supported");
        assertRejected(QUEUE + " offset 5m > 1", "the \"offset\" modifier");
        assertRejected(QUEUE + " @ 100 > 1", "the \"@\" modifier");
        assertRejected("max_over_time(" + QUEUE + "[10m:1m])", "function \"max_over_time\" is not supported");
        assertRejected("rate(inference_model_request_total[1m])", "range [1m] of rate(inference_model_request_total[...])"
                + " is not supported: request statistics are computed over 5m windows only");
        assertRejected("rate(inference_model_request_total[5m:1m])", "subquery [5m:1m] is not supported");
        assertRejected("histogram_quantile(0.95, rate(inference_model_request_duration_seconds_bucket[5m]))",
                "quantile 0.95 is not computed; supported quantiles: 0.5, 0.9, 0.99");
        assertRejected("histogram_quantile(0.99, sum by (le) (rate(inference_model_request_duration_seconds_bucket[5m])))",
                "histogram_quantile over sum by [le] is not supported");
        assertRejected("inference_pool_queue > 1", "unknown metric \"inference_pool_queue\": no stats record produces"
                + " it; series that exist: [inference_pool_average_kv_cache_utilization,");
        assertRejected("inference_model_request_total > 1", "is a counter or histogram");
        assertRejected(QUEUE + " / on(name) group_left " + RUNNING, "\"group_left\" (many-to-one matching) is not supported");
        assertRejected("1 > 2", "comparisons between scalars must use the bool modifier");
        assertRejected("topk(3, " + QUEUE + ")", "aggregation \"topk\" is not supported");
        assertRejected(QUEUE + "[5m]", "range selector " + QUEUE + "[5m] is only supported inside rate()");
        assertRejected("(" + QUEUE + ")[5m:1m]", "subquery [5m:1m] at character 36 is not supported");
        assertRejected(QUEUE + "{name=~\"(?=p)p1\"}", "look-around or back-references");
        assertRejected(QUEUE + "{name=~\"p(\"}", "bad regex \"p(\"");
        assertRejected(QUEUE + " > ", "expected a number, a selector");
        assertRejected("(" + QUEUE, "expected ), found end of expression");
        assertRejected("rate(inference_pool_ready_pods[5m])", "rate() over \"inference_pool_ready_pods\" is not supported");
        assertRejected("rate(inference_model_request_duration_seconds_bucket[5m])", "only supported inside histogram_quantile");
        assertRejected(QUEUE + " and 1", "set operator \"and\" at character 35 needs instant vectors on both sides");
    }

    private static void assertRejected(String expr, String message) {
        assertThatThrownBy(() -> PromQlParser.parse(expr, WINDOW)).isInstanceOf(PromQlException.class)
                .hasMessageContaining(message);
    }

    private static double scalar(String expr) {
        Expr e = PromQlParser.parse(expr, WINDOW);
        assertThat(e.type()).isEqualTo(Expr.Type.SCALAR);
        return e.scalar(POOLS);
    }

    /** The result as labels -> value, so tests compare whole results; a scalar is one sample without labels. */
    private static Map<Map<String, String>, Double> eval(String expr, SeriesSet input) {
        Expr e = PromQlParser.parse(expr, WINDOW);
        List<Sample> samples = e.type() == Expr.Type.SCALAR
                ? List.of(new Sample(new TreeMap<>(), e.scalar(input))) : new ArrayList<>(e.vector(input));
        Map<Map<String, String>, Double> out = new LinkedHashMap<>();
        samples.forEach(s -> assertThat(out.put(s.labels(), s.value())).as("duplicate labels %s", s.labels()).isNull());
        return out;
    }

    private static Map<String, String> labels(String... pairs) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
