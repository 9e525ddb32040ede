package io.inferpulse.app;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.inferpulse.routerfeed.epp.EppSettings;
import io.inferpulse.routerfeed.epp.PickerService;
import io.inferpulse.routerfeed.pick.PickerSettings;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigReference;
import io.inferpulse.runtime.config.Configuration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "picker", mixinStandardHelpOptions = true,
        description = {"The endpoint picker of one InferencePool: the Endpoint Picker Protocol (Envoy ext_proc) on 9002 and "
                + "gRPC health on 9003, as GIE's EPP, answering from the endpoint-scores topic.",
                "Name its Service as the pool's endpointPickerRef (deploy/picker.yaml). Health is SERVING once the endpoint "
                        + "table has caught up; /metrics, /healthz and /readyz on 9407."})
final class PickerCommand implements Callable<Integer>, ServiceCommand {
    static final ConfigReference SETTINGS = new ConfigReference("picker",
            Stream.concat(EppSettings.parameters().stream(), PickerSettings.PARAMETERS.stream()).toList(),
            EppSettings.passThroughPrefixes());

    @Mixin
    ServiceOptions options;

    @Option(names = "--cluster", paramLabel = "NAME", description = "Cluster of the pool, as the endpoint scores name it (pool.cluster, default local).")
    String cluster;

    @Option(names = "--pool-namespace", paramLabel = "NAMESPACE", description = "Namespace of the pool (pool.namespace, default default).")
    String poolNamespace;

    @Option(names = "--pool-name", paramLabel = "NAME", description = "The InferencePool picked for (pool.name, default pool-0).")
    String poolName;

    @Option(names = "--port", paramLabel = "PORT", description = "ext_proc port (epp.port, default 9002).")
    Integer port;

    @Option(names = "--health-port", paramLabel = "PORT", description = "gRPC health port (epp.health-port, default 9003).")
    Integer healthPort;

    @Option(names = "--objective", paramLabel = "NAME=PRIORITY", description = "An InferenceObjective's priority, for requests "
            + "whose x-gateway-inference-objective header names it (repeatable; objectives). Unlisted: 0; negative: sheddable.")
    Map<String, String> objectives = new LinkedHashMap<>();

    @Option(names = "--secure-serving", description = "ext_proc over TLS, as GIE's EPP serves it (epp.secure-serving); "
            + "self-signed unless epp.tls.cert-file and epp.tls.key-file are set.")
    boolean secureServing;

    @Option(names = "--strategy", paramLabel = "STRATEGY", description = "max-score, weighted-random or power-of-two (picker.strategy).")
    String strategy;

    @Override
    public ConfigReference settings() {
        return SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        put(EppSettings.POOL_CLUSTER, cluster);
        put(EppSettings.POOL_NAMESPACE, poolNamespace);
        put(EppSettings.POOL_NAME, poolName);
        put(EppSettings.PORT_PARAMETER, port == null ? null : port.toString());
        put(EppSettings.HEALTH_PORT, healthPort == null ? null : healthPort.toString());
        put(EppSettings.SECURE_SERVING, secureServing ? "true" : null);
        put(PickerSettings.STRATEGY, strategy);
        if (!objectives.isEmpty()) {
            put(EppSettings.OBJECTIVES, objectives.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",")));
        }
        Configuration config = options.load(SETTINGS, System.getenv());
        EppSettings settings = EppSettings.from(config);
        PickerSettings picking = PickerSettings.from(config);
        return Lifecycle.serve("picker", settings.ops(), (meters, health) -> PickerService.start(settings, picking,
                () -> new KubernetesClientBuilder().build(), meters, health));
    }

    private void put(ConfigParameter<?> parameter, String value) {
        if (value != null) {
            options.settings.put(parameter.key(), value);
        }
    }
}
