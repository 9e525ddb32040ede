package io.inferpulse.app.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inferpulse.devstack.fleet.PodState;
import io.inferpulse.devstack.fleet.RoutingPolicy;
import io.inferpulse.devstack.fleet.SimulatedPodEndpoint;
import io.inferpulse.routerfeed.pick.PickRequest;
import io.inferpulse.routerfeed.pick.PickResult;
import io.inferpulse.routerfeed.pick.Picker;
import io.inferpulse.schemas.Topics;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The simulated gateway asking the picker "which pod?", as a real gateway asks the EPP: each request
 * goes to the first endpoint of the pick (primary, then fallbacks) that can still queue it. When the
 * picker has no answer the simulated pods can use (the table not yet filled, every scored endpoint
 * stale, or every picked pod's queue full in a spike), the request goes round robin among the pods
 * that can queue it and is counted, so a run shows how often routing fell back.
 *
 * <p>The picker learns that a request finished from the access-log line the gateway writes for it,
 * which names the pool and the pod's address: the same signal a real gateway's response gives.
 */
public final class PickerRouting implements RoutingPolicy {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RoutingPolicy FALLBACK = RoutingPolicy.roundRobin();

    private final Picker picker;
    private final String cluster;
    /** Set once the fleet has bound its ports, before its first request. */
    private volatile Map<String, String> podByAddress = Map.of();
    private final LongAdder picked = new LongAdder();
    private final LongAdder fellBack = new LongAdder();

    public PickerRouting(Picker picker, String cluster) {
        this.picker = picker;
        this.cluster = cluster;
    }

    /** The fleet's pods by address: the fleet takes this policy at construction and binds its ports there. */
    public void bind(List<SimulatedPodEndpoint> endpoints) {
        Map<String, String> pods = new HashMap<>();
        endpoints.forEach(e -> pods.put(e.address(), e.pod()));
        podByAddress = Map.copyOf(pods);
    }

    @Override
    public PodState choose(List<PodState> candidates, long arrivalSequence) {
        PodState any = candidates.getFirst();
        PickResult result = picker.pick(new PickRequest(Topics.poolKey(cluster, any.namespace(), any.pool()), "", 0, Set.of()));
        if (result instanceof PickResult.Picked pick) {
            for (String address : pick.endpoints()) {
                String pod = podByAddress.get(address);
                for (PodState candidate : candidates) {
                    if (candidate.pod().equals(pod)) {
                        picked.increment();
                        return candidate;
                    }
                }
            }
            // Picked but none of the picks can queue: the picker counted the primary as in flight.
            picker.finished(Topics.poolKey(cluster, any.namespace(), any.pool()), pick.primary());
        }
        fellBack.increment();
        return FALLBACK.choose(candidates, arrivalSequence);
    }

    /** Passes each access-log line on, after telling the picker the request it logs has finished. */
    public Consumer<String> finishing(Consumer<String> sink) {
        return line -> {
            JsonNode entry;
            try {
                entry = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException("the simulated gateway wrote an access-log line that is not JSON: " + line, e);
            }
            String serverIp = entry.path("httpRequest").path("serverIp").asText("");
            if (!serverIp.isEmpty()) {
                picker.finished(Topics.poolKey(entry.path("labels").path("cluster_name").asText(cluster),
                        entry.path("labels").path("namespace_name").asText(),
                        entry.path("resource").path("labels").path("backend_target_name").asText()), serverIp);
            }
            sink.accept(line);
        };
    }

    public long picked() {
        return picked.sum();
    }

    public long fellBack() {
        return fellBack.sum();
    }
}
