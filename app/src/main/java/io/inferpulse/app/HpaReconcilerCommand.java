package io.inferpulse.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.inferpulse.autoscaler.hpa.AutoscaleAnnotations;
import io.inferpulse.autoscaler.hpa.HpaReconciler;
import io.inferpulse.autoscaler.hpa.NameForm;
import io.inferpulse.runtime.ops.OpsSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code inferpulse autoscaler hpa-reconciler}: a long-running service, hence a command of its own
 * rather than a flag of {@code hpa}, whose options describe one pool's HPA and mean nothing here.
 */
@Command(name = "hpa-reconciler", mixinStandardHelpOptions = true,
        description = {"Keep an HPA for every InferencePool (inference.networking.k8s.io/v1 and "
                + "inference.networking.x-k8s.io/v1alpha2) annotated " + AutoscaleAnnotations.AUTOSCALE + ": \"true\": "
                + "create, update and delete it as the pool's annotations change. HPAs without the label "
                + HpaReconciler.MANAGED_BY_LABEL + "=" + HpaReconciler.MANAGED_BY + " are never touched.",
                "Annotations: " + AutoscaleAnnotations.MAX + " (required), " + AutoscaleAnnotations.VALUE + " or "
                        + AutoscaleAnnotations.AVERAGE_VALUE + " (one of them), " + AutoscaleAnnotations.MIN + ", "
                        + AutoscaleAnnotations.METRIC + ", " + AutoscaleAnnotations.SCALE_TARGET
                        + "; see docs/autoscaler.md."})
final class HpaReconcilerCommand implements Callable<Integer> {
    static final int DEFAULT_HTTP_PORT = 9405;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "Watch only this namespace (a Role is then enough); default: the whole cluster.")
    String namespace;

    @Option(names = "--name-form", defaultValue = "epp", paramLabel = "FORM",
            converter = HpaCommand.NameFormConverter.class,
            description = "Metric names in the HPAs: epp or stackdriver (default ${DEFAULT-VALUE}).")
    NameForm nameForm;

    @Option(names = "--cluster", paramLabel = "NAME",
            description = "This cluster's name, for the metric selector; required by --name-form stackdriver.")
    String cluster;

    @Option(names = "--resync", defaultValue = "5m", paramLabel = "DURATION",
            converter = RulesCommand.PrometheusDuration.class,
            description = "How often every pool is checked again, which also puts back managed HPAs edited or "
                    + "deleted by hand (default ${DEFAULT-VALUE}).")
    Duration resync;

    @Option(names = "--http-host", defaultValue = "0.0.0.0", paramLabel = "HOST",
            description = "Address of /metrics, /healthz and /readyz (default ${DEFAULT-VALUE}).")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "" + DEFAULT_HTTP_PORT, paramLabel = "PORT",
            description = "Port of /metrics, /healthz and /readyz (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HpaReconciler.Settings settings;
        try {
            settings = new HpaReconciler.Settings(Optional.ofNullable(namespace), nameForm,
                    Optional.ofNullable(cluster), resync);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return Lifecycle.serve("hpa-reconciler", new OpsSettings(httpHost, httpPort), (meters, health) -> {
            KubernetesClient client = new KubernetesClientBuilder().build();
            HpaReconciler reconciler = new HpaReconciler(client, settings);
            try {
                reconciler.start();
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
            return () -> {
                reconciler.close();
                client.close();
            };
        });
    }
}
