package io.inferpulse.streams.pool;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.ErrorDetail;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.request.AccessLogTimeExtractor;
import io.inferpulse.streams.request.ModelRequestPartitioner;
import io.inferpulse.streams.request.ModelStatsProcessor;
import io.inferpulse.streams.request.PoolRequestProcessor;
import io.inferpulse.streams.request.RequestStatsSettings;
import io.inferpulse.streams.request.RequestWindowStores;
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
 * writes each pool-stats key. Model totals gather every pool's logs of a model, which takes the one
 * repartition, through {@link #modelRequestsTopic}, into the second sub-topology.
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
    public static final String ACCESS_LOG_SOURCE = "access-logs-source";
    public static final String POOL_REQUESTS_PROCESSOR = "pool-requests-processor";
    public static final String ERROR_DETAILS_SINK = "error-details-sink";
    public static final String MODEL_REQUESTS_SINK = "model-requests-sink";
    public static final String MODEL_REQUESTS_SOURCE = "model-requests-source";
    public static final String MODEL_STATS_PROCESSOR = "model-stats-processor";
    public static final String MODEL_STATS_SINK = "model-stats-sink";
    public static final String POOL_DEAD_LETTER_SINK = "pool-requests-dead-letter-sink";
    public static final String MODEL_DEAD_LETTER_SINK = "model-stats-dead-letter-sink";
    /** Latest sample per pod, key {@code cluster/namespace/pool|pod}; changelog {@code <application.id>-pool-pod-samples-changelog}. */
    public static final String POD_STORE = "pool-pod-samples";
    /** Request sub-buckets per pool, key {@code cluster/namespace/pool@bucketEnd}. */
    public static final String POOL_REQUEST_STORE = "pool-request-buckets";
    /** Error-detail counts per open window. */
    public static final String ERROR_DETAIL_STORE = "pool-error-detail-counts";
    /** Request sub-buckets per model and per model/target. */
    public static final String MODEL_REQUEST_STORE = "model-request-buckets";
    /** The last instant each access-log partition's first-stage task closed, key the partition number. */
    public static final String MODEL_FEED_PROGRESS_STORE = "model-request-feed-progress";

    private PoolStatsTopology() {}

    /**
     * Access logs re-keyed by model_name, between the two sub-topologies. Kafka Streams' own
     * repartition topics exist only in its DSL, so the service creates this one like any other topic.
     */
    public static String modelRequestsTopic(String applicationId) {
        return applicationId + "-model-requests-repartition";
    }

    /**
     * @param accessLogPartitions the partitions of {@value Topics#ACCESS_LOGS}: the model stage waits
     *                            for the first-stage task of each before it closes an instant
     */
    public static Topology build(Topics topics, PoolStatsSettings settings, RequestStatsSettings requests, String applicationId,
                                 int accessLogPartitions) {
        Topic<String, PodMetrics> podMetrics = topics.podMetrics();
        Topic<String, PoolStats> poolStats = topics.poolStats();
        Topic<String, AccessLog> accessLogs = topics.accessLogs();
        Topic<String, ModelStats> modelStats = topics.modelStats();
        Topic<String, ErrorDetail> errorDetails = topics.errorDetails();
        Topic<String, DeadLetter> deadLetter = topics.deadLetter();
        String modelRequests = modelRequestsTopic(applicationId);

        Topology topology = new Topology();
        // Without committed offsets, read back one pod retention: enough to know every pod a running
        // instance would hold, while older samples could never count again.
        topology.addSource(AutoOffsetReset.byDuration(settings.podRetention()), SOURCE, new PodSampleTimeExtractor(),
                podMetrics.keySerde().deserializer(), podMetrics.valueSerde().deserializer(), podMetrics.name());
        // Start one request window back for the same reason: older logs could only be late.
        topology.addSource(AutoOffsetReset.byDuration(requests.window()), ACCESS_LOG_SOURCE, new AccessLogTimeExtractor(),
                accessLogs.keySerde().deserializer(), accessLogs.valueSerde().deserializer(), accessLogs.name());
        topology.addProcessor(POOL_REQUESTS_PROCESSOR, () -> new PoolRequestProcessor(requests,
                new PoolRequestProcessor.Children(PROCESSOR, ERROR_DETAILS_SINK, MODEL_REQUESTS_SINK, POOL_DEAD_LETTER_SINK),
                POOL_REQUEST_STORE, ERROR_DETAIL_STORE, accessLogs.name(), accessLogs.valueSerde().serializer()),
                ACCESS_LOG_SOURCE);
        topology.addStateStore(RequestWindowStores.buckets(POOL_REQUEST_STORE), POOL_REQUESTS_PROCESSOR);
        topology.addStateStore(RequestWindowStores.longs(ERROR_DETAIL_STORE), POOL_REQUESTS_PROCESSOR);
        topology.addProcessor(PROCESSOR, () -> new PoolStatsProcessor(settings), SOURCE, POOL_REQUESTS_PROCESSOR);
        topology.addStateStore(podStore(), PROCESSOR);
        topology.addSink(SINK, poolStats.name(), poolStats.keySerde().serializer(), poolStats.valueSerde().serializer(),
                PROCESSOR);
        topology.addSink(ERROR_DETAILS_SINK, errorDetails.name(), errorDetails.keySerde().serializer(),
                errorDetails.valueSerde().serializer(), POOL_REQUESTS_PROCESSOR);
        topology.addSink(POOL_DEAD_LETTER_SINK, deadLetter.name(), deadLetter.keySerde().serializer(),
                deadLetter.valueSerde().serializer(), POOL_REQUESTS_PROCESSOR);
        topology.addSink(MODEL_REQUESTS_SINK, modelRequests, accessLogs.keySerde().serializer(),
                accessLogs.valueSerde().serializer(), new ModelRequestPartitioner(), POOL_REQUESTS_PROCESSOR);

        // The record timestamp written to the repartition topic is the event time (a marker's, its
        // instant): the default extractor keeps it.
        topology.addSource(AutoOffsetReset.byDuration(requests.window()), MODEL_REQUESTS_SOURCE,
                accessLogs.keySerde().deserializer(), accessLogs.valueSerde().deserializer(), modelRequests);
        topology.addProcessor(MODEL_STATS_PROCESSOR, () -> new ModelStatsProcessor(requests, MODEL_STATS_SINK,
                MODEL_DEAD_LETTER_SINK, MODEL_REQUEST_STORE, MODEL_FEED_PROGRESS_STORE, accessLogPartitions, modelRequests,
                accessLogs.valueSerde().serializer()), MODEL_REQUESTS_SOURCE);
        topology.addStateStore(RequestWindowStores.buckets(MODEL_REQUEST_STORE), MODEL_STATS_PROCESSOR);
        topology.addStateStore(RequestWindowStores.longs(MODEL_FEED_PROGRESS_STORE), MODEL_STATS_PROCESSOR);
        topology.addSink(MODEL_STATS_SINK, modelStats.name(), modelStats.keySerde().serializer(),
                modelStats.valueSerde().serializer(), MODEL_STATS_PROCESSOR);
        topology.addSink(MODEL_DEAD_LETTER_SINK, deadLetter.name(), deadLetter.keySerde().serializer(),
                deadLetter.valueSerde().serializer(), MODEL_STATS_PROCESSOR);
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
