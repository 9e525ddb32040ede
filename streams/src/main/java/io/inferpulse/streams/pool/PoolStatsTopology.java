package io.inferpulse.streams.pool;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.request.AccessLogTimeExtractor;
import io.inferpulse.streams.request.RequestStatsSettings;
import io.inferpulse.streams.request.RequestStatsTopology;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The streams job: pool gauges as the Gateway API Inference Extension's endpoint picker reports them
 * ({@code inference_pool_ready_pods}, {@code inference_pool_average_kv_cache_utilization},
 * {@code inference_pool_average_queue_size}, {@code inference_pool_average_running_requests}, plus
 * the totals an HPA needs) from {@value Topics#POD_METRICS}, merged with each pool's request window
 * from {@value Topics#ACCESS_LOGS} into the compacted {@value Topics#POOL_STATS}, keyed
 * {@code cluster/namespace/pool}; per-model request windows to {@value Topics#MODEL_STATS}; error
 * details per pool to {@value Topics#ERROR_DETAILS}.
 *
 * <p>Pod metrics and access logs share the pool key and partition count, so a pool's pods and
 * requests meet in one task: the first sub-topology needs no repartition, and one processor alone
 * writes each pool-stats key. The request statistics are {@link RequestStatsTopology}'s; model totals
 * gather every pool's logs of a model, which takes the one repartition, into a second sub-topology.
 *
 * <p>Only pods whose sample is at most the staleness old by the wall clock count. A pool's record is
 * sent when its gauges or request window change and at least every heartbeat; its timestamp is the
 * wall-clock time it was computed. Request windows run on event time, when each request completed
 * ({@link AccessLogTimeExtractor}).
 *
 * <p>Node and store names are fixed here because Kafka Streams derives changelog topic names from
 * them: renaming a store abandons the state of a running deployment.
 */
public final class PoolStatsTopology {
    public static final String SOURCE = "pod-metrics-source";
    public static final String PROCESSOR = "pool-stats-processor";
    public static final String SINK = "pool-stats-sink";
    /** Latest sample per pod, key {@code cluster/namespace/pool|pod}; changelog {@code <application.id>-pool-pod-samples-changelog}. */
    public static final String POD_STORE = "pool-pod-samples";

    private PoolStatsTopology() {}

    /**
     * @param accessLogPartitions the partitions of {@value Topics#ACCESS_LOGS}: the model stage waits
     *                            for the first-stage task of each before it closes an instant
     */
    public static Topology build(Topics topics, PoolStatsSettings settings, RequestStatsSettings requests, String applicationId,
                                 int accessLogPartitions) {
        Topic<String, PodMetrics> podMetrics = topics.podMetrics();
        Topic<String, PoolStats> poolStats = topics.poolStats();

        Topology topology = new Topology();
        // Without committed offsets, read back one pod retention: enough to know every pod a running
        // instance would hold, while older samples could never count again.
        topology.addSource(AutoOffsetReset.byDuration(settings.podRetention()), SOURCE, new PodSampleTimeExtractor(),
                podMetrics.keySerde().deserializer(), podMetrics.valueSerde().deserializer(), podMetrics.name());
        RequestStatsTopology.addTo(topology, topics, requests, applicationId, accessLogPartitions, PROCESSOR);
        topology.addProcessor(PROCESSOR, () -> new PoolStatsProcessor(settings), SOURCE,
                RequestStatsTopology.POOL_REQUESTS_PROCESSOR);
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
