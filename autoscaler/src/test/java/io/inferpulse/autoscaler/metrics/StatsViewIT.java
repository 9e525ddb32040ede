package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.model;
import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory pool-stats and model-stats tables on a real broker. */
class StatsViewIT {
    private static StatsStack stack;

    @BeforeAll
    static void start() {
        stack = new StatsStack();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void shouldLoadTheLatestValuePerKeyBeforeBecomingReadyThenFollowUpdatesAndTombstones() throws Exception {
        // given: history written before the view starts, with an older and a newer value of one pool
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        stack.send(pool("c1", "default", "pool-a", t0, 0.10, 1, 2));
        stack.send(pool("c1", "default", "pool-a", t0.plusSeconds(1), 0.40, 3, 2));
        stack.send(pool("c1", "team", "pool-b", t0, 0.70, 5, 4));
        stack.send(model("llama", "", t0, 1.5, 0.02));

        try (StatsView view = StatsView.start(stack.kafka(), stack.topics, "it-view")) {
            // when: it has read what was there
            await().atMost(Duration.ofSeconds(30)).until(() -> view.notReady().isEmpty());

            // then: every key holds its latest value, already when the view says it is ready
            assertThat(view.pools()).extracting(PoolStats::getPool, PoolStats::getAverageKvCacheUtilization)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("pool-a", 0.40),
                            org.assertj.core.groups.Tuple.tuple("pool-b", 0.70));
            assertThat(view.models()).extracting(ModelStats::getModelName).containsExactly("llama");

            // when: a pool is updated and another deleted
            stack.send(pool("c1", "default", "pool-a", t0.plusSeconds(2), 0.95, 7, 3));
            stack.deletePool("c1", "team", "pool-b");

            // then: the view follows
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(view.pools()).extracting(PoolStats::getPool, PoolStats::getAverageKvCacheUtilization)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple("pool-a", 0.95)));
            assertThat(view.notLive()).isEmpty();
        }
    }
}
