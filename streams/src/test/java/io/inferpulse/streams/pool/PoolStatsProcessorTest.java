package io.inferpulse.streams.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The processor on its own, with a store filled before {@code init()}: what a task finds after
 * restoring the changelog on restart, which {@code TopologyTestDriver} cannot show because its
 * state does not outlive the driver.
 */
class PoolStatsProcessorTest {
    private static final long T0 = Instant.parse("2025-06-02T10:00:00Z").toEpochMilli();
    private static final String LLAMA_KEY = Topics.poolKey("gke-eu-1", "llm", "vllm-llama3");
    private static final String QWEN_KEY = Topics.poolKey("gke-eu-1", "llm", "sglang-qwen");

    private final MockProcessorContext<String, PoolStats> context = new MockProcessorContext<>();
    private final KeyValueStore<String, PodGauges> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(PoolStatsTopology.POD_STORE), Serdes.String(), new PodGaugesSerde())
            .withLoggingDisabled() // MockProcessorContext has no changelog
            .build();

    @Test
    void shouldRestorePodsAfterRestart() {
        // given a store restored with two pods of one pool, one of them stale, and a pod of another pool
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        store.put(PoolStatsProcessor.storeKey(LLAMA_KEY, "llama-0"), gauges("vllm-llama3", T0 - 500, 0.4, 3.0, 5.0));
        store.put(PoolStatsProcessor.storeKey(LLAMA_KEY, "llama-1"), gauges("vllm-llama3", T0 - 5000, 0.9, 9.0, 9.0));
        store.put(PoolStatsProcessor.storeKey(QWEN_KEY, "qwen-0"), gauges("sglang-qwen", T0 - 100, 0.1, 0.0, 1.0));
        context.setCurrentSystemTimeMs(T0);
        PoolStatsProcessor processor = new PoolStatsProcessor(PoolStatsSettings.defaults());

        // when the processor starts and first evaluates its pools on the wall clock
        processor.init(context);
        CapturedPunctuator punctuator = context.scheduledPunctuators().get(0);
        punctuator.getPunctuator().punctuate(T0 + 200);

        // then every restored pool is announced, counting only its fresh pods
        assertThat(punctuator.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(punctuator.getInterval()).isEqualTo(Duration.ofMillis(200));
        Map<String, PoolStats> sent = context.forwarded().stream()
                .collect(Collectors.toMap(f -> f.record().key(), f -> f.record().value()));
        assertThat(sent).containsOnlyKeys(LLAMA_KEY, QWEN_KEY);
        assertThat(sent.get(LLAMA_KEY).getReadyPods()).isEqualTo(1);
        assertThat(sent.get(LLAMA_KEY).getAverageKvCacheUtilization()).isEqualTo(0.4);
        assertThat(sent.get(LLAMA_KEY).getPool()).isEqualTo("vllm-llama3");
        assertThat(sent.get(QWEN_KEY).getAverageRunningRequests()).isEqualTo(1.0);

        // and the restored pods take part in later records: the stale one returns, the older sample is ignored
        context.resetForwards();
        context.setCurrentSystemTimeMs(T0 + 300);
        processor.process(sample("llama-0", T0 - 1000, 0.0));
        assertThat(context.forwarded()).isEmpty();
        processor.process(sample("llama-1", T0 + 250, 0.6));
        assertThat(context.forwarded()).singleElement().satisfies(f -> {
            assertThat(f.record().value().getReadyPods()).isEqualTo(2);
            assertThat(f.record().value().getAverageKvCacheUtilization()).isEqualTo(0.5);
            assertThat(f.record().timestamp()).isEqualTo(T0 + 300);
        });
    }

    private static PodGauges gauges(String pool, long sampleTimeMs, Double kv, Double waiting, Double running) {
        return new PodGauges(sampleTimeMs, kv, waiting, running, "gke-eu-1", "llm", pool);
    }

    private static Record<String, Object> sample(String pod, long sampleTimeMs, double kv) {
        PodMetrics metrics = PodMetrics.newBuilder()
                .setCluster("gke-eu-1")
                .setNamespace("llm")
                .setPool("vllm-llama3")
                .setPod(pod)
                .setAddress("10.0.0.7:8000")
                .setEngine("vllm")
                .setStatus(PodStatus.UP)
                .setSampleTime(Instant.ofEpochMilli(sampleTimeMs))
                .setKvCacheUsageRatio(kv)
                .setRequestsWaiting(1.0)
                .setRequestsRunning(1.0)
                .build();
        return new Record<>(LLAMA_KEY, metrics, sampleTimeMs);
    }
}
