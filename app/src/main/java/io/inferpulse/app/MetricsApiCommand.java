package io.inferpulse.app;

import io.inferpulse.autoscaler.metrics.MetricsApiConfig;
import io.inferpulse.autoscaler.metrics.MetricsApiService;
import io.inferpulse.runtime.config.ConfigReference;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "metrics-api", mixinStandardHelpOptions = true,
        description = {"Serve external.metrics.k8s.io/v1beta1 (HTTPS) from the pool-stats and model-stats topics: the metrics "
                + "HPA reads, under their EPP names and the Stackdriver adapter's form.",
                "In a cluster it trusts the kube-aggregator by the requestheader client CA and authorizes callers with "
                        + "SubjectAccessReviews; outside one, --insecure-local serves everyone."})
final class MetricsApiCommand implements Callable<Integer>, ServiceCommand {
    static final ConfigReference SETTINGS = new ConfigReference("metrics-api", MetricsApiConfig.parameters(),
            MetricsApiConfig.passThroughPrefixes());

    @Mixin
    ServiceOptions options;

    @Option(names = "--insecure-local", description = "No client authentication or authorization (auth.mode=insecure-local): "
            + "for a laptop or the demo, never in a cluster.")
    boolean insecureLocal;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTPS port of the API (metrics-api.port, default 6443).")
    Integer port;

    @Override
    public ConfigReference settings() {
        return SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        if (insecureLocal) {
            options.settings.put(MetricsApiConfig.AUTH_MODE.key(), "insecure-local");
        }
        if (port != null) {
            options.settings.put(MetricsApiConfig.PORT_PARAMETER.key(), String.valueOf(port));
        }
        MetricsApiConfig config = MetricsApiConfig.from(options.load(SETTINGS, System.getenv()));
        return Lifecycle.serve("metrics-api", config.ops(), (meters, health) -> MetricsApiService.start(config, meters, health));
    }
}
