package io.inferpulse.routerfeed.pick;

import io.inferpulse.routerfeed.policy.BackendPolicy;
import io.inferpulse.routerfeed.policy.BackendPolicyFile;
import io.inferpulse.routerfeed.policy.EndpointPolicy;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import io.inferpulse.runtime.config.ConfigException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Picks on the scores the streams published, from the endpoint table's current snapshot.
 *
 * <p>An endpoint may take a request only when it is HEALTHY, its score has not expired by this
 * picker's clock, it is in the request's subset hint (if any) and its backend policy does not drain
 * it; nothing else is ever returned, fallbacks included. Among those, an endpoint has capacity when
 * its queue and KV cache are under the saturation thresholds and it is under its policy's in-flight
 * and rate limits. PREFERRED endpoints with capacity come first, then others with capacity; when
 * none has capacity the pool is saturated: a sheddable request is refused (429), any other goes to
 * the best of the saturated ones. The strategy chooses within the first non-empty group; fallbacks
 * follow in group order, best score first.
 *
 * <p>A pick reads one immutable snapshot and per-snapshot arrays ({@link PoolView}), takes no lock
 * and allocates only its answer: scratch arrays are per thread.
 */
public final class ScorePicker implements Picker {
    private static final int PREFERRED = 0;
    private static final int HAS_CAPACITY = 1;
    private static final int SATURATED = 2;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final PickerSettings settings;
    private final Function<String, PoolSnapshot> snapshots;
    private final Function<String, BackendPolicy> policies;
    private final Clock clock;
    private final Supplier<RandomGenerator> random;
    private final Map<String, PoolView> views = new ConcurrentHashMap<>();

    /**
     * @param snapshots the current snapshot of a pool by pool key ({@code EndpointTable::snapshot})
     * @param policies the backend policy of a pool by pool key, or null when it has none
     */
    public ScorePicker(PickerSettings settings, Function<String, PoolSnapshot> snapshots,
                       Function<String, BackendPolicy> policies, Clock clock) {
        this(settings, snapshots, policies, clock, ThreadLocalRandom::current);
    }

    ScorePicker(PickerSettings settings, Function<String, PoolSnapshot> snapshots, Function<String, BackendPolicy> policies,
                Clock clock, Supplier<RandomGenerator> random) {
        this.settings = settings;
        this.snapshots = snapshots;
        this.policies = policies;
        this.clock = clock;
        this.random = random;
    }

    /** A picker with the policies of {@link PickerSettings#policyFile()}, each applying to the pool its targetRef names. */
    public static ScorePicker create(PickerSettings settings, Function<String, PoolSnapshot> snapshots, Clock clock) {
        Map<String, BackendPolicy> byPoolName = new HashMap<>();
        settings.policyFile().ifPresent(file -> {
            for (BackendPolicy policy : BackendPolicyFile.load(file)) {
                BackendPolicy other = byPoolName.put(policy.targetPool(), policy);
                if (other != null) {
                    throw new ConfigException(file + ": GCPBackendPolicy " + other.name() + " and " + policy.name()
                            + " both target pool " + policy.targetPool() + "; a pool takes one policy");
                }
            }
        });
        Map<String, BackendPolicy> policies = Map.copyOf(byPoolName);
        return new ScorePicker(settings, snapshots, poolKey -> policies.get(poolKey.substring(poolKey.lastIndexOf('/') + 1)),
                clock);
    }

    @Override
    public PickResult pick(PickRequest request) {
        String poolKey = request.poolKey();
        PoolSnapshot snapshot = snapshots.apply(poolKey);
        if (snapshot == null || snapshot.isEmpty()) {
            return new PickResult.Unavailable("no endpoint of pool " + poolKey + " is known");
        }
        PoolView view = view(snapshot);
        long now = clock.millis();
        Set<String> subset = request.subset();
        String model = request.model();
        Scratch scratch = SCRATCH.get();
        scratch.ensure(view.endpoints.length);
        int count = 0;
        int unusable = 0;
        int outsideSubset = 0;
        int drained = 0;
        int bestTier = SATURATED;
        for (int i = 0; i < view.endpoints.length; i++) {
            Endpoint e = view.endpoints[i];
            if (e.health() != Endpoint.Health.HEALTHY || view.expiresAtMs[i] <= now) {
                unusable++;
                continue;
            }
            if (!subset.isEmpty() && !subset.contains(e.address()) && !subset.contains(view.ips[i])) {
                outsideSubset++;
                continue;
            }
            EndpointPolicy policy = view.policies[i];
            if (policy.drained()) {
                drained++;
                continue;
            }
            int tier = hasCapacity(view, i, now) ? (policy.preferred() ? PREFERRED : HAS_CAPACITY) : SATURATED;
            bestTier = Math.min(bestTier, tier);
            scratch.index[count] = i;
            scratch.tier[count] = tier;
            scratch.score[count] = !model.isEmpty() && e.loraAdapters().contains(model)
                    ? e.score() + settings.loraAffinity() : e.score();
            count++;
        }
        if (count == 0) {
            return new PickResult.Unavailable("no endpoint of pool " + poolKey + " may take the request: "
                    + view.endpoints.length + " known, " + unusable + " unhealthy or stale, " + outsideSubset
                    + " outside the subset hint " + subset + ", " + drained + " drained by capacityScalerPercent 0");
        }
        if (bestTier == SATURATED && request.sheddable()) {
            return new PickResult.Shed("pool " + poolKey + " is saturated: none of " + count
                    + " ready endpoints has capacity, and the request is sheddable (priority " + request.priority() + ")");
        }
        int chosen = choose(scratch, count, bestTier, view);
        int picks = Math.min(1 + settings.fallbacks(), count);
        String[] endpoints = new String[picks];
        endpoints[0] = view.endpoints[scratch.index[chosen]].address();
        scratch.tier[chosen] = Integer.MAX_VALUE;
        for (int k = 1; k < picks; k++) {
            int next = best(scratch, count);
            endpoints[k] = view.endpoints[scratch.index[next]].address();
            scratch.tier[next] = Integer.MAX_VALUE;
        }
        view.taken(scratch.index[chosen], now);
        return new PickResult.Picked(List.of(endpoints));
    }

