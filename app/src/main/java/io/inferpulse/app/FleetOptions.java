package io.inferpulse.app;

import io.inferpulse.devstack.fleet.ArrivalProfile;
import io.inferpulse.devstack.fleet.FleetConfig;
import io.inferpulse.devstack.fleet.FleetSimulator;
import io.inferpulse.devstack.fleet.RoutingPolicy;
import io.inferpulse.ingest.IngestConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The simulated fleet's shape, shared by {@code demo} and {@code simulate}. */
final class FleetOptions {
    private static final double DECODE_TOKENS_PER_SECOND = 100;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--pools", defaultValue = "3", description = "Simulated InferencePools (default ${DEFAULT-VALUE}).")
    int pools;

    @Option(names = "--pods", defaultValue = "4", description = "Pods each pool runs at the start (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--max-pods", description = "Pods each pool can scale out to (default: twice --pods).")
    Integer maxPods;

    @Option(names = "--slow-pods", defaultValue = "0", description = "Pods per pool that run slower than the rest, e.g. "
            + "on an older or throttled GPU (default ${DEFAULT-VALUE}).")
    int slowPods;

    @Option(names = "--slow-share", defaultValue = "0.5", description = "Speed of the slow pods as a share of the others' "
            + "(default ${DEFAULT-VALUE}).")
    double slowShare;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the simulated load (default ${DEFAULT-VALUE}).")
    long seed;

    /**
     * The gateway logs name ingest's default cluster, so that a pool's access logs and its scraped
     * pods meet under one pool key. Pods decode 100 tokens/s per sequence (an 8B model on a current
     * datacenter GPU): the P99 latency then stays under the seed rule's 10 s on the everyday load and
     * only a spike pushes it over, as on a healthy production pool.
     */
    FleetConfig config() {
        return config(RoutingPolicy.roundRobin());
    }

    /** The same fleet with the gateway routing by {@code routing}. */
    FleetConfig config(RoutingPolicy routing) {
        return config(routing, 1);
    }

    /** The same fleet with the gateway routing by {@code routing}, its load {@code loadFactor} times the usual. */
    FleetConfig config(RoutingPolicy routing, double loadFactor) {
        int capacity = maxPods != null ? maxPods : 2 * pods;
        if (capacity < pods) {
            throw new ParameterException(spec.commandLine(), "--max-pods " + capacity + " is below --pods " + pods);
        }
        FleetConfig.Pod p = FleetConfig.Pod.defaults();
        FleetConfig.Pod pod = new FleetConfig.Pod(p.maxNumSeqs(), p.maxQueueLength(), p.numGpuBlocks(), p.blockSize(),
                p.maxModelLen(), p.maxLora(), p.prefillTokensPerSecond(), DECODE_TOKENS_PER_SECOND, p.decodeContention());
        return FleetConfig.builder().cluster(IngestConfig.CLUSTER.defaultValue().orElseThrow()).pools(pools).podsPerPool(capacity)
                .arrivalProfile(ArrivalProfile.demo(FleetConfig.DEMO_RPS_PER_POD * pods * loadFactor)).seed(seed).pod(pod).routingPolicy(routing).build();
    }

    /**
     * Starts every pool at {@code --pods}, the pods above it waiting for a scale-out, and slows down the first
     * {@code --slow-pods} pods of every pool.
     */
    void scaleToStart(FleetSimulator fleet) {
        if (slowPods < 0 || slowPods > pods) {
            throw new ParameterException(spec.commandLine(), "--slow-pods must be from 0 to --pods (" + pods + "), was " + slowPods);
        }
        if (!(slowShare > 0 && slowShare <= 1)) {
            throw new ParameterException(spec.commandLine(), "--slow-share must be in (0, 1], was " + slowShare);
        }
        for (String pool : config().poolNames()) {
            fleet.scale(pool, pods);
            fleet.endpoints().stream().filter(e -> e.pool().equals(pool)).limit(slowPods)
                    .forEach(e -> fleet.slowDown(e.pod(), slowShare));
        }
    }
}
