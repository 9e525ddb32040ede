package io.inferpulse.ingest.discovery;

import io.inferpulse.ingest.engine.PodIdentity;
import java.util.Objects;
import java.util.Set;

/**
 * One model-server endpoint ({@code podIP:port}) of one pool name, with every pool object that
 * selects it under that name.
 *
 * @param pod   {@link PodIdentity#pool()} is the pool name, {@link PodIdentity#address()} is
 *              {@code podIP:port} ({@code [ip]:port} for IPv6)
 * @param port  the target port, also the port in {@link PodIdentity#address()}
 * @param pools one ref, or two when same-named pools in both API groups select the pod
 */
public record DiscoveredEndpoint(PodIdentity pod, int port, Set<PoolRef> pools) {

    public DiscoveredEndpoint {
        Objects.requireNonNull(pod, "pod");
        pools = Set.copyOf(pools);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, was " + port);
        }
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("an endpoint belongs to at least one pool");
        }
        // Refs of other names would make one endpoint count in several pools' averages under one name.
        for (PoolRef ref : pools) {
            if (!ref.namespace().equals(pod.namespace()) || !ref.name().equals(pod.pool())) {
                throw new IllegalArgumentException("pool " + ref + " is not " + pod.namespace() + "/" + pod.pool());
            }
        }
    }
}
