package io.inferpulse.routerfeed.pick;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.inferpulse.routerfeed.policy.BackendPolicies;
import io.inferpulse.routerfeed.policy.BackendPolicy;
import io.inferpulse.routerfeed.policy.BackendSettings;
import io.inferpulse.routerfeed.policy.Scope;
import io.inferpulse.routerfeed.table.Endpoint;
import io.inferpulse.routerfeed.table.PoolSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ScorePickerTest {
    private static final String POOL = "c1/llm/vllm";
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final AtomicReference<PoolSnapshot> snapshot = new AtomicReference<>(PoolSnapshot.empty(POOL));

    private static Endpoint endpoint(int n, double score) {
        return endpoint(n, score, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), Endpoint.Load.IDLE, Map.of(), List.of());
    }

    private static Endpoint endpoint(int n, double score, Endpoint.Health health, Instant expiresAt, Endpoint.Load load,
                                     Map<String, String> clusterLabels, List<String> adapters) {
        return new Endpoint("c1/llm/vllm-" + n + ":8000", "10.0.0." + n + ":8000", "vllm-" + n, POOL, score, Map.of(),
                health, clusterLabels, adapters, load, NOW.minusMillis(100), expiresAt);
    }

    private void pool(Endpoint... endpoints) {
        snapshot.set(new PoolSnapshot(POOL, List.of(endpoints)));
    }

    private ScorePicker picker(Strategy strategy) {
        return picker(strategy, null);
    }

    private ScorePicker picker(Strategy strategy, BackendPolicy policy) {
        SplittableRandom seeded = new SplittableRandom(42);
        BackendPolicies policies = policy == null ? BackendPolicies.NONE : BackendPolicies.of(List.of(policy));
        // No pending penalty unless a test is about it: the statistical checks draw many picks from one snapshot.
        return new ScorePicker(PickerSettings.defaults().withStrategy(strategy).withPendingPenalty(0),
                key -> key.equals(POOL) ? snapshot.get() : null, () -> policies, CLOCK, () -> seeded);
    }

    private static PickRequest request() {
        return new PickRequest(POOL, "", 0, Set.of());
    }

    /** How often each endpoint was chosen first in {@code picks} picks from the same snapshot. */
    private static Map<String, Integer> primaries(ScorePicker picker, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(picked(picker.pick(request())).getFirst(), 1, Integer::sum);
        }
        return counts;
    }

    private static List<String> picked(PickResult result) {
        assertThat(result).isInstanceOf(PickResult.Picked.class);
        return ((PickResult.Picked) result).endpoints();
    }

    @Test
    void shouldPickTheHighestScoreWithTheNextBestAsFallbacks() {
        pool(endpoint(1, 1.0), endpoint(2, 3.5), endpoint(3, 2.0), endpoint(4, 0.5));

        assertThat(picked(picker(Strategy.MAX_SCORE).pick(request())))
                .containsExactly("10.0.0.2:8000", "10.0.0.3:8000", "10.0.0.1:8000");
    }

    @Test
    void shouldLowerTheScoreOfAnEndpointByItsPicksUntilTheScoresChange() {
        pool(endpoint(1, 2.0), endpoint(2, 1.95), endpoint(3, 1.0));
        SplittableRandom seeded = new SplittableRandom(1);
        ScorePicker picker = new ScorePicker(PickerSettings.defaults().withPendingPenalty(0.1),
                key -> snapshot.get(), () -> BackendPolicies.NONE, CLOCK, () -> seeded);

        List<String> primaries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            primaries.add(picked(picker.pick(request())).getFirst());
        }
        pool(endpoint(1, 2.0), endpoint(2, 1.95), endpoint(3, 1.0));
        primaries.add(picked(picker.pick(request())).getFirst());

        // 2.0, then 1.95 > 1.9, then 1.9 > 1.85; a new snapshot carries scores that include those requests
        assertThat(primaries).containsExactly("10.0.0.1:8000", "10.0.0.2:8000", "10.0.0.1:8000", "10.0.0.1:8000");
    }

    @Test
    void shouldPickTheBestScoresAfterPendingPenaltiesWhateverTheScanSkips() {
        // Many picks on one snapshot flatten the top scores, and the search passes over what its bounds rule out. Every
        // answer must still be the best three with capacity by score less penalty, as a plain sort of them says.
        SplittableRandom random = new SplittableRandom(11);
        List<Endpoint> endpoints = new ArrayList<>();
        Map<String, Double> published = new HashMap<>();
        for (int n = 0; n < 300; n++) {
            boolean expired = random.nextInt(10) == 0;
            boolean saturated = random.nextInt(10) == 0;
            Endpoint e = endpoint(n, random.nextDouble(0, 4), Endpoint.Health.HEALTHY, expired ? NOW : NOW.plusSeconds(2),
                    saturated ? new Endpoint.Load(9, 4, 0.5) : Endpoint.Load.IDLE, Map.of(), List.of());
            endpoints.add(e);
            if (!expired && !saturated) {
                published.put(e.address(), e.score());
            }
        }
        snapshot.set(new PoolSnapshot(POOL, endpoints));
        double penalty = 0.05;
        ScorePicker picker = new ScorePicker(PickerSettings.defaults().withPendingPenalty(penalty), key -> snapshot.get(),
                () -> BackendPolicies.NONE, CLOCK, () -> random);
        Map<String, Integer> pending = new HashMap<>();

        for (int pick = 0; pick < 3000; pick++) {
            List<String> answer = picked(picker.pick(request()));

            List<String> expected = published.keySet().stream()
                    .sorted(java.util.Comparator.comparingDouble(
                            (String a) -> published.get(a) - penalty * pending.getOrDefault(a, 0)).reversed())
                    .limit(3).toList();
            assertThat(answer).as("pick %d", pick).isEqualTo(expected);
            pending.merge(answer.getFirst(), 1, Integer::sum);
            picker.finished(POOL, answer.getFirst());
        }
    }

    @Test
    void shouldSpreadTiesAtRandom() {
        pool(endpoint(1, 2.0), endpoint(2, 2.0), endpoint(3, 2.0), endpoint(4, 1.0));
        ScorePicker picker = picker(Strategy.MAX_SCORE);
        Map<String, Integer> counts = new HashMap<>();

        for (int i = 0; i < 3000; i++) {
            String primary = picked(picker.pick(request())).getFirst();
            picker.finished(POOL, primary);
            counts.merge(primary, 1, Integer::sum);
        }

        assertThat(counts).containsOnlyKeys("10.0.0.1:8000", "10.0.0.2:8000", "10.0.0.3:8000");
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(850, 1150));
    }

    @Test
    void shouldDrawInProportionToScoreWhenWeighted() {
        pool(endpoint(1, 1.0), endpoint(2, 3.0));
        ScorePicker picker = picker(Strategy.WEIGHTED_RANDOM);
        int second = 0;

        for (int i = 0; i < 4000; i++) {
            if (picked(picker.pick(request())).getFirst().equals("10.0.0.2:8000")) {
                second++;
            }
        }

        assertThat(second / 4000.0).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void shouldNeverPickTheWorstOfThePoolWithTwoChoices() {
        pool(endpoint(1, 1.0), endpoint(2, 2.0), endpoint(3, 3.0));
        ScorePicker picker = picker(Strategy.POWER_OF_TWO);

        Map<String, Integer> counts = primaries(picker, 3000);

        assertThat(counts).doesNotContainKey("10.0.0.1:8000");
        assertThat(counts.get("10.0.0.3:8000")).as("the best wins both pairs it is drawn in: 2/3").isBetween(1850, 2150);
    }

    @Test
    void shouldDrawInProportionToScoreFromAPoolLargerThanTheAnswer() {
        // Six endpoints and an answer of three: the pick draws from the group instead of weighing every endpoint.
        pool(endpoint(1, 1.0), endpoint(2, 2.0), endpoint(3, 3.0), endpoint(4, 4.0), endpoint(5, 5.0), endpoint(6, 6.0));
        ScorePicker picker = picker(Strategy.WEIGHTED_RANDOM);

        Map<String, Integer> counts = primaries(picker, 21_000);

        for (int n = 1; n <= 6; n++) {
            assertThat(counts.get("10.0.0." + n + ":8000")).as("score %d of 21", n).isCloseTo(n * 1000, withinPercentage(8));
        }
    }

    @Test
    void shouldWeighByTheScoreLeftAfterThePendingPenalty() {
        SplittableRandom seeded = new SplittableRandom(5);
        ScorePicker picker = new ScorePicker(PickerSettings.defaults().withStrategy(Strategy.WEIGHTED_RANDOM)
                .withPendingPenalty(100), key -> snapshot.get(), () -> BackendPolicies.NONE, CLOCK, () -> seeded);

        for (int round = 0; round < 50; round++) {
            // A new snapshot each round: its scores include the earlier picks, so nothing is pending.
            pool(endpoint(1, 10), endpoint(2, 20), endpoint(3, 30), endpoint(4, 40), endpoint(5, 50), endpoint(6, 60));
            List<String> primaries = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                primaries.add(picked(picker.pick(request())).getFirst());
            }

            assertThat(primaries).as("one pending pick takes an endpoint's whole weight until the scores change")
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldTakeTheBetterOfTwoDistinctDrawsFromAPoolLargerThanTheAnswer() {
        pool(endpoint(1, 1.0), endpoint(2, 2.0), endpoint(3, 3.0), endpoint(4, 4.0), endpoint(5, 5.0), endpoint(6, 6.0));
        ScorePicker picker = picker(Strategy.POWER_OF_TWO);

        Map<String, Integer> counts = primaries(picker, 15_000);

        assertThat(counts).as("the worst is never the better of two").doesNotContainKey("10.0.0.1:8000");
        for (int n = 2; n <= 6; n++) {
            // Of the 15 pairs, the n-th best of six wins the n-1 pairs with a worse one.
            assertThat(counts.get("10.0.0." + n + ":8000")).as("rank %d", n).isCloseTo((n - 1) * 1000, withinPercentage(10));
        }
    }

    @Test
    void shouldKeepToTheSubsetHintByAddressOrIp() {
        pool(endpoint(1, 3.0), endpoint(2, 2.0), endpoint(3, 1.0));
        ScorePicker picker = picker(Strategy.MAX_SCORE);

        assertThat(picked(picker.pick(new PickRequest(POOL, "", 0, Set.of("10.0.0.3:8000", "10.0.0.2")))))
                .containsExactly("10.0.0.2:8000", "10.0.0.3:8000");
        PickResult none = picker.pick(new PickRequest(POOL, "", 0, Set.of("10.9.9.9:8000")));
        assertThat(none).isInstanceOfSatisfying(PickResult.Unavailable.class,
                u -> assertThat(u.reason()).contains("3 outside the subset hint [10.9.9.9:8000]"));
    }

    @Test
    void shouldShedOnlySheddableRequestsWhenSaturated() {
        Endpoint.Load queued = new Endpoint.Load(5, 8, 0.5);
        Endpoint.Load fullCache = new Endpoint.Load(0, 8, 0.85);
        pool(endpoint(1, 1.0, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), queued, Map.of(), List.of()),
                endpoint(2, 2.0, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), fullCache, Map.of(), List.of()));
        ScorePicker picker = picker(Strategy.MAX_SCORE);

        assertThat(picker.pick(new PickRequest(POOL, "", -1, Set.of())))
                .isInstanceOfSatisfying(PickResult.Shed.class, s -> assertThat(s.reason()).contains("saturated"));
        assertThat(picked(picker.pick(new PickRequest(POOL, "", 0, Set.of())))).startsWith("10.0.0.2:8000");
    }

    @Test
    void shouldPreferAnEndpointWithCapacityOverABetterScoredSaturatedOne() {
        pool(endpoint(1, 1.0), endpoint(2, 5.0, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), new Endpoint.Load(9, 8, 0.5),
                Map.of(), List.of()));

        assertThat(picked(picker(Strategy.MAX_SCORE).pick(new PickRequest(POOL, "", -1, Set.of()))))
                .containsExactly("10.0.0.1:8000", "10.0.0.2:8000");
    }

    @Test
    void shouldAnswerUnavailableWhenNoEndpointIsReady() {
        ScorePicker picker = picker(Strategy.MAX_SCORE);
        assertThat(picker.pick(request())).isInstanceOfSatisfying(PickResult.Unavailable.class,
                u -> assertThat(u.reason()).isEqualTo("no endpoint of pool c1/llm/vllm is known"));

        pool(endpoint(1, 3.0, Endpoint.Health.STALE, NOW.plusSeconds(2), Endpoint.Load.IDLE, Map.of(), List.of()),
                endpoint(2, 2.0, Endpoint.Health.FAILING, NOW.plusSeconds(2), Endpoint.Load.IDLE, Map.of(), List.of()),
                endpoint(3, 1.0, Endpoint.Health.HEALTHY, NOW, Endpoint.Load.IDLE, Map.of(), List.of()));

        assertThat(picker.pick(new PickRequest(POOL, "", -1, Set.of()))).isInstanceOfSatisfying(PickResult.Unavailable.class,
                u -> assertThat(u.reason()).contains("3 known, 3 unhealthy or stale"));
    }

    @Test
    void shouldPreferAnEndpointWithTheRequestedLoraAdapter() {
        pool(endpoint(1, 2.0), endpoint(2, 1.5, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), Endpoint.Load.IDLE, Map.of(),
                List.of("sql-lora")));
        ScorePicker picker = picker(Strategy.MAX_SCORE);

        assertThat(picked(picker.pick(new PickRequest(POOL, "sql-lora", 0, Set.of()))).getFirst()).isEqualTo("10.0.0.2:8000");
        assertThat(picked(picker.pick(new PickRequest(POOL, "base", 0, Set.of()))).getFirst()).isEqualTo("10.0.0.1:8000");
    }

    @Test
    void shouldApplyBackendPolicyScopes() {
        Map<String, String> west = Map.of("gke.io/region", "us-west2");
        Map<String, String> central = Map.of("gke.io/region", "us-central1");
        BackendPolicy policy = new BackendPolicy("p", "", "vllm", BackendSettings.NONE, List.of(
                new Scope(Map.of("gke.io/region", "us-west2"), new BackendSettings(null, null, 0, null, null)),
                new Scope(Map.of("gke.io/region", "us-central1"), new BackendSettings(BackendSettings.Preference.PREFERRED,
                        BackendSettings.BalancingMode.IN_FLIGHT, null, 1, null))));
        pool(endpoint(1, 9.0, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), Endpoint.Load.IDLE, west, List.of()),
                endpoint(2, 1.0, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), Endpoint.Load.IDLE, central, List.of()),
                endpoint(3, 5.0, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), Endpoint.Load.IDLE, Map.of(), List.of()));
        ScorePicker picker = picker(Strategy.MAX_SCORE, policy);

        List<String> first = picked(picker.pick(request()));
        assertThat(first).as("preferred first; the drained one never, not even as a fallback")
                .containsExactly("10.0.0.2:8000", "10.0.0.3:8000");
        assertThat(picked(picker.pick(request())).getFirst()).as("its one in-flight slot is taken: spill over")
                .isEqualTo("10.0.0.3:8000");
        picker.finished(POOL, "10.0.0.2:8000");
        assertThat(picked(picker.pick(request())).getFirst()).as("released").isEqualTo("10.0.0.2:8000");
    }

    @Test
    void shouldApplyANewPolicySetWithoutANewSnapshotAndKeepInFlightCounts() {
        Map<String, String> west = Map.of("gke.io/region", "us-west2");
        pool(endpoint(1, 9.0, Endpoint.Health.HEALTHY, NOW.plusSeconds(2), Endpoint.Load.IDLE, west, List.of()),
                endpoint(2, 1.0));
        AtomicReference<BackendPolicies> policies = new AtomicReference<>(BackendPolicies.NONE);
        ScorePicker picker = new ScorePicker(PickerSettings.defaults(), key -> snapshot.get(), policies::get, CLOCK,
                () -> new SplittableRandom(1));
        assertThat(picked(picker.pick(request())).getFirst()).isEqualTo("10.0.0.1:8000");

        policies.set(BackendPolicies.of(List.of(new BackendPolicy("p", "llm", "vllm", BackendSettings.NONE, List.of(
                new Scope(west, new BackendSettings(null, BackendSettings.BalancingMode.IN_FLIGHT, null, 1, null)))))));

        assertThat(picked(picker.pick(request()))).as("the pick before the policy holds its one slot: saturated, spill over")
                .containsExactly("10.0.0.2:8000", "10.0.0.1:8000");
        picker.finished(POOL, "10.0.0.1:8000");
        assertThat(picked(picker.pick(request())).getFirst()).isEqualTo("10.0.0.1:8000");

        policies.set(BackendPolicies.of(List.of(new BackendPolicy("p", "llm", "vllm", BackendSettings.NONE, List.of(
                new Scope(west, new BackendSettings(null, null, 0, null, null)))))));

        assertThat(picked(picker.pick(request()))).as("drained by the newer policy").containsExactly("10.0.0.2:8000");
    }

    @Test
    void shouldHonourTheMaxRatePerEndpoint() {
        BackendPolicy policy = new BackendPolicy("p", "", "vllm", new BackendSettings(null, null, null, null, 3.0), List.of());
        pool(endpoint(1, 2.0), endpoint(2, 1.0));
        ScorePicker picker = picker(Strategy.MAX_SCORE, policy);
        List<String> primaries = new ArrayList<>();

        for (int i = 0; i < 5; i++) {
            String primary = picked(picker.pick(request())).getFirst();
            picker.finished(POOL, primary);
            primaries.add(primary);
        }

        assertThat(primaries).containsExactly("10.0.0.1:8000", "10.0.0.1:8000", "10.0.0.1:8000", "10.0.0.2:8000",
                "10.0.0.2:8000");
    }

    @Test
    void shouldNeverReturnAnUnhealthyStaleRemovedDrainedOrOutOfSubsetEndpoint() {
        // Random pools, swapped for another at random, picked from several times each (so in-flight counts, pending
        // penalties and carried-over counters are in play), with random subset hints, LoRA requests and priorities.
        SplittableRandom random = new SplittableRandom(7);
        Map<String, String> drainedCluster = Map.of("gke.io/cluster-name", "drained");
        BackendPolicies policies = BackendPolicies.of(List.of(new BackendPolicy("p", "", "vllm", BackendSettings.NONE,
                List.of(new Scope(drainedCluster, new BackendSettings(null, null, 0, null, null))))));
        for (Strategy strategy : Strategy.values()) {
            ScorePicker picker = new ScorePicker(PickerSettings.defaults().withStrategy(strategy), key -> snapshot.get(),
                    () -> policies, CLOCK, () -> random);
            for (int round = 0; round < 400; round++) {
                List<Endpoint> endpoints = new ArrayList<>();
                Map<String, Boolean> mayTake = new HashMap<>();
                int size = random.nextInt(1, 60);
                for (int n = 0; n < size; n++) {
                    if (random.nextInt(5) == 0) {
                        continue; // removed in this snapshot
                    }
                    Endpoint.Health health = Endpoint.Health.values()[random.nextInt(4) % 3];
                    Instant expires = NOW.plusMillis(random.nextInt(-500, 2000));
                    Endpoint.Load load = new Endpoint.Load(random.nextInt(7), random.nextInt(8), random.nextDouble());
                    boolean drained = random.nextInt(8) == 0;
                    endpoints.add(endpoint(n, random.nextDouble(-0.5, 4), health, expires, load,
                            drained ? drainedCluster : Map.of(), random.nextBoolean() ? List.of("sql-lora") : List.of()));
                    if (health == Endpoint.Health.HEALTHY && expires.isAfter(NOW) && !drained) {
                        mayTake.put("10.0.0." + n + ":8000", load.waiting() < 5 && load.kvCacheUsage() < 0.8);
                    }
                }
                snapshot.set(new PoolSnapshot(POOL, endpoints));
                for (int pick = 0; pick < 5; pick++) {
                    Set<String> subset = random.nextInt(4) == 0
                            ? Set.of("10.0.0." + random.nextInt(size) + ":8000", "10.0.0." + random.nextInt(size)) : Set.of();
                    Map<String, Boolean> allowed = new HashMap<>(mayTake);
                    allowed.keySet().removeIf(a -> !subset.isEmpty() && !subset.contains(a) && !subset.contains(a.split(":")[0]));
                    PickRequest request = new PickRequest(POOL, random.nextBoolean() ? "sql-lora" : "", random.nextInt(-1, 2), subset);

                    PickResult result = picker.pick(request);

                    switch (result) {
                        case PickResult.Picked p -> {
                            assertThat(allowed.keySet()).containsAll(p.endpoints());
                            assertThat(p.endpoints()).doesNotHaveDuplicates().hasSize(Math.min(3, allowed.size()));
                            if (allowed.containsValue(true)) {
                                assertThat(allowed.get(p.primary())).as("an endpoint with capacity is chosen first").isTrue();
                            }
                            if (random.nextBoolean()) {
                                picker.finished(POOL, p.primary());
                            }
                        }
                        case PickResult.Shed shed -> {
                            assertThat(request.sheddable()).isTrue();
                            assertThat(allowed).isNotEmpty().doesNotContainValue(true);
                        }
                        case PickResult.Unavailable unavailable -> assertThat(allowed).isEmpty();
                    }
                }
            }
        }
    }
}
