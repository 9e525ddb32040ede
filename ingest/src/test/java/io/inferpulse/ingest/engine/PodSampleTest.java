package io.inferpulse.ingest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PodSampleTest {

    @Test
    void shouldAcceptBoundaryValues() {
        PodSample sample = sample(0.0, OptionalDouble.of(1.0), OptionalDouble.of(0.0));

        assertThat(sample.kvCacheUsageRatio()).hasValue(1.0);
        assertThat(sample.requestsWaiting()).hasValue(0.0);
    }

    @Test
    void shouldRejectKvCacheRatioOutsideZeroToOne() {
        assertThatThrownBy(() -> sample(0.1, OptionalDouble.of(1.01), OptionalDouble.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kvCacheUsageRatio");
        assertThatThrownBy(() -> sample(0.1, OptionalDouble.of(-0.01), OptionalDouble.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sample(0.1, OptionalDouble.of(Double.NaN), OptionalDouble.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectNegativeNaNOrInfiniteRequestCounts() {
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> sample(0.1, OptionalDouble.empty(), OptionalDouble.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestsWaiting");
        }
    }

    @Test
    void shouldRejectNegativeNaNOrInfiniteScrapeDuration() {
        for (double bad : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> sample(bad, OptionalDouble.empty(), OptionalDouble.empty()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scrapeDurationSeconds");
        }
    }

    @Test
    void shouldRejectBlankEngine() {
        assertThatThrownBy(() -> new PodSample("c", "ns", "pool", "pod", "10.0.0.1:8000", " ", Instant.EPOCH, 0,
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), Map.of(), Map.of(), List.of(), PodStatus.UP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("engine");
    }

    @Test
    void shouldCopyMapsAndListsDefensively() {
        Map<String, String> cacheConfig = new HashMap<>(Map.of("block_size", "16"));
        List<String> running = new ArrayList<>(List.of("a"));
        PodSample sample = new PodSample("c", "ns", "pool", "pod", "10.0.0.1:8000", "vllm", Instant.EPOCH, 0,
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(),
                Optional.of(new Lora(1, running, List.of())), cacheConfig, Map.of(), List.of(), PodStatus.UP);

        cacheConfig.put("block_size", "32");
        running.add("b");

        assertThat(sample.cacheConfig()).containsEntry("block_size", "16");
        assertThat(sample.lora().orElseThrow().runningAdapters()).containsExactly("a");
    }

    @Test
    void shouldRejectNegativeMaxLora() {
        assertThatThrownBy(() -> new Lora(-1, List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCopyPodIdentityLabels() {
        Map<String, String> labels = new HashMap<>(Map.of("app", "vllm"));
        PodIdentity who = new PodIdentity("c", "ns", "pool", "pod", "10.0.0.1:8000", labels);

        labels.clear();

        assertThat(who.labels()).containsEntry("app", "vllm");
    }

    private static PodSample sample(double scrapeDuration, OptionalDouble kvCache, OptionalDouble waiting) {
        return new PodSample("c", "ns", "pool", "pod", "10.0.0.1:8000", "vllm", Instant.EPOCH, scrapeDuration,
                kvCache, waiting, OptionalDouble.empty(), Optional.empty(), Map.of(), Map.of(), List.of(), PodStatus.UP);
    }
}
