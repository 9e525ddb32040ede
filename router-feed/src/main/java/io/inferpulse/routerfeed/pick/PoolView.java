package io.inferpulse.routerfeed.pick;

import io.inferpulse.routerfeed.policy.BackendPolicy;
import io.inferpulse.routerfeed.policy.EndpointPolicy;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a pick needs of one pool snapshot, worked out once when the table swaps the snapshot rather
 * than on every request: endpoints in arrays, expiry in epoch milliseconds, each endpoint's resolved
 * backend policy, and the counters its limits are checked against.
 *
 * <p>Counters are carried over from the previous view by address, so a swap does not forget the
 * requests in flight. A pick racing with a swap may count on the old view; the drift is bounded by
 * the picks in that instant and ends when those requests finish.
 */
final class PoolView {
    final PoolSnapshot snapshot;
    final Endpoint[] endpoints;
    final String[] ips;
    final long[] expiresAtMs;
    final EndpointPolicy[] policies;
    /** HEALTHY and not drained by its policy: may be picked while its score is fresh. */
    final boolean[] usable;
    /** Queue and KV cache under the saturation thresholds. */
    final boolean[] loadOk;
    final boolean[] preferred;
    final double[] score;
    final int[] maxInFlight;
    final double[] maxRate;
    /** The usable endpoints, best score first: a max-score pick can stop once nothing later can win. */
    final int[] byScore;
    /** Every LoRA adapter loaded somewhere in the pool: when a request names none of them, scores keep their order. */
    final Set<String> adapters;
    final boolean anyPreferred;
    final AtomicIntegerArray inFlight;
    /** The epoch second each endpoint's rate count belongs to. */
    final AtomicLongArray rateSecond;
    final AtomicIntegerArray rateCount;
    private final Map<String, Integer> indexByAddress;

    PoolView(PoolSnapshot snapshot, BackendPolicy policy, PickerSettings settings, PoolView previous) {
        this.snapshot = snapshot;
        List<Endpoint> list = snapshot.endpoints();
        int n = list.size();
        endpoints = list.toArray(new Endpoint[0]);
        ips = new String[n];
        expiresAtMs = new long[n];
        policies = new EndpointPolicy[n];
        usable = new boolean[n];
        loadOk = new boolean[n];
        preferred = new boolean[n];
        score = new double[n];
        maxInFlight = new int[n];
        maxRate = new double[n];
        inFlight = new AtomicIntegerArray(n);
        rateSecond = new AtomicLongArray(n);
        rateCount = new AtomicIntegerArray(n);
        indexByAddress = new HashMap<>(n * 2);
        Set<String> loaded = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints[i];
            loaded.addAll(e.loraAdapters());
            int colon = e.address().lastIndexOf(':');
            ips[i] = colon < 0 ? e.address() : e.address().substring(0, colon);
            expiresAtMs[i] = e.expiresAt().toEpochMilli();
            policies[i] = policy == null ? EndpointPolicy.UNLIMITED : policy.resolve(e.clusterLabels());
            usable[i] = e.health() == Endpoint.Health.HEALTHY && !policies[i].drained();
            loadOk[i] = e.load().waiting() < settings.queueThreshold() && e.load().kvCacheUsage() < settings.kvCacheThreshold();
            preferred[i] = policies[i].preferred();
            score[i] = e.score();
            maxInFlight[i] = policies[i].maxInFlight();
            maxRate[i] = policies[i].maxRate();
            indexByAddress.put(e.address(), i);
            Integer before = previous == null ? null : previous.indexByAddress.get(e.address());
            if (before != null) {
                inFlight.set(i, previous.inFlight.get(before));
                rateSecond.set(i, previous.rateSecond.get(before));
                rateCount.set(i, previous.rateCount.get(before));
            }
        }
        adapters = Set.copyOf(loaded);
        anyPreferred = IntStream.range(0, n).anyMatch(i -> usable[i] && preferred[i]);
        byScore = IntStream.range(0, n).filter(i -> usable[i]).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> score[i]).reversed())
                .mapToInt(Integer::intValue).toArray();
    }

    int indexOf(String address) {
        Integer index = indexByAddress.get(address);
        return index == null ? -1 : index;
    }

    /**
     * A plain read: limits are advisory under concurrency anyway (two picks may both see the last
     * free slot), and an ordered read per endpoint would cost more than the rest of the scan.
     */
    boolean inFlightBelow(int i, int max) {
        return max == Integer.MAX_VALUE || inFlight.getPlain(i) < max;
    }

    boolean underRate(int i, long nowMs) {
        double max = maxRate[i];
        return max == Double.POSITIVE_INFINITY || rateSecond.get(i) != nowMs / 1000 || rateCount.get(i) < max;
    }

    void taken(int i, long nowMs) {
        inFlight.incrementAndGet(i);
        if (maxRate[i] != Double.POSITIVE_INFINITY) {
            long second = nowMs / 1000;
            long counted = rateSecond.get(i);
            if (counted != second && rateSecond.compareAndSet(i, counted, second)) {
                rateCount.set(i, 0);
            }
            rateCount.incrementAndGet(i);
        }
    }

    void released(int i) {
        int current;
        do {
            current = inFlight.get(i);
        } while (current > 0 && !inFlight.compareAndSet(i, current, current - 1));
    }
}
