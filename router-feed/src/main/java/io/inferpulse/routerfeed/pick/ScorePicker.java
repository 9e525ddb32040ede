package io.inferpulse.routerfeed.pick;

import io.inferpulse.routerfeed.policy.BackendPolicy;
import io.inferpulse.routerfeed.policy.BackendPolicyFile;
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
        RandomGenerator rng = random.get();
        int n = view.endpoints.length;
        int keep = 1 + settings.fallbacks();
        Scratch s = SCRATCH.get();
        s.ensure(n, keep);
        // One pass: every endpoint that may take the request goes into scratch with its group and
        // score, while the best few by (group, score) are kept for the fallbacks and, for max-score,
        // the best with ties drawn by reservoir sampling (each of k tied ends up chosen with 1/k).
        // Locals, because the loop's reads of the atomic counters would otherwise make the JIT reload every field.
        int[] order = view.byScore;
        boolean[] loadOk = view.loadOk;
        boolean[] preferred = view.preferred;
        long[] expiresAtMs = view.expiresAtMs;
        double[] scores = view.score;
        int[] maxInFlight = view.maxInFlight;
        // Scanning best score first, a max-score pick without LoRA affinity in play is decided once the kept
        // list is full of endpoints in the best group there can be and the run of scores tied with the best
        // has ended: nothing later can enter either.
        boolean canStop = settings.strategy() == Strategy.MAX_SCORE && (model.isEmpty() || !view.adapters.contains(model));
        int bestPossible = view.anyPreferred ? PREFERRED : HAS_CAPACITY;
        int count = 0;
        int top = 0;
        int bestTier = SATURATED;
        int best = -1;
        int ties = 0;
        for (int i : order) {
            if (canStop && top == keep && s.tier[s.top[keep - 1]] == bestPossible && scores[i] < s.score[best]) {
                break;
            }
            if (expiresAtMs[i] <= now) {
                continue;
            }
            if (!subset.isEmpty() && !subset.contains(view.endpoints[i].address()) && !subset.contains(view.ips[i])) {
                continue;
            }
            int tier = loadOk[i] && view.inFlightBelow(i, maxInFlight[i]) && view.underRate(i, now)
                    ? (preferred[i] ? PREFERRED : HAS_CAPACITY) : SATURATED;
            double score = !model.isEmpty() && view.endpoints[i].loraAdapters().contains(model)
                    ? scores[i] + settings.loraAffinity() : scores[i];
            s.index[count] = i;
            s.tier[count] = tier;
            s.score[count] = score;
            if (best < 0 || tier < bestTier || (tier == bestTier && score > s.score[best])) {
                bestTier = tier;
                best = count;
                ties = 1;
            } else if (tier == bestTier && score == s.score[best] && rng.nextInt(++ties) == 0) {
                best = count;
            }
            top = keepBest(s, top, keep, count);
            count++;
        }
        if (count == 0) {
            return new PickResult.Unavailable(unavailable(view, now, subset, poolKey));
        }
        if (bestTier == SATURATED && request.sheddable()) {
            return new PickResult.Shed("pool " + poolKey + " is saturated: none of " + count
                    + " ready endpoints has capacity, and the request is sheddable (priority " + request.priority() + ")");
        }
        int chosen = switch (settings.strategy()) {
            case MAX_SCORE -> best;
            case WEIGHTED_RANDOM -> weighted(s, count, bestTier, view, rng);
            case POWER_OF_TWO -> twoChoices(s, count, bestTier, rng);
        };
        String[] endpoints = new String[Math.min(keep, count)];
        endpoints[0] = view.endpoints[s.index[chosen]].address();
        int filled = 1;
        for (int k = 0; k < top && filled < endpoints.length; k++) {
            if (s.top[k] != chosen) {
                endpoints[filled++] = view.endpoints[s.index[s.top[k]]].address();
            }
        }
        view.taken(s.index[chosen], now);
        return new PickResult.Picked(List.of(endpoints));
    }

    /** Inserts scratch position {@code p} into the kept list, ordered by group then score, if it is among the best {@code keep}. */
    private static int keepBest(Scratch s, int top, int keep, int p) {
        int at = top;
        while (at > 0 && better(s, p, s.top[at - 1])) {
            at--;
        }
        if (at >= keep) {
            return top;
        }
        int last = Math.min(top, keep - 1);
        System.arraycopy(s.top, at, s.top, at + 1, last - at);
        s.top[at] = p;
        return Math.min(top + 1, keep);
    }

    private static boolean better(Scratch s, int a, int b) {
        return s.tier[a] < s.tier[b] || (s.tier[a] == s.tier[b] && s.score[a] > s.score[b]);
    }

    /** Why nothing may take the request; only worked out on this rare path, so picks that succeed pay nothing for it. */
    private static String unavailable(PoolView view, long now, Set<String> subset, String poolKey) {
        int unusable = 0;
        int outsideSubset = 0;
        int drained = 0;
        for (int i = 0; i < view.endpoints.length; i++) {
            if (view.endpoints[i].health() != Endpoint.Health.HEALTHY || view.expiresAtMs[i] <= now) {
                unusable++;
            } else if (!subset.isEmpty() && !subset.contains(view.endpoints[i].address()) && !subset.contains(view.ips[i])) {
                outsideSubset++;
            } else if (view.policies[i].drained()) {
                drained++;
            }
        }
        return "no endpoint of pool " + poolKey + " may take the request: " + view.endpoints.length + " known, " + unusable
                + " unhealthy or stale, " + outsideSubset + " outside the subset hint " + subset + ", " + drained
                + " drained by capacityScalerPercent 0";
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
                : new PoolView(snapshot, policies.apply(key), settings, old));
    }

    /** At random among the group, in proportion to score times capacity scaler; uniformly when every weight is zero. */
    private static int weighted(Scratch s, int count, int tier, PoolView view, RandomGenerator rng) {
        double total = 0;
        int members = 0;
        for (int p = 0; p < count; p++) {
            if (s.tier[p] == tier) {
                total += weight(s, p, view);
                members++;
            }
        }
        double target = total > 0 ? rng.nextDouble() * total : rng.nextInt(members);
        int last = -1;
        for (int p = 0; p < count; p++) {
            if (s.tier[p] != tier) {
                continue;
            }
            last = p;
            target -= total > 0 ? weight(s, p, view) : 1;
            if (target < 0) {
                return p;
            }
        }
        return last;
    }

    /** The better of two distinct members of the group drawn at random. */
    private static int twoChoices(Scratch s, int count, int tier, RandomGenerator rng) {
        int members = 0;
        for (int p = 0; p < count; p++) {
            if (s.tier[p] == tier) {
                s.members[members++] = p;
            }
        }
        if (members == 1) {
            return s.members[0];
        }
        int a = rng.nextInt(members);
        int b = rng.nextInt(members - 1);
        if (b >= a) {
            b++;
        }
        return s.score[s.members[b]] > s.score[s.members[a]] ? s.members[b] : s.members[a];
    }

    private static double weight(Scratch s, int p, PoolView view) {
        return Math.max(s.score[p], 0) * view.policies[s.index[p]].capacityScale();
    }

    /** Per-thread working arrays of one pick, grown to the largest pool seen. */
    private static final class Scratch {
        int[] index = new int[0];
        int[] tier = new int[0];
        int[] members = new int[0];
        double[] score = new double[0];
        int[] top = new int[0];

        void ensure(int n, int keep) {
            if (index.length < n) {
                index = new int[n];
                tier = new int[n];
                members = new int[n];
                score = new double[n];
            }
            if (top.length < keep) {
                top = new int[keep];
            }
        }
    }
}