    @Override
    public void finished(String poolKey, String endpoint) {
        PoolView view = views.get(poolKey);
        if (view != null) {
            int index = view.indexOf(endpoint);
            if (index >= 0) {
                view.released(index);
            }
        }
    }

    private PoolView view(PoolSnapshot snapshot) {
        PoolView view = views.get(snapshot.poolKey());
        if (view != null && view.snapshot == snapshot) {
            return view;
        }
        return views.compute(snapshot.poolKey(), (key, old) -> old != null && old.snapshot == snapshot ? old
                : new PoolView(snapshot, policies.apply(key), old));
    }

    private boolean hasCapacity(PoolView view, int i, long now) {
        Endpoint.Load load = view.endpoints[i].load();
        return load.waiting() < settings.queueThreshold() && load.kvCacheUsage() < settings.kvCacheThreshold()
                && view.inFlight.get(i) < view.policies[i].maxInFlight() && view.underRate(i, now);
    }

    /** The position in scratch of the endpoint the strategy chooses among those of {@code tier}. */
    private int choose(Scratch s, int count, int tier, PoolView view) {
        RandomGenerator rng = random.get();
        return switch (settings.strategy()) {
            case MAX_SCORE -> {
                int best = -1;
                int ties = 0;
                for (int p = 0; p < count; p++) {
                    if (s.tier[p] != tier) {
                        continue;
                    }
                    if (best < 0 || s.score[p] > s.score[best]) {
                        best = p;
                        ties = 1;
                    } else if (s.score[p] == s.score[best] && rng.nextInt(++ties) == 0) {
                        // Reservoir sampling: each of the k tied endpoints ends up chosen with probability 1/k.
                        best = p;
                    }
                }
                yield best;
            }
            case WEIGHTED_RANDOM -> {
                double total = 0;
                int members = 0;
                for (int p = 0; p < count; p++) {
                    if (s.tier[p] == tier) {
                        total += weight(s, p, view);
                        members++;
                    }
                }
                // All weights zero: every member is as good as the next, so draw uniformly.
                double target = total > 0 ? rng.nextDouble() * total : rng.nextInt(members);
                int last = -1;
                for (int p = 0; p < count; p++) {
                    if (s.tier[p] != tier) {
                        continue;
                    }
                    last = p;
                    target -= total > 0 ? weight(s, p, view) : 1;
                    if (target < 0) {
                        yield p;
                    }
                }
                yield last;
            }
            case POWER_OF_TWO -> {
                int members = 0;
                for (int p = 0; p < count; p++) {
                    if (s.tier[p] == tier) {
                        s.members[members++] = p;
                    }
                }
                if (members == 1) {
                    yield s.members[0];
                }
                int a = rng.nextInt(members);
                int b = rng.nextInt(members - 1);
                if (b >= a) {
                    b++;
                }
                yield s.score[s.members[b]] > s.score[s.members[a]] ? s.members[b] : s.members[a];
            }
        };
    }

    private static double weight(Scratch s, int p, PoolView view) {
        return Math.max(s.score[p], 0) * view.policies[s.index[p]].capacityScale();
    }

    /** The remaining endpoint in the best group with the highest score. */
    private static int best(Scratch s, int count) {
        int best = -1;
        for (int p = 0; p < count; p++) {
            if (s.tier[p] == Integer.MAX_VALUE) {
                continue;
            }
            if (best < 0 || s.tier[p] < s.tier[best] || (s.tier[p] == s.tier[best] && s.score[p] > s.score[best])) {
                best = p;
            }
        }
        return best;
    }

    /** Per-thread working arrays of one pick, grown to the largest pool seen. */
    private static final class Scratch {
        int[] index = new int[0];
        int[] tier = new int[0];
        int[] members = new int[0];
        double[] score = new double[0];

        void ensure(int n) {
            if (index.length < n) {
                index = new int[n];
                tier = new int[n];
                members = new int[n];
                score = new double[n];
            }
        }
    }
}
