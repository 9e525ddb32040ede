package io.inferpulse.app;

import io.inferpulse.devstack.fleet.FleetConfig;
import picocli.CommandLine.Option;

/** The simulated fleet's shape, shared by {@code demo} and {@code simulate}. */
final class FleetOptions {
    @Option(names = "--pools", defaultValue = "3", description = "Simulated InferencePools (default ${DEFAULT-VALUE}).")
    int pools;

    @Option(names = "--pods", defaultValue = "4", description = "Pods per pool (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the simulated load (default ${DEFAULT-VALUE}).")
    long seed;

    FleetConfig config() {
        return FleetConfig.builder().pools(pools).podsPerPool(pods).seed(seed).build();
    }
}
