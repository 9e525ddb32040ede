package io.inferpulse.streams.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class RequestWindowsTest {
    private static final RequestStatsSettings SETTINGS = new RequestStatsSettings(Duration.ofSeconds(10), Duration.ofSeconds(2),
            Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10), 0.01);

    @Test
    void shouldGoOnFromTheLastClosedInstantAfterARestart() {
        // given a task that counted one request a second and closed the instants up to 14 s
        KeyValueStore<String, RequestBucket> store = store();
        RequestWindows windows = new RequestWindows(SETTINGS, store);
        for (long t = 1_000; t <= 13_000; t += 1_000) {
            windows.add("pool", t, false, 0.1, 1L, 1L);
        }
        List<RequestStats> before = new ArrayList<>();
        windows.closeUpTo(14_000, (series, stats) -> before.add(stats));
        assertThat(before).extracting(RequestStats::windowEndMs).containsExactly(2_000L, 4_000L, 6_000L, 8_000L, 10_000L,
                12_000L, 14_000L);

        // when the task restarts on the same store (Kafka Streams restores it from the changelog)
        RequestWindows restarted = new RequestWindows(SETTINGS, store);

        // then a record for a closed instant is still late, and the next close evaluates only the instants after 14 s
        assertThat(restarted.late(13_000)).isTrue();
        assertThat(restarted.late(14_500)).isFalse();
        List<RequestStats> after = new ArrayList<>();
        restarted.closeUpTo(16_000, (series, stats) -> after.add(stats));
        assertThat(after).extracting(RequestStats::windowEndMs).containsExactly(16_000L);
        // and its window holds every request of (6 s, 16 s], as an uninterrupted task's would
        assertThat(after.getFirst().requestCount()).isEqualTo(7);
    }

    private static KeyValueStore<String, RequestBucket> store() {
        KeyValueStore<String, RequestBucket> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("buckets"),
                Serdes.String(), RequestBucket.serde()).withLoggingDisabled().build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }
}
