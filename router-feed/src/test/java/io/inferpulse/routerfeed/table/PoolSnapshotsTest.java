package io.inferpulse.routerfeed.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PoolSnapshotsTest {
    private static final String POOL_A = "c1/ns/pool-a";
    private static final String POOL_B = "c1/ns/pool-b";
    private static final Consumer<PoolSnapshot> NO_LISTENER = snapshot -> { };

    private static Endpoint endpoint(String pod, String poolKey, double score) {
        String cluster = poolKey.substring(0, poolKey.indexOf('/'));
        Instant sampled = Instant.parse("2026-01-01T00:00:00Z");
        return new Endpoint(cluster + "/ns/" + pod + ":8000", "10.0.0." + pod.substring(pod.indexOf('-') + 1) + ":8000", pod, poolKey, score,
                Map.of("queue", score), Endpoint.Health.HEALTHY, Map.of("gke.io/zone", "z1"), List.of(), Endpoint.Load.IDLE, sampled,
                sampled.plusSeconds(2));
    }

    private static List<String> keys(PoolSnapshot pool) {
        return pool.endpoints().stream().map(Endpoint::key).toList();
    }

    @Test
    void shouldReplaceAnEndpointWithItsLatestUpdate() {
        PoolSnapshots state = new PoolSnapshots();
        state.put(endpoint("pod-1", POOL_A, 0.2));
        state.publish(NO_LISTENER);

        state.put(endpoint("pod-1", POOL_A, 0.9));
        Map<String, PoolSnapshot> pools = state.publish(NO_LISTENER);

        assertThat(pools.get(POOL_A).endpoints()).singleElement().extracting(Endpoint::score).isEqualTo(0.9);
    }

    @Test
    void shouldRemoveAnEndpointOnTombstone() {
        PoolSnapshots state = new PoolSnapshots();
        state.put(endpoint("pod-1", POOL_A, 0.2));
        state.put(endpoint("pod-2", POOL_A, 0.3));
        state.publish(NO_LISTENER);

        state.remove("c1/ns/pod-1:8000");
        Map<String, PoolSnapshot> pools = state.publish(NO_LISTENER);

        assertThat(keys(pools.get(POOL_A))).containsExactly("c1/ns/pod-2:8000");
    }

    @Test
    void shouldDropAPoolWhoseLastEndpointLeft() {
        PoolSnapshots state = new PoolSnapshots();
        state.put(endpoint("pod-1", POOL_A, 0.2));
        state.put(endpoint("pod-2", POOL_B, 0.3));
        state.publish(NO_LISTENER);

        state.remove("c1/ns/pod-1:8000");
        Map<String, PoolSnapshot> pools = state.publish(NO_LISTENER);

        assertThat(pools).containsOnlyKeys(POOL_B);
    }

    @Test
    void shouldIgnoreATombstoneForAnUnknownEndpoint() {
        PoolSnapshots state = new PoolSnapshots();
        state.put(endpoint("pod-1", POOL_A, 0.2));
        Map<String, PoolSnapshot> before = state.publish(NO_LISTENER);

        state.remove("c1/ns/never-seen:8000");

        assertThat(state.publish(NO_LISTENER)).isSameAs(before);
    }

    @Test
    void shouldOrderEndpointsByKeyWhateverTheArrivalOrder() {
        PoolSnapshots forward = new PoolSnapshots();
        PoolSnapshots backward = new PoolSnapshots();
        List<Endpoint> endpoints = List.of(endpoint("pod-3", POOL_A, 0.1), endpoint("pod-1", POOL_A, 0.5),
                endpoint("pod-2", POOL_A, 0.9));
        endpoints.forEach(forward::put);
        endpoints.reversed().forEach(backward::put);

        PoolSnapshot pool = forward.publish(NO_LISTENER).get(POOL_A);

        assertThat(keys(pool)).containsExactly("c1/ns/pod-1:8000", "c1/ns/pod-2:8000", "c1/ns/pod-3:8000");
        assertThat(pool).isEqualTo(backward.publish(NO_LISTENER).get(POOL_A));
    }

    @Test
    void shouldMoveAnEndpointThatChangedPool() {
        PoolSnapshots state = new PoolSnapshots();
        state.put(endpoint("pod-1", POOL_A, 0.2));
        state.put(endpoint("pod-2", POOL_A, 0.2));
        state.publish(NO_LISTENER);

        state.put(endpoint("pod-1", POOL_B, 0.2));
        Map<String, PoolSnapshot> pools = state.publish(NO_LISTENER);

        assertThat(keys(pools.get(POOL_A))).containsExactly("c1/ns/pod-2:8000");
        assertThat(keys(pools.get(POOL_B))).containsExactly("c1/ns/pod-1:8000");
    }

    @Test
    void shouldKeepUnchangedPoolsAndLeaveEarlierSnapshotsAsTheyWere() {
        PoolSnapshots state = new PoolSnapshots();
        state.put(endpoint("pod-1", POOL_A, 0.2));
        state.put(endpoint("pod-2", POOL_B, 0.2));
        Map<String, PoolSnapshot> first = state.publish(NO_LISTENER);

        state.put(endpoint("pod-3", POOL_A, 0.4));
        Map<String, PoolSnapshot> second = state.publish(NO_LISTENER);

        assertThat(second.get(POOL_B)).isSameAs(first.get(POOL_B));
        assertThat(keys(first.get(POOL_A))).containsExactly("c1/ns/pod-1:8000");
        assertThat(keys(second.get(POOL_A))).containsExactly("c1/ns/pod-1:8000", "c1/ns/pod-3:8000");
    }
}
