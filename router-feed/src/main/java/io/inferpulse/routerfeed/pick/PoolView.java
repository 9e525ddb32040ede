package io.inferpulse.routerfeed.pick;

import io.inferpulse.routerfeed.policy.BackendPolicies;
import io.inferpulse.routerfeed.policy.BackendPolicy;
import io.inferpulse.routerfeed.policy.EndpointPolicy;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a pick needs of one pool snapshot, worked out once when the table swaps the snapshot rather
 * than on every request: endpoints in arrays, expiry in epoch milliseconds, each endpoint's resolved
 * backend policy, the tree of bounds a pick searches, the group a weighted or two-choice pick draws
 * from, and the counters limits and pending penalties are checked against.
 *
 * <p>Counters are carried over from the previous view by address, so a swap does not forget the
 * requests in flight. A pick racing with a swap may count on the old view; the drift is bounded by
 * the picks in that instant and ends when those requests finish.
 */
final class PoolView {
    final PoolSnapshot snapshot;
    /** The policies the view was worked out with: a new set makes the view stale as a new snapshot does. */
    final BackendPolicies policySet;
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
    /**
     * The usable endpoints, best published score first: the leaves of the tree of bounds, in order,
     * so that endpoints of like score share subtrees and a search reaches the best few through few
     * nodes (unsorted leaves cost a search more than the sort costs a new view).
     */
    final int[] byScore;
    /** Every LoRA adapter loaded somewhere in the pool: when a request names none of them, scores keep their order. */
    final Set<String> adapters;
    final boolean anyPreferred;
    /**
     * The usable endpoints of the best group a pick can find (the PREFERRED ones if the pool has any,
     * else all), and their running total of weight (score times capacity scaler): what a weighted or
     * two-choice pick draws from when the best group has members with capacity.
     */
    final int[] groupMembers;
    final double[] groupCumulativeWeight;
    final AtomicIntegerArray inFlight;
    /** The epoch second each endpoint's rate count belongs to. */
    final AtomicLongArray rateSecond;
    final AtomicIntegerArray rateCount;
    /** Requests picked for each endpoint since this snapshot: not carried over, the next snapshot's scores include them. */
    final AtomicIntegerArray pending;
    /** Score taken off per pending request. */
    final double pendingPenalty;
    /** Leaves of {@link #bounds}: the positions of {@link #byScore}, rounded up to a power of two. */
    final int leaves;
    /**
     * A tree of bounds (double bits) in heap order: node 1 is the root, node k's children are 2k and
     * 2k+1, leaf {@code leaves + p} is position p of {@link #byScore}. A leaf holds the endpoint's score
     * less its pending penalty (minus infinity for an endpoint over the saturation thresholds, once
     * seen expired, and for padding), an inner node the largest below it. Pending counts only grow
     * within a view and an expired endpoint stays expired, so a value, once written, stays a bound
     * however the writes of concurrent picks interleave: a write worked out from reads that missed a
     * concurrent pick is only looser.
     */
    private final AtomicLongArray bounds;
    /** Each endpoint's position in {@link #byScore}; -1 for one that is not usable. */
    private final int[] positionOf;
    private final Map<String, Integer> indexByAddress;

