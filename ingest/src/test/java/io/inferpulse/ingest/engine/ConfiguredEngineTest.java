package io.inferpulse.ingest.engine;

import static io.inferpulse.ingest.engine.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfiguredEngineTest {

    private static final FieldSpec QUEUE = FieldSpec.sum("foo_queue");
    private static final FieldSpec RUNNING = FieldSpec.sum("foo_running");
    private static final FieldSpec KV_PERCENT = new FieldSpec("foo_kv_used_percent", Map.of(), Aggregation.MAX, 0.01);

    @Test
    void shouldScalePercentToRatio() {
        PodSample sample = map(engine(QUEUE, RUNNING, KV_PERCENT), """
                foo_queue 3
                foo_running 9
                foo_kv_used_percent{shard="0"} 41.5
                foo_kv_used_percent{shard="1"} 63.0
                """);

        assertThat(sample.engine()).isEqualTo("foo");
        assertThat(sample.requestsWaiting()).hasValue(3.0);
        assertThat(sample.requestsRunning()).hasValue(9.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.63);
    }

    @Test
    void shouldCountOnlySeriesMatchingEveryLabelOfTheFilter() {
        FieldSpec waiting = new FieldSpec("foo_requests", Map.of("kind", "waiting", "shard", "0"), Aggregation.SUM, 1.0);
        FieldSpec running = new FieldSpec("foo_requests", Map.of("kind", "running"), Aggregation.SUM, 1.0);
        PodSample sample = map(engine(waiting, running, KV_PERCENT), """
                foo_requests{kind="waiting",shard="0",model="a"} 2
                foo_requests{kind="waiting",shard="0",model="b"} 3
                foo_requests{kind="waiting",shard="1",model="a"} 100
                foo_requests{kind="waiting",model="a"} 1000
                foo_requests{kind="running",shard="0"} 4
                foo_requests{kind="running",shard="1"} 6
                foo_requests{kind="Running",shard="1"} 500
                foo_requests_total{kind="waiting",shard="0"} 10000
                """);

        assertThat(sample.requestsWaiting()).hasValue(5.0);
        assertThat(sample.requestsRunning()).hasValue(10.0);
        assertThat(sample.kvCacheUsageRatio()).isEmpty();
    }

    @Test
    void shouldMatchAnEmptyFilterValueToAnAbsentLabel() {
        FieldSpec unsharded = new FieldSpec("foo_queue", Map.of("shard", ""), Aggregation.SUM, 1.0);
        PodSample sample = map(engine(unsharded, RUNNING, KV_PERCENT), """
                foo_queue 1
                foo_queue{shard=""} 2
                foo_queue{shard="0"} 40
                """);

        assertThat(sample.requestsWaiting()).hasValue(3.0);
    }

    @Test
    void shouldTakeTheMaximumWhenConfiguredSo() {
        FieldSpec waiting = new FieldSpec("foo_queue", Map.of(), Aggregation.MAX, 1.0);
        PodSample sample = map(engine(waiting, RUNNING, KV_PERCENT), """
                foo_queue{replica="a"} 4
                foo_queue{replica="b"} 6
                """);

        assertThat(sample.requestsWaiting()).hasValue(6.0);
    }

    @Test
    void shouldCountReplicaSeriesOnceAndAddUpTheRest() {
        FieldSpec waiting = new FieldSpec("foo_queue", Map.of(), Aggregation.SUM, 1.0, Set.of("rank"));
        PodSample sample = map(engine(waiting, RUNNING, KV_PERCENT), """
                foo_queue{group="0",rank="0"} 4
                foo_queue{group="0",rank="1"} 4
                foo_queue{group="1",rank="2"} 2
                foo_queue{group="1",rank="3"} NaN
                """);

        assertThat(sample.requestsWaiting()).hasValue(6.0);
    }

    @Test
    void shouldFeedSeveralFieldsFromOneMetric() {
        FieldSpec waiting = new FieldSpec("foo", Map.of("t", "w"), Aggregation.SUM, 1.0);
        FieldSpec running = new FieldSpec("foo", Map.of("t", "r"), Aggregation.SUM, 1.0);
        FieldSpec kv = new FieldSpec("foo", Map.of("t", "kv"), Aggregation.MAX, 1.0);
        PodSample sample = map(engine(waiting, running, kv), """
                foo{t="w"} 1
                foo{t="r"} 2
                foo{t="kv"} 0.5
                """);

        assertThat(sample.requestsWaiting()).hasValue(1.0);
        assertThat(sample.requestsRunning()).hasValue(2.0);
        assertThat(sample.kvCacheUsageRatio()).hasValue(0.5);
    }

    @Test
    void shouldTreatNaNSeriesAsMissingAndAllNaNAsNoValue() {
        PodSample sample = map(engine(QUEUE, RUNNING, KV_PERCENT), """
                foo_queue{shard="0"} NaN
                foo_queue{shard="1"} 2
                foo_running NaN
                """);

        assertThat(sample.requestsWaiting()).hasValue(2.0);
        assertThat(sample.requestsRunning()).isEmpty();
        assertThat(sample.kvCacheUsageRatio()).isEmpty();
    }

    @Test
    void shouldDropImpossibleValuesButKeepTheOthers() {
        PodSample sample = map(engine(QUEUE, RUNNING, KV_PERCENT), """
                foo_queue -1
                foo_running +Inf
                foo_kv_used_percent 120
                """);

        assertThat(sample.requestsWaiting()).isEmpty();
        assertThat(sample.requestsRunning()).isEmpty();
        assertThat(sample.kvCacheUsageRatio()).isEmpty();

        PodSample valid = map(engine(QUEUE, RUNNING, KV_PERCENT), """
                foo_queue -1
                foo_running 2
                foo_kv_used_percent 100
                """);
        assertThat(valid.requestsRunning()).hasValue(2.0);
        assertThat(valid.kvCacheUsageRatio()).hasValue(1.0);
    }

    @Test
    void shouldReportNegativeZeroAsZero() {
        PodSample sample = map(engine(QUEUE, RUNNING, KV_PERCENT), """
                foo_queue -0
                foo_kv_used_percent -0.0
                """);

        assertThat(Double.doubleToRawLongBits(sample.requestsWaiting().orElseThrow())).isZero();
        assertThat(Double.doubleToRawLongBits(sample.kvCacheUsageRatio().orElseThrow())).isZero();
    }

    @Test
    void shouldReadCacheConfigFromTheFirstSeries() {
        EngineSpec spec = new EngineSpec("foo", QUEUE, RUNNING, KV_PERCENT, Optional.of("foo_cache_info"), Optional.empty());
        PodSample sample = map(new ConfiguredEngine(spec), """
                foo_cache_info{block_size="32",blocks="1000",rank="0"} 1
                foo_cache_info{block_size="32",blocks="1000",rank="1"} 1
                """);

        assertThat(sample.cacheConfig()).containsOnly(entry("block_size", "32"), entry("blocks", "1000"), entry("rank", "0"));
    }

    @Test
    void shouldReadLoraFromTheNewestSeriesWithConfiguredLabels() {
        LoraSpec lora = new LoraSpec("foo_adapters_info", "capacity", "running", "queued");
        EngineSpec spec = new EngineSpec("foo", QUEUE, RUNNING, KV_PERCENT, Optional.empty(), Optional.of(lora));
        PodSample sample = map(new ConfiguredEngine(spec), """
                foo_adapters_info{capacity="4",queued="",running="a"} 1754310100
                foo_adapters_info{capacity="4",queued="c",running="a,b"} 1754310200
                foo_adapters_info{capacity="4",queued="",running=""} 1754310150
                foo_adapters_info{capacity="4",queued="x",running="y"} NaN
                """);

        assertThat(sample.lora()).contains(new Lora(4, List.of("a", "b"), List.of("c")));
    }

    @Test
    void shouldReportNoLoraOrCacheConfigWhenTheSpecHasNone() {
        PodSample sample = map(engine(QUEUE, RUNNING, KV_PERCENT), """
                vllm:lora_requests_info{max_lora="2",running_lora_adapters="a",waiting_lora_adapters=""} 1.7e9
                vllm:cache_config_info{block_size="16"} 1
                """);

        assertThat(sample.lora()).isEmpty();
        assertThat(sample.cacheConfig()).isEmpty();
    }

    @Test
    void shouldRejectInvalidSpecs() {
        assertThatThrownBy(() -> new FieldSpec("foo", Map.of(), Aggregation.SUM, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
        assertThatThrownBy(() -> new FieldSpec("foo", Map.of(), Aggregation.SUM, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
        assertThatThrownBy(() -> new FieldSpec("foo", Map.of(), Aggregation.SUM, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
        assertThatThrownBy(() -> FieldSpec.sum("foo bar"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'foo bar'");
        assertThatThrownBy(() -> new FieldSpec("foo", Map.of("a-b", "x"), Aggregation.SUM, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a-b'");
        assertThatThrownBy(() -> new EngineSpec("My Engine", QUEUE, RUNNING, KV_PERCENT, Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'My Engine'");
        assertThatThrownBy(() -> new EngineSpec("foo", QUEUE, RUNNING, KV_PERCENT, Optional.of("a.b"), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a.b'");
    }

    @Test
    void shouldCopyLabelFilterDefensively() {
        Map<String, String> filter = new HashMap<>(Map.of("kind", "waiting"));
        FieldSpec spec = new FieldSpec("foo", filter, Aggregation.SUM, 1.0);

        filter.put("kind", "running");

        assertThat(spec.labelFilter()).containsOnly(entry("kind", "waiting"));
    }

    private static ConfiguredEngine engine(FieldSpec waiting, FieldSpec running, FieldSpec kv) {
        return new ConfiguredEngine(new EngineSpec("foo", waiting, running, kv, Optional.empty(), Optional.empty()));
    }
}
