package io.inferpulse.ingest.discovery;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.inferpulse.ingest.engine.PodIdentity;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Turns pools and pods into endpoints; a pure function of its inputs, so it is tested directly. */
final class EndpointResolver {

    private EndpointResolver() {
    }

    /**
     * @param podsInNamespace the pods of a namespace, ready or not; pools never select across
     *                        namespaces
     */
    static Set<DiscoveredEndpoint> resolve(String cluster, Collection<PoolSpec> pools,
                                           Function<String, ? extends Collection<Pod>> podsInNamespace) {
        // Same-named pools of both groups produce equal (identity, port) slots, so they merge here.
        Map<Slot, Set<PoolRef>> slots = new HashMap<>();
        for (PoolSpec pool : pools) {
            String namespace = pool.ref().namespace();
            for (Pod pod : podsInNamespace.apply(namespace)) {
                if (!isReady(pod) || !pool.selects(pod.getMetadata().getLabels())) {
                    continue;
                }
                for (int port : pool.ports()) {
                    PodIdentity identity = new PodIdentity(cluster, namespace, pool.ref().name(),
                            pod.getMetadata().getName(), address(pod.getStatus().getPodIP(), port),
                            Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of()));
                    slots.computeIfAbsent(new Slot(identity, port), s -> new HashSet<>()).add(pool.ref());
                }
            }
        }
        return slots.entrySet().stream()
                .map(e -> new DiscoveredEndpoint(e.getKey().pod(), e.getKey().port(), e.getValue()))
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Ready as a Service's endpoints mean it: the Ready condition is True, there is an IP, and the
     * pod is not terminating (a terminating pod may stay Ready through its grace period but is
     * draining, so its numbers would skew the pool's).
     */
    static boolean isReady(Pod pod) {
        PodStatus status = pod.getStatus();
        if (pod.getMetadata().getDeletionTimestamp() != null || status == null || status.getPodIP() == null
                || status.getPodIP().isBlank() || status.getConditions() == null) {
            return false;
        }
        for (PodCondition condition : status.getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }

    /** Whether an update can change any endpoint; most pod updates (status churn) cannot. */
    static boolean affectsEndpoints(Pod before, Pod after) {
        return isReady(before) != isReady(after)
                || !Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())
                || !Objects.equals(podIp(before), podIp(after));
    }

    static String address(String ip, int port) {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static String podIp(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    }

    private record Slot(PodIdentity pod, int port) {
    }
}
