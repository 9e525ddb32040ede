package io.inferpulse.routerfeed.pick;

import io.inferpulse.routerfeed.policy.BackendPolicies;
import io.inferpulse.routerfeed.policy.BackendPolicyFile;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.EndpointTable;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import java.time.Clock;
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
    /** Draws from a group before a weighted or two-choice pick falls back to a pass over every endpoint. */
    private static final int DRAWS = 16;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final PickerSettings settings;
    private final Function<String, PoolSnapshot> snapshots;
    private final Supplier<BackendPolicies> policies;
    private final Clock clock;
    private final Supplier<RandomGenerator> random;
    private final Map<String, PoolView> views = new ConcurrentHashMap<>();

    /**
     * @param snapshots the current snapshot of a pool by pool key ({@code EndpointTable::snapshot})
     * @param policies the backend policies in force: fixed ones from a file ({@link BackendPolicyFile}) or the
     *     cluster's ({@code BackendPolicyResources}); asked on every pick, so it must be a plain read
     */
    public ScorePicker(PickerSettings settings, Function<String, PoolSnapshot> snapshots,
                       Supplier<BackendPolicies> policies, Clock clock) {
        this(settings, snapshots, policies, clock, ThreadLocalRandom::current);
    }

    ScorePicker(PickerSettings settings, Function<String, PoolSnapshot> snapshots, Supplier<BackendPolicies> policies,
                Clock clock, Supplier<RandomGenerator> random) {
        this.settings = settings;
        this.snapshots = snapshots;
        this.policies = policies;
        this.clock = clock;
        this.random = random;
    }

    /**
     * A picker with the policies of {@link PickerSettings#policyFile()}, if any, each applying to the pool its
     * targetRef names. Policies from the cluster need a client: open them with
     * {@link PickerSettings#openPolicies} and use the constructor.
     */
    public static ScorePicker create(PickerSettings settings, Function<String, PoolSnapshot> snapshots, Clock clock) {
        if (settings.policyFromCluster()) {
            throw new IllegalArgumentException(PickerSettings.POLICY_KUBERNETES.key() + " needs a Kubernetes client:"
                    + " open the policies with PickerSettings.openPolicies and pass them to the constructor");
        }
        BackendPolicies policies = settings.filePolicies();
        return new ScorePicker(settings, snapshots, () -> policies, clock);
    }

    /**
     * A picker over the table's snapshots that the table prepares for ({@link #prepare}) before it
     * publishes each new one, so that no request pays for a new snapshot.
     */
    public static ScorePicker following(EndpointTable table, PickerSettings settings, Supplier<BackendPolicies> policies,
                                        Clock clock) {
        ScorePicker picker = new ScorePicker(settings, table::snapshot, policies, clock);
        table.beforePublishing(picker::prepare);
        return picker;
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
        RandomGenerator rng = random.get();
        int keep = 1 + settings.fallbacks();
        Scratch s = SCRATCH.get();
        s.ensure(view.endpoints.length, keep);
        String model = request.model();
        boolean loraInPlay = !model.isEmpty() && view.adapters.contains(model);
        scan(view, s, request, now, rng, keep, !loraInPlay);
        if (s.count == 0) {
            return new PickResult.Unavailable(unavailable(view, now, request.subset(), poolKey));
        }
        if (s.bestTier == SATURATED && request.sheddable()) {
            return new PickResult.Shed("pool " + poolKey + " is saturated: none of " + s.count
                    + " ready endpoints has capacity, and the request is sheddable (priority " + request.priority() + ")");
        }
        int chosen = choose(view, s, request, now, rng, keep);
        String[] endpoints = new String[Math.min(keep, s.count)];
        endpoints[0] = view.endpoints[chosen].address();
        int filled = 1;
        for (int k = 0; k < s.kept && filled < endpoints.length; k++) {
            int i = s.index[s.top[k]];
            if (i != chosen) {
                endpoints[filled++] = view.endpoints[i].address();
            }
        }
        view.taken(chosen, now);
        return new PickResult.Picked(List.of(endpoints));
    }

    /**
     * Puts every endpoint that may take the request into scratch with its group and score, keeping
     * the best few by (group, score) for the fallbacks and the best with ties drawn by reservoir
     * sampling (each of k tied ends up chosen with 1/k).
     *
     * <p>With {@code mayStop} (no LoRA affinity in play, which could lift a score above its bound)
     * the endpoints under the saturation thresholds are searched best bound first in the view's tree
     * of bounds on score less pending penalty, and once the kept list is full of endpoints in the best
     * group there can be, the search ends at the first bound below the last kept score: nothing left
     * can enter the list or tie with the best. It looks at a few endpoints and the paths to them,
     * however many picks have flattened the top scores with their penalties, and then not every
     * endpoint is in scratch ({@link Scratch#stoppedEarly}). When the list does not fill so, and
     * without {@code mayStop}, every usable endpoint is looked at.
     */
    private void scan(PoolView view, Scratch s, PickRequest request, long now, RandomGenerator rng, int keep, boolean mayStop) {
        int bestPossible = view.anyPreferred ? PREFERRED : HAS_CAPACITY;
        s.start(view, request, now, rng, keep, bestPossible);
        if (mayStop) {
            search(s);
            if (s.settled()) {
                s.stoppedEarly = true;
                s.forget();
                return;
            }
            // Too few endpoints with capacity: the saturated ones the tree leaves out may be all there is.
            s.start(view, request, now, rng, keep, bestPossible);
        }
        for (int position = 0; position < view.byScore.length; position++) {
            consider(s, position);
        }
        s.forget();
    }

    /**
     * Best bound first over the whole tree, with a heap of the subtrees not yet opened: the first
     * leaves reached are the best there are, so the answer settles at once on the best scores and the
     * search ends when the best bound left is below the last kept score.
     */
    private void search(Scratch s) {
        PoolView view = s.view;
        s.clearHeap();
        s.push(1, view.bound(1));
        while (s.heapSize > 0) {
            double bound = s.heapBound[0];
            int node = s.pop();
            if (s.settled() && bound < s.score[s.top[s.keep - 1]]) {
                return;
            }
            if (node >= view.leaves) {
                if (node - view.leaves < view.byScore.length) {
                    consider(s, node - view.leaves);
                }
                continue;
            }
            for (int child = 2 * node; child <= 2 * node + 1; child++) {
                double childBound = view.bound(child);
                // Minus infinity: padding, saturated or seen expired; nothing there can settle the answer.
                if (childBound != Double.NEGATIVE_INFINITY) {
                    s.push(child, childBound);
                }
            }
        }
    }

    /** Puts the endpoint at {@code position} of the view's score order into scratch if it may take the request. */
    private void consider(Scratch s, int position) {
        PoolView view = s.view;
        int i = view.byScore[position];
        if (view.expiresAtMs[i] <= s.now) {
            // Expired stays expired while the clock moves on: searches of this view need not come here again.
            view.retire(position);
            return;
        }
        String model = s.request.model();
        if (!inSubset(view, i, s.request.subset())) {
            return;
        }
        int tier = tier(view, i, s.now);
        double score = (!model.isEmpty() && view.endpoints[i].loraAdapters().contains(model)
                ? view.score[i] + settings.loraAffinity() : view.score[i]) - settings.pendingPenalty() * view.pending.getPlain(i);
        int p = s.count;
        s.index[p] = i;
        s.tier[p] = tier;
        s.score[p] = score;
        if (s.best < 0 || tier < s.bestTier || (tier == s.bestTier && score > s.score[s.best])) {
            s.bestTier = tier;
            s.best = p;
            s.ties = 1;
        } else if (tier == s.bestTier && score == s.score[s.best] && s.rng.nextInt(++s.ties) == 0) {
            s.best = p;
        }
        s.kept = keepBest(s, s.kept, s.keep, p);
        s.count++;
    }

    /** The endpoint index the strategy chooses within the best group the scan found. */
    private int choose(PoolView view, Scratch s, PickRequest request, long now, RandomGenerator rng, int keep) {
        Strategy strategy = settings.strategy();
        if (strategy == Strategy.MAX_SCORE) {
            return s.index[s.best];
        }
        if (s.stoppedEarly) {
            // The best group is the best there can be (the scan stopped because of it), so a draw from the view's
            // candidates for that group, kept only if it is in the group right now, is a draw from the group: the
            // same distribution as the full pass below, at a few draws' cost instead of every endpoint's.
            int drawn = strategy == Strategy.WEIGHTED_RANDOM
                    ? drawFromGroup(view, s.bestTier, request.subset(), now, rng, true, -1)
                    : betterOfTwoDrawn(view, s.bestTier, request.subset(), now, rng);
            if (drawn >= 0) {
                return drawn;
            }
            scan(view, s, request, now, rng, keep, false);
        }
        int p = strategy == Strategy.WEIGHTED_RANDOM
                ? weighted(s, s.count, s.bestTier, view, rng)
                : twoChoices(s, s.count, s.bestTier, rng);
        return s.index[p];
    }

    private int betterOfTwoDrawn(PoolView view, int tier, Set<String> subset, long now, RandomGenerator rng) {
        int a = drawFromGroup(view, tier, subset, now, rng, false, -1);
        int b = a < 0 ? -1 : drawFromGroup(view, tier, subset, now, rng, false, a);
        if (b < 0) {
            return -1;
        }
        return effectiveScore(view, b) > effectiveScore(view, a) ? b : a;
    }

    /**
     * An endpoint of group {@code tier} other than {@code except}, drawn from the view's group
     * candidates uniformly or in proportion to weight; -1 when {@value #DRAWS} draws found none, and
     * the caller then takes the full pass. A weighted draw is made on the published score and kept
     * with the chance that the pending penalty leaves of its weight, which makes it a draw in
     * proportion to the weight after the penalty.
     */
    private int drawFromGroup(PoolView view, int tier, Set<String> subset, long now, RandomGenerator rng,
                              boolean weighted, int except) {
        int[] members = view.groupMembers;
        double[] cumulative = view.groupCumulativeWeight;
        if (members.length == 0 || (weighted && !(cumulative[members.length - 1] > 0))) {
            return -1;
        }
        for (int d = 0; d < DRAWS; d++) {
            int i = members[weighted ? view.memberAtWeight(rng.nextDouble() * cumulative[members.length - 1])
                    : rng.nextInt(members.length)];
            if (i == except || view.expiresAtMs[i] <= now || !inSubset(view, i, subset) || tier(view, i, now) != tier) {
                continue;
            }
            if (!weighted || view.pending.getPlain(i) == 0
                    || rng.nextDouble() * view.score[i] < Math.max(effectiveScore(view, i), 0)) {
                return i;
            }
        }
        return -1;
    }

    /** The published score less the pending penalty; LoRA affinity is not in play where this is asked. */
    private double effectiveScore(PoolView view, int i) {
        return view.score[i] - settings.pendingPenalty() * view.pending.getPlain(i);
    }

    private static boolean inSubset(PoolView view, int i, Set<String> subset) {
        return subset.isEmpty() || subset.contains(view.endpoints[i].address()) || subset.contains(view.ips[i]);
    }

    /** The group of a fresh endpoint right now: PREFERRED or HAS_CAPACITY while it has capacity, else SATURATED. */
    private static int tier(PoolView view, int i, long now) {
        return view.loadOk[i] && view.inFlightBelow(i, view.maxInFlight[i]) && view.underRate(i, now)
                ? (view.preferred[i] ? PREFERRED : HAS_CAPACITY) : SATURATED;
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
            } else if (!inSubset(view, i, subset)) {
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

    /**
     * Works out the view of a snapshot before picks see it: given to {@link EndpointTable#beforePublishing},
     * the table's consumer thread pays for a new snapshot (about 150 us at 1,000 endpoints) instead of the
     * first request after it. A pick still works out a view itself when the policies in force changed.
     * Only pools already picked from are prepared: the table holds every pool of the topic, an EPP picks
     * for one.
     */
    public void prepare(PoolSnapshot snapshot) {
        if (!snapshot.isEmpty() && views.containsKey(snapshot.poolKey())) {
            view(snapshot);
        }
    }

    /** The view of this snapshot under the policies in force, worked out again only when either is a new instance. */
    private PoolView view(PoolSnapshot snapshot) {
        BackendPolicies policySet = policies.get();
        PoolView view = views.get(snapshot.poolKey());
        if (view != null && view.snapshot == snapshot && view.policySet == policySet) {
            return view;
        }
        return views.compute(snapshot.poolKey(), (key, old) -> old != null && old.snapshot == snapshot && old.policySet == policySet
                ? old : new PoolView(snapshot, policySet, settings, old));
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

    /** Per-thread working arrays of one pick, grown to the largest pool seen, and the state of its scan. */
    private static final class Scratch {
        int[] index = new int[0];
        int[] tier = new int[0];
        int[] members = new int[0];
        double[] score = new double[0];
        int[] top = new int[0];
        /** A max-heap of tree nodes by bound, for the search. */
        int[] heapNode = new int[0];
        double[] heapBound = new double[0];
        int heapSize;
        /** Set for the length of one scan only, so that a thread does not hold on to an old view. */
        PoolView view;
        PickRequest request;
        RandomGenerator rng;
        long now;
        int keep;
        int bestPossible;
        int count;
        int kept;
        int bestTier;
        int best;
        int ties;
        boolean stoppedEarly;

        void ensure(int n, int keep) {
            if (index.length < n) {
                index = new int[n];
                tier = new int[n];
                members = new int[n];
                score = new double[n];
                // Every node of a tree over n leaves, padded to a power of two: 4n at the most.
                heapNode = new int[4 * n + 2];
                heapBound = new double[4 * n + 2];
            }
            if (top.length < keep) {
                top = new int[keep];
            }
        }

        void start(PoolView view, PickRequest request, long now, RandomGenerator rng, int keep, int bestPossible) {
            this.view = view;
            this.request = request;
            this.now = now;
            this.rng = rng;
            this.keep = keep;
            this.bestPossible = bestPossible;
            count = 0;
            kept = 0;
            bestTier = SATURATED;
            best = -1;
            ties = 0;
            stoppedEarly = false;
        }

        void clearHeap() {
            heapSize = 0;
        }

        void push(int node, double bound) {
            int at = heapSize++;
            while (at > 0 && heapBound[(at - 1) / 2] < bound) {
                heapNode[at] = heapNode[(at - 1) / 2];
                heapBound[at] = heapBound[(at - 1) / 2];
                at = (at - 1) / 2;
            }
            heapNode[at] = node;
            heapBound[at] = bound;
        }

        /** Removes the node with the highest bound and returns it. */
        int pop() {
            int node = heapNode[0];
            int lastNode = heapNode[--heapSize];
            double lastBound = heapBound[heapSize];
            int at = 0;
            while (2 * at + 1 < heapSize) {
                int child = 2 * at + 1;
                if (child + 1 < heapSize && heapBound[child + 1] > heapBound[child]) {
                    child++;
                }
                if (heapBound[child] <= lastBound) {
                    break;
                }
                heapNode[at] = heapNode[child];
                heapBound[at] = heapBound[child];
                at = child;
            }
            heapNode[at] = lastNode;
            heapBound[at] = lastBound;
            return node;
        }

        /** Lets go of the view, the request and the generator, so that a thread does not hold on to an old view. */
        void forget() {
            view = null;
            request = null;
            rng = null;
        }

        /** The answer is full of endpoints in the best group there can be: only a higher score can enter it now. */
        boolean settled() {
            return kept == keep && tier[top[keep - 1]] == bestPossible;
        }
    }
}
