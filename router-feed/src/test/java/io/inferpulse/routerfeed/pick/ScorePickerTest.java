package io.inferpulse.routerfeed.pick;

import static org.assertj.core.api.Assertions.assertThat;

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
        return new ScorePicker(PickerSettings.defaults().withStrategy(strategy), key -> key.equals(POOL) ? snapshot.get() : null,
                key -> policy, CLOCK, () -> seeded);
    }

    private static PickRequest request() {
        return new PickRequest(POOL, "", 0, Set.of());
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
        Map<String, Integer> counts = new HashMap<>();

        for (int i = 0; i < 3000; i++) {
            counts.merge(picked(picker.pick(request())).getFirst(), 1, Integer::sum);
        }

        assertThat(counts).doesNotContainKey("10.0.0.1:8000");
        assertThat(counts.get("10.0.0.3:8000")).as("the best wins both pairs it is drawn in: 2/3").isBetween(1850, 2150);
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
        BackendPolicy policy = new BackendPolicy("p", "vllm", BackendSettings.NONE, List.of(
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
    void shouldHonourTheMaxRatePerEndpoint() {
        BackendPolicy policy = new BackendPolicy("p", "vllm", new BackendSettings(null, null, null, null, 3.0), List.of());
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
    void shouldNeverReturnAnUnhealthyStaleOrRemovedEndpoint() {
        SplittableRandom random = new SplittableRandom(7);
        for (Strategy strategy : Strategy.values()) {
            ScorePicker picker = picker(strategy);
            for (int round = 0; round < 500; round++) {
                List<Endpoint> endpoints = new ArrayList<>();
                Set<String> allowed = new java.util.HashSet<>();
                for (int n = 0; n < 12; n++) {
                    if (random.nextInt(4) == 0) {
                        continue; // removed in this snapshot
                    }
                    Endpoint.Health health = Endpoint.Health.values()[random.nextInt(3)];
                    Instant expires = NOW.plusMillis(random.nextInt(-1000, 1000));
                    Endpoint.Load load = new Endpoint.Load(random.nextInt(8), random.nextInt(8), random.nextDouble());
                    endpoints.add(endpoint(n, random.nextDouble(), health, expires, load, Map.of(), List.of()));
                    if (health == Endpoint.Health.HEALTHY && expires.isAfter(NOW)) {
                        allowed.add("10.0.0." + n + ":8000");
                    }
                }
                snapshot.set(new PoolSnapshot(POOL, endpoints));

                PickResult result = picker.pick(new PickRequest(POOL, "", random.nextInt(-1, 2), Set.of()));

                if (result instanceof PickResult.Picked p) {
                    assertThat(allowed).containsAll(p.endpoints());
                    assertThat(p.endpoints()).doesNotHaveDuplicates();
                    p.endpoints().forEach(e -> picker.finished(POOL, e));
                } else if (result instanceof PickResult.Unavailable) {
                    assertThat(allowed).isEmpty();
                } else {
                    assertThat(allowed).isNotEmpty();
                }
            }
        }
    }
}
