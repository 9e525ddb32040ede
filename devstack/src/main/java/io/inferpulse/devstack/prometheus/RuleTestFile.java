package io.inferpulse.devstack.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A {@code promtool test rules} unit-test file: the rule files under test, the rule evaluation
 * interval and the test groups, each with input series and expectations on alerts and PromQL
 * results. Times are offsets from the start of the test, where every input series' first sample is.
 * Mirrors promtool's format field for field; {@link #toYaml()} writes it.
 */
public record RuleTestFile(List<String> ruleFiles, Duration evaluationInterval, List<TestGroup> tests) {

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

    public RuleTestFile {
        ruleFiles = List.copyOf(ruleFiles);
        tests = List.copyOf(tests);
        positive(evaluationInterval, "evaluation_interval");
    }

    /** One test group: series sampled every {@code interval} from time 0. */
    public record TestGroup(Duration interval, List<InputSeries> inputSeries, List<AlertRuleTest> alertRuleTests,
                            List<PromqlExprTest> promqlExprTests) {
        public TestGroup {
            positive(interval, "interval");
            inputSeries = List.copyOf(inputSeries);
            alertRuleTests = List.copyOf(alertRuleTests);
            promqlExprTests = List.copyOf(promqlExprTests);
        }
    }

    /** A series selector such as {@code up{job="a"}} and its samples. */
    public record InputSeries(String series, SeriesValues values) {
        public static InputSeries of(String name, Map<String, String> labels, SeriesValues values) {
            return new InputSeries(selector(name, labels), values);
        }
    }

    /** The alerts named {@code alertname} that are firing at {@code evalTime}; none when the list is empty. */
    public record AlertRuleTest(Duration evalTime, String alertname, List<ExpectedAlert> expAlerts) {
        public AlertRuleTest {
            expAlerts = List.copyOf(expAlerts);
        }
    }

    /** The labels of an alert (the rule's labels and the series', without {@code alertname}) and its annotations. */
    public record ExpectedAlert(Map<String, String> expLabels, Map<String, String> expAnnotations) {
        public ExpectedAlert {
            expLabels = Map.copyOf(expLabels);
            expAnnotations = Map.copyOf(expAnnotations);
        }
    }

    /**
     * The result of {@code expr} at {@code evalTime}. promtool 2.42 compares values exactly, so an
     * expectation computed outside PromQL may need both sides rounded, e.g. {@code round(expr, 1e-9)}.
     */
    public record PromqlExprTest(String expr, Duration evalTime, List<ExpectedSample> expSamples) {
        public PromqlExprTest {
            expSamples = List.copyOf(expSamples);
        }
    }

    /** A sample of the result: its labels as a selector ({@code {a="b"}} or {@code name{a="b"}}) and value. */
    public record ExpectedSample(String labels, double value) {
        public ExpectedSample {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("expected sample " + labels + ": promtool compares finite values only, got " + value);
            }
        }

        public static ExpectedSample of(String name, Map<String, String> labels, double value) {
            return new ExpectedSample(selector(name, labels), value);
        }
    }

    /** {@code name{k="v",...}} with labels sorted and values escaped as PromQL strings. */
    public static String selector(String name, Map<String, String> labels) {
        return new TreeMap<>(labels).entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
                        .replace("\n", "\\n") + "\"")
                .collect(Collectors.joining(",", name + "{", "}"));
    }

    /** A duration as Prometheus writes one: whole milliseconds, in the largest unit that divides it. */
    public static String promDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds != 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    public String toYaml() {
        ObjectNode root = YAML.createObjectNode();
        ArrayNode files = root.putArray("rule_files");
        ruleFiles.forEach(files::add);
        root.put("evaluation_interval", promDuration(evaluationInterval));
        ArrayNode groups = root.putArray("tests");
        for (TestGroup group : tests) {
            ObjectNode g = groups.addObject();
            g.put("interval", promDuration(group.interval()));
            ArrayNode series = g.putArray("input_series");
            for (InputSeries input : group.inputSeries()) {
                series.addObject().put("series", input.series()).put("values", input.values().text());
            }
            ArrayNode alerts = g.putArray("alert_rule_test");
            for (AlertRuleTest test : group.alertRuleTests()) {
                ObjectNode a = alerts.addObject().put("eval_time", promDuration(test.evalTime()))
                        .put("alertname", test.alertname());
                ArrayNode expected = a.putArray("exp_alerts");
                for (ExpectedAlert alert : test.expAlerts()) {
                    ObjectNode e = expected.addObject();
                    new TreeMap<>(alert.expLabels()).forEach(e.putObject("exp_labels")::put);
                    new TreeMap<>(alert.expAnnotations()).forEach(e.putObject("exp_annotations")::put);
                }
            }
            ArrayNode exprs = g.putArray("promql_expr_test");
            for (PromqlExprTest test : group.promqlExprTests()) {
                ObjectNode p = exprs.addObject().put("expr", test.expr()).put("eval_time", promDuration(test.evalTime()));
                ArrayNode expected = p.putArray("exp_samples");
                for (ExpectedSample sample : test.expSamples()) {
                    expected.addObject().put("labels", sample.labels()).put("value", sample.value());
                }
            }
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the promtool test file", e);
        }
    }

    private static void positive(Duration duration, String field) {
        if (duration.isNegative() || duration.isZero() || duration.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException(field + " must be a positive whole number of milliseconds, got " + duration);
        }
    }
}
