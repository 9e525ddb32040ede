package io.inferpulse.runtime.ops;

import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigParsers;
import io.inferpulse.runtime.config.Configuration;
import java.util.List;

/** Where a service listens for /metrics, /healthz and /readyz. */
public record OpsSettings(String host, int port) {
    public static final ConfigParameter<String> HOST = ConfigParameter.of("http.host", ConfigParsers.NON_EMPTY, "0.0.0.0",
            "Address of the /metrics, /healthz and /readyz server");

    /** The parameters, with the service's own default port. */
    public static List<ConfigParameter<?>> parameters(int defaultPort) {
        return List.of(HOST, port(defaultPort));
    }

    public static OpsSettings from(Configuration config, int defaultPort) {
        return new OpsSettings(config.get(HOST), config.get(port(defaultPort)));
    }

    private static ConfigParameter<Integer> port(int defaultPort) {
        return ConfigParameter.of("http.port", ConfigParsers.PORT, String.valueOf(defaultPort),
                "Port of the /metrics, /healthz and /readyz server; 0 picks a free one");
    }
}