    PoolView(PoolSnapshot snapshot, BackendPolicies policySet, PickerSettings settings, PoolView previous) {
        this.snapshot = snapshot;
        this.policySet = policySet;
        BackendPolicy policy = policySet.policyFor(snapshot.poolKey());
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
        pending = new AtomicIntegerArray(n);
        pendingPenalty = settings.pendingPenalty();
        indexByAddress = new HashMap<>(n * 2);
        // Endpoints of one cluster share their labels, so each distinct label set is resolved once.
        Map<Map<String, String>, EndpointPolicy> resolved = new HashMap<>();
        Set<String> loaded = new HashSet<>();
        int usableCount = 0;
        boolean preferredSeen = false;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints[i];
            loaded.addAll(e.loraAdapters());
            Integer before = previous == null ? null : previous.indexByAddress.get(e.address());
            // The table hands over the same Endpoint instance while an endpoint is unchanged: keep what was derived from it.
            boolean unchanged = before != null && previous.endpoints[before] == e;
            ips[i] = unchanged ? previous.ips[before] : ip(e.address());
            expiresAtMs[i] = e.expiresAt().toEpochMilli();
            policies[i] = unchanged && previous.policySet == policySet ? previous.policies[before]
                    : policy == null ? EndpointPolicy.UNLIMITED : resolved.computeIfAbsent(e.clusterLabels(), policy::resolve);
            usable[i] = e.health() == Endpoint.Health.HEALTHY && !policies[i].drained();
            loadOk[i] = e.load().waiting() < settings.queueThreshold() && e.load().kvCacheUsage() < settings.kvCacheThreshold();
            preferred[i] = policies[i].preferred();
            score[i] = e.score();
            maxInFlight[i] = policies[i].maxInFlight();
            maxRate[i] = policies[i].maxRate();
            indexByAddress.put(e.address(), i);
            if (before != null) {
                inFlight.set(i, previous.inFlight.get(before));
                rateSecond.set(i, previous.rateSecond.get(before));
                rateCount.set(i, previous.rateCount.get(before));
            }
            if (usable[i]) {
                usableCount++;
                preferredSeen |= preferred[i];
            }
        }
        adapters = Set.copyOf(loaded);
        anyPreferred = preferredSeen;
        byScore = new int[usableCount];
        int[] members = new int[usableCount];
        int u = 0;
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (usable[i]) {
                byScore[u++] = i;
                if (preferred[i] || !anyPreferred) {
                    members[m++] = i;
                }
            }
        }
        sortByScoreDescending(byScore, score);
        positionOf = new int[n];
        Arrays.fill(positionOf, -1);
        leaves = Integer.highestOneBit(Math.max(1, byScore.length - 1)) << (byScore.length > 1 ? 1 : 0);
        double[] tree = new double[2 * leaves];
        Arrays.fill(tree, Double.NEGATIVE_INFINITY);
        for (int position = 0; position < byScore.length; position++) {
            positionOf[byScore[position]] = position;
            // Saturated by load for the whole view: never what settles an answer, so the search need not meet it.
            tree[leaves + position] = loadOk[byScore[position]] ? score[byScore[position]] : Double.NEGATIVE_INFINITY;
        }
        for (int node = leaves - 1; node >= 1; node--) {
            tree[node] = Math.max(tree[2 * node], tree[2 * node + 1]);
        }
        bounds = new AtomicLongArray(tree.length);
        for (int node = 1; node < tree.length; node++) {
            bounds.setPlain(node, Double.doubleToRawLongBits(tree[node]));
        }
        groupMembers = Arrays.copyOf(members, m);
        groupCumulativeWeight = new double[m];
        double total = 0;
        for (int k = 0; k < m; k++) {
            total += Math.max(score[groupMembers[k]], 0) * policies[groupMembers[k]].capacityScale();
            groupCumulativeWeight[k] = total;
        }
    }

    private static String ip(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    /**
     * Endpoint indexes by score, best first; equal scores keep index order. A merge sort on the
     * primitive arrays: sorting boxed indexes with a comparator cost several times as much, on the
     * picking thread that meets a new snapshot first.
     */
    static void sortByScoreDescending(int[] indexes, double[] score) {
        int[] from = indexes;
        int[] to = new int[indexes.length];
        for (int width = 1; width < indexes.length; width *= 2) {
            for (int lo = 0; lo < indexes.length; lo += 2 * width) {
                int mid = Math.min(lo + width, indexes.length);
                int hi = Math.min(lo + 2 * width, indexes.length);
                int a = lo;
                int b = mid;
                for (int k = lo; k < hi; k++) {
                    to[k] = a < mid && (b >= hi || score[from[a]] >= score[from[b]]) ? from[a++] : from[b++];
                }
            }
            int[] swap = from;
            from = to;
            to = swap;
        }
        if (from != indexes) {
            System.arraycopy(from, 0, indexes, 0, indexes.length);
        }
    }

    /** The position in {@link #groupMembers} whose share of the running weight holds {@code x} (0 <= x < total). */
    int memberAtWeight(double x) {
        int lo = 0;
        int hi = groupCumulativeWeight.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (groupCumulativeWeight[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
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

    /** The bound on the scores less pending penalty of the endpoints below {@code node} of the tree. */
    double bound(int node) {
        return Double.longBitsToDouble(bounds.getPlain(node));
    }

    /** The endpoint at {@code position} was seen expired: no search of this view needs to come to it again. */
    void retire(int position) {
        setBound(position, Double.NEGATIVE_INFINITY);
    }

    void taken(int i, long nowMs) {
        inFlight.incrementAndGet(i);
        pending.incrementAndGet(i);
        if (pendingPenalty > 0 && positionOf[i] >= 0 && loadOk[i]) {
            setBound(positionOf[i], score[i] - pendingPenalty * pending.getPlain(i));
        }
        if (maxRate[i] != Double.POSITIVE_INFINITY) {
            long second = nowMs / 1000;
            long counted = rateSecond.get(i);
            if (counted != second && rateSecond.compareAndSet(i, counted, second)) {
                rateCount.set(i, 0);
            }
            rateCount.incrementAndGet(i);
        }
    }

    /** Sets the leaf of {@code position} and works out the bounds above it again. */
    private void setBound(int position, double value) {
        int node = leaves + position;
        bounds.setPlain(node, Double.doubleToRawLongBits(value));
        for (node /= 2; node >= 1; node /= 2) {
            bounds.setPlain(node, Double.doubleToRawLongBits(Math.max(bound(2 * node), bound(2 * node + 1))));
        }
    }

    void released(int i) {
        int current;
        do {
            current = inFlight.get(i);
        } while (current > 0 && !inFlight.compareAndSet(i, current, current - 1));
    }
}
