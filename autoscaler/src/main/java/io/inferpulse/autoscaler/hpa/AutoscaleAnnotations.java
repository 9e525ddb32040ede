package io.inferpulse.autoscaler.hpa;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The InferencePool annotations that ask the reconciler for an HPA (documented in
 * docs/autoscaler.md, "HPA per InferencePool"):
 * <pre>
 * inferpulse.io/autoscale: "true"                   required; anything else means no HPA
 * inferpulse.io/autoscale-max: "8"                  required: the accelerator budget is the user's call
 * inferpulse.io/autoscale-value: "0.8"              exactly one of these two: the target and its type
 * inferpulse.io/autoscale-average-value: "5"
 * inferpulse.io/autoscale-min: "2"                  default 1
 * inferpulse.io/autoscale-metric: queue-sum         default kv-cache-average (the seed's)
 * inferpulse.io/scale-target: deployment/vllm-llama3   default: the Deployment named like the pool
 * </pre>
 */
public final class AutoscaleAnnotations {
    public static final String AUTOSCALE = "inferpulse.io/autoscale";
    public static final String MIN = "inferpulse.io/autoscale-min";
    public static final String MAX = "inferpulse.io/autoscale-max";
    public static final String METRIC = "inferpulse.io/autoscale-metric";
    public static final String VALUE = "inferpulse.io/autoscale-value";
    public static final String AVERAGE_VALUE = "inferpulse.io/autoscale-average-value";
    public static final String SCALE_TARGET = "inferpulse.io/scale-target";

    private AutoscaleAnnotations() {
    }

    static boolean enabled(Map<String, String> annotations) {
        return annotations != null && "true".equalsIgnoreCase(annotations.get(AUTOSCALE));
    }

    /**
     * The HPA an annotated pool asks for.
     *
     * @param nameForm how the HPA names the metric: the reconciler's setting, one per cluster
     * @param cluster  the reconciler's cluster name
     * @throws IllegalArgumentException naming the annotation that is missing or wrong
     */
    static PoolHpa read(String namespace, String pool, Map<String, String> annotations, NameForm nameForm,
                        Optional<String> cluster) {
        String value = annotations.get(VALUE);
        String averageValue = annotations.get(AVERAGE_VALUE);
        if ((value == null) == (averageValue == null)) {
            throw new IllegalArgumentException("set exactly one of " + VALUE + " and " + AVERAGE_VALUE);
        }
        MetricTarget target = value != null ? parse(VALUE, value, MetricTarget::value)
                : parse(AVERAGE_VALUE, averageValue, MetricTarget::averageValue);
        ScaleTarget scaleTarget = annotations.containsKey(SCALE_TARGET)
                ? parse(SCALE_TARGET, annotations.get(SCALE_TARGET), ScaleTarget::parse)
                : ScaleTarget.deploymentNamed(pool);
        HpaMetric metric = parse(METRIC, annotations.getOrDefault(METRIC, HpaMetric.KV_CACHE_AVERAGE.option()),
                HpaMetric::fromOption);
        int min = parse(MIN, annotations.getOrDefault(MIN, "1"), AutoscaleAnnotations::integer);
        if (!annotations.containsKey(MAX)) {
            throw new IllegalArgumentException(MAX + " is required");
        }
        int max = parse(MAX, annotations.get(MAX), AutoscaleAnnotations::integer);
        return new PoolHpa(namespace, pool, scaleTarget, min, max, metric, target, nameForm, cluster);
    }

    private static <T> T parse(String key, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a whole number");
        }
    }
}
