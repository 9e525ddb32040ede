package io.inferpulse.devstack.fleet;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingPolicyTest {

    private static final PodState A = pod("a", 2, 0, 0.1);
    private static final PodState B = pod("b", 2, 0, 0.1);
    private static final PodState C = pod("c", 2, 0, 0.1);

    @Test
    void roundRobinVisitsEachPodInTurn() {
        // given
        RoutingPolicy policy = RoutingPolicy.roundRobin();
        List<PodState> pods = List.of(A, B, C);

        // when
        List<String> chosen = LongStream.range(0, 6).mapToObj(seq -> policy.choose(pods, seq).pod()).toList();

        // then
        assertThat(chosen).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void leastQueuePrefersFewerWaitingThenFewerRunningThenLessCache() {
        // given
        RoutingPolicy policy = RoutingPolicy.leastQueue();
        PodState queued = pod("queued", 1, 3, 0.1);
        PodState busy = pod("busy", 9, 0, 0.1);
        PodState full = pod("full", 2, 0, 0.9);
        PodState best = pod("best", 2, 0, 0.2);

        // when / then
        for (long seq = 0; seq < 4; seq++) {
            assertThat(policy.choose(List.of(queued, busy, full, best), seq)).isEqualTo(best);
        }
    }

    @Test
    void leastQueueRotatesAmongEquallyLoadedPods() {
        // given
        RoutingPolicy policy = RoutingPolicy.leastQueue();

        // when
        List<String> chosen = LongStream.range(0, 3)
                .mapToObj(seq -> policy.choose(List.of(A, B, C), seq).pod())
                .toList();

        // then
        assertThat(chosen).containsExactly("a", "b", "c");
    }

    private static PodState pod(String name, int running, int waiting, double kvCacheUsage) {
        return new PodState("default", "pool-0", name, "llama3-8b", running, waiting, kvCacheUsage, 0);
    }
}
