package io.inferpulse.app;

import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.ingest.IngestConfig;
import picocli.CommandLine.Option;

/** The simulated fleet's shape, shared by {@code demo} and {@code simulate}. */
final class FleetOptions {
    private static final double DECODE_TOKENS_PER_SECOND = 100;

    @Option(names = "--pools", defaultValue = "3", description = "Simulated InferencePools (default ${DEFAULT-VALUE}).")
    int pools;

    @Option(names = "--pods", defaultValue = "4", description = "Pods per pool (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the simulated load (default ${DEFAULT-VALUE}).")
    long seed;

    /**
     * The gateway logs name ingest's default cluster, so that a pool's access logs and its scraped
     * pods meet under one pool key. Pods decode 100 tokens/s per sequence (an 8B model on a current
     * datacenter GPU): the P99 latency then stays under the seed rule's 10 s on the everyday load and
     * only a spike pushes it over, as on a healthy production pool.
     */
    FleetConfig config() {
        FleetConfig.Pod p = FleetConfig.Pod.defaults();
        FleetConfig.Pod pod = new FleetConfig.Pod(p.maxNumSeqs(), p.maxQueueLength(), p.numGpuBlocks(), p.blockSize(),
                p.maxModelLen(), p.maxLora(), p.prefillTokensPerSecond(), DECODE_TOKENS_PER_SECOND, p.decodeContention());
        return FleetConfig.builder().cluster(IngestConfig.CLUSTER.defaultValue().orElseThrow()).pools(pools).podsPerPool(pods)
                .seed(seed).pod(pod).build();
    }
}
