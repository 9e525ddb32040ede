package io.inferpulse.streams.pool;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Pool gauges as the Gateway API Inference Extension's endpoint picker reports them
 * ({@code inference_pool_ready_pods}, {@code inference_pool_average_kv_cache_utilization},
 * {@code inference_pool_average_queue_size}, {@code inference_pool_average_running_requests}, plus
 * the totals an HPA needs), computed from {@value Topics#POD_METRICS} and written to the compacted
 * {@value Topics#POOL_STATS}, keyed {@code cluster/namespace/pool}.
 *
 * <p>Pods of a pool share the key of the input topic and so one partition and one task: the
 * aggregation needs no repartition topic. Only pods whose sample is at most the staleness old by
 * the wall clock count. A pool's record is sent when its gauges change and at least every heartbeat;
 * its timestamp is the wall-clock time it was computed.
 *
 * <p>Node and store names are fixed here because Kafka Streams derives changelog topic names from
 * them: renaming {@link #POD_STORE} abandons the state of a running deployment.
 */
public final class PoolStatsTopology {
    public static final String SOURCE = "pod-metrics-source";
    public static final String PROCESSOR = "pool-stats-processor";
    public static final String SINK = "pool-stats-sink";
    /** Latest sample per pod, key {@code cluster/namespace/pool|pod}; changelog {@code <application.id>-pool-pod-samples-changelog}. */
    public static final String POD_STORE = "pool-pod-samples";

    private PoolStatsTopology() {}

    public static Topology build(Topics topics, PoolStatsSettings settings) {
        Topic<String, PodMetrics> podMetrics = topics.podMetrics();
        Topic<String, PoolStats> poolStats = topics.poolStats();

        Topology topology = new Topology();
        // Without committed offsets, read back one pod retention: enough to know every pod a running
        // instance would hold, while older samples could never count again.
        topology.addSource(AutoOffsetReset.byDuration(settings.podRetention()), SOURCE, new PodSampleTimeExtractor(),
                podMetrics.keySerde().deserializer(), podMetrics.valueSerde().deserializer(), podMetrics.name());
        topology.addProcessor(PROCESSOR, () -> new PoolStatsProcessor(settings), SOURCE);
        topology.addStateStore(podStore(), PROCESSOR);
        topology.addSink(SINK, poolStats.name(), poolStats.keySerde().serializer(), poolStats.valueSerde().serializer(),
                PROCESSOR);
        return topology;
    }

    private static StoreBuilder<KeyValueStore<String, PodGauges>> podStore() {
        // Pods report every 50 ms or so: the cache folds a pod's samples between commits into one
        // changelog record. The processor reads the store only in init(), so the cache is a write buffer.
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(POD_STORE), Serdes.String(), new PodGaugesSerde())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }
}
