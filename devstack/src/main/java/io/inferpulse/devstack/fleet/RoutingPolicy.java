package io.inferpulse.devstack.fleet;

import java.util.Comparator;
import java.util.List;

/**
 * How the simulated gateway picks the pod of a pool that serves a request, like the endpoint picker of the Gateway API
 * Inference Extension does.
 *
 * <p>Implementations are shared by every pool and called on the simulation thread; keeping them free of state (use
 * {@code arrivalSequence} to rotate) keeps a {@link FleetConfig} reusable and a seeded run reproducible.
 */
@FunctionalInterface
public interface RoutingPolicy {

    /**
     * Picks the pod for one request.
     *
     * @param candidates      the pool's pods that can still queue a request, in a stable order; never empty
     * @param arrivalSequence counts the requests that reached this pool, from 0
     * @return one of {@code candidates}
     */
    PodState choose(List<PodState> candidates, long arrivalSequence);

    /** Each pod in turn. */
    static RoutingPolicy roundRobin() {
        return (candidates, arrivalSequence) ->
                candidates.get((int) Math.floorMod(arrivalSequence, (long) candidates.size()));
    }

    /**
     * The pod with the fewest waiting requests, then the fewest running, then the least KV cache in use. Ties rotate
     * with the arrival sequence so an idle pool does not pile onto its first pod.
     */
    static RoutingPolicy leastQueue() {
        Comparator<PodState> load = Comparator.comparingInt(PodState::waiting)
                .thenComparingInt(PodState::running)
                .thenComparingDouble(PodState::kvCacheUsage);
        return (candidates, arrivalSequence) -> {
            int size = candidates.size();
            int first = (int) Math.floorMod(arrivalSequence, (long) size);
            PodState best = candidates.get(first);
            for (int i = 1; i < size; i++) {
                PodState next = candidates.get((first + i) % size);
                if (load.compare(next, best) < 0) {
                    best = next;
                }
            }
            return best;
        };
    }
}
