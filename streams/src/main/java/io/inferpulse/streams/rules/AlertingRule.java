package io.inferpulse.streams.rules;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One Prometheus alerting rule, compiled: its expression evaluates over one instant's series to the samples that
 * hold, and each such sample becomes an alert with {@link #alertLabels} and {@link #annotations}. The state machine
 * (pending, firing, resolved) is not here; it lives with the alert engine.
 */
public final class AlertingRule {

    static final String ALERT_NAME = "alertname";

    private final String name;
    private final String group;
    private final String expr;
    private final Expr compiled;
    private final Duration holdDuration;
    private final Duration keepFiringFor;
    private final Map<String, Template> labels;
    private final Map<String, Template> annotations;
    private final String externalUrl;
    private final Set<String> inputMetrics;

    AlertingRule(String name, String group, String expr, Expr compiled, Duration holdDuration, Duration keepFiringFor,
            Map<String, Template> labels, Map<String, Template> annotations, String externalUrl) {
        this.name = Objects.requireNonNull(name, "name");
        this.group = Objects.requireNonNull(group, "group");
        this.expr = Objects.requireNonNull(expr, "expr");
        this.compiled = Objects.requireNonNull(compiled, "compiled");
        this.holdDuration = Objects.requireNonNull(holdDuration, "holdDuration");
        this.keepFiringFor = Objects.requireNonNull(keepFiringFor, "keepFiringFor");
        this.labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        this.annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        this.externalUrl = Objects.requireNonNull(externalUrl, "externalUrl");
        Set<String> metrics = new TreeSet<>();
        compiled.inputMetrics(metrics);
        this.inputMetrics = Collections.unmodifiableSet(metrics);
    }

    /** The alert name ({@code alert:}). */
    public String name() {
        return name;
    }

    /** The name of the group the rule belongs to. */
    public String group() {
        return group;
    }

    /** The expression as written in the rule file. */
    public String expr() {
        return expr;
    }

    /** How long the expression must hold before the alert fires ({@code for:}); zero fires at once. */
    public Duration holdDuration() {
        return holdDuration;
    }

    /** How long a firing alert keeps firing after the expression stops holding ({@code keep_firing_for:}). */
    public Duration keepFiringFor() {
        return keepFiringFor;
    }

    /** The series names (as in {@link StatSeries}) the expression reads. */
    public Set<String> inputMetrics() {
        return inputMetrics;
    }

    /**
     * The PromQL instant-vector result at this instant: one sample per series the condition holds for. A scalar
     * expression gives one sample without labels, as Prometheus's rule engine does.
     *
     * @throws RuleEvaluationException when PromQL would refuse the query on this data (for example duplicate series
     *     on one side of a one-to-one match)
     */
    public List<Sample> evaluate(SeriesSet input) {
        if (compiled.type() == Expr.Type.SCALAR) {
            return List.of(new Sample(new TreeMap<>(), compiled.scalar(input)));
        }
        return List.copyOf(compiled.vector(input));
    }

    /**
     * The alert's identity: the sample's labels without {@code __name__}, then the rule's labels (templates over the
     * sample; an empty result removes the label, as in Prometheus), then {@code alertname}.
     */
    public SortedMap<String, String> alertLabels(Sample s) {
        Template.Data data = data(s);
        TreeMap<String, String> out = new TreeMap<>(data.labels());
        labels.forEach((label, template) -> {
            String value = template.render(data);
            if (value.isEmpty()) {
                out.remove(label);
            } else {
                out.put(label, value);
            }
        });
        out.put(ALERT_NAME, name);
        return Collections.unmodifiableSortedMap(out);
    }

    /** The annotations rendered over {@code $labels} (the sample's, without {@code __name__}) and {@code $value}, in file order. */
    public Map<String, String> annotations(Sample s) {
        Template.Data data = data(s);
        Map<String, String> out = new LinkedHashMap<>();
        annotations.forEach((key, template) -> out.put(key, template.render(data)));
        return Collections.unmodifiableMap(out);
    }

    /** Prometheus's link to the expression: externalUrl + /graph?g0.expr=...&g0.tab=1. */
    public String generatorUrl() {
        return externalUrl + "/graph?g0.expr=" + queryEscape(expr) + "&g0.tab=1";
    }

    private Template.Data data(Sample s) {
        return new Template.Data(s.labelsWithoutName(), s.value(), Map.of(), externalUrl);
    }

    /** Go's url.QueryEscape: like URLEncoder, except that '*' is escaped and '~' is not. */
    private static String queryEscape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    @Override
    public String toString() {
        return "AlertingRule[" + group + "/" + name + ": " + expr + " for " + PromDuration.format(holdDuration) + "]";
    }
}
