package io.inferpulse.app;

import io.inferpulse.autoscaler.hpa.HpaLint;
import io.inferpulse.autoscaler.hpa.HpaManifests;
import io.inferpulse.autoscaler.hpa.MetricTarget;
import io.inferpulse.autoscaler.hpa.NameForm;
import io.inferpulse.autoscaler.hpa.PoolHpa;
import io.inferpulse.autoscaler.hpa.HpaMetric;
import io.inferpulse.autoscaler.hpa.ScaleTarget;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code inferpulse autoscaler hpa}: the HPA for one InferencePool, as YAML for kubectl apply. */
@Command(name = "hpa", mixinStandardHelpOptions = true,
        description = {"Print the autoscaling/v2 HorizontalPodAutoscaler for an InferencePool, in the format of the "
                + "GKE Inference Gateway documentation's manifest, for the metrics inferpulse's external metrics API "
                + "serves.",
                "A target that HPA would not apply as intended (AverageValue on a pool average) is printed anyway, "
                        + "with a warning on stderr; see 'inferpulse autoscaler lint'."})
final class HpaCommand implements Callable<Integer> {

    @Option(names = "--pool", required = true, paramLabel = "NAME",
            description = "The InferencePool; the HPA gets its name.")
    String pool;

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", paramLabel = "NAMESPACE",
            description = "The pool's namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--target", paramLabel = "KIND/NAME", converter = ScaleTargetConverter.class,
            description = "The workload to scale: deployment/NAME, statefulset/NAME or leaderworkerset/NAME "
                    + "(default: the Deployment named like the pool).")
    ScaleTarget target;

    @Option(names = "--min", defaultValue = "1", paramLabel = "N", description = "minReplicas (default ${DEFAULT-VALUE}).")
    int min;

    @Option(names = "--max", required = true, paramLabel = "N", description = "maxReplicas.")
    int max;

    @Option(names = "--metric", defaultValue = "kv-cache-average", paramLabel = "METRIC",
            converter = HpaMetricConverter.class,
            description = "kv-cache-average, queue-average, queue-sum, running-average, running-sum or ready-pods "
                    + "(default ${DEFAULT-VALUE}).")
    HpaMetric metric;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target metricTarget;

    @Option(names = "--name-form", defaultValue = "epp", paramLabel = "FORM", converter = NameFormConverter.class,
            description = "epp (inference_pool_average_kv_cache_utilization, selector name=POOL) or stackdriver "
                    + "(prometheus.googleapis.com|...|gauge with metric.labels.name, resource.labels.cluster and "
                    + "resource.labels.namespace, as the seed's Stackdriver adapter manifest); default ${DEFAULT-VALUE}.")
    NameForm nameForm;

    @Option(names = "--cluster", paramLabel = "NAME",
            description = "The cluster's name: required by --name-form stackdriver, added as label cluster otherwise.")
    String cluster;

    @Spec
    CommandSpec spec;

    static final class Target {
        @Option(names = "--value", required = true, paramLabel = "QUANTITY",
                description = "target.type Value: HPA scales to ceil(ready pods x metric / QUANTITY).")
        String value;

        @Option(names = "--average-value", required = true, paramLabel = "QUANTITY",
                description = "target.type AverageValue: HPA scales to ceil(metric / QUANTITY); meant for pool sums.")
        String averageValue;
    }

    @Override
    public Integer call() {
        PoolHpa hpa;
        try {
            MetricTarget goal = metricTarget.value != null ? MetricTarget.value(metricTarget.value)
                    : MetricTarget.averageValue(metricTarget.averageValue);
            hpa = new PoolHpa(namespace, pool, target != null ? target : ScaleTarget.deploymentNamed(pool), min, max,
                    metric, goal, nameForm, Optional.ofNullable(cluster));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(HpaManifests.toYaml(HpaManifests.build(hpa)));
        out.flush();
        HpaLint.advice(hpa).ifPresent(advice -> {
            PrintWriter err = spec.commandLine().getErr();
            err.println("warning: AverageValue target on the pool average " + metric.eppName() + ". " + advice);
            err.flush();
        });
        return 0;
    }

    static final class ScaleTargetConverter implements ITypeConverter<ScaleTarget> {
        @Override
        public ScaleTarget convert(String value) {
            try {
                return ScaleTarget.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class HpaMetricConverter implements ITypeConverter<HpaMetric> {
        @Override
        public HpaMetric convert(String value) {
            try {
                return HpaMetric.fromOption(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class NameFormConverter implements ITypeConverter<NameForm> {
        @Override
        public NameForm convert(String value) {
            try {
                return NameForm.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("unknown name form \"" + value + "\"; use epp or stackdriver");
            }
        }
    }
}
