package io.inferpulse.streams.request;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.ErrorDetail;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;

/**
 * The request statistics, part of the streams job's topology: per-pool request windows and error
 * details from {@value Topics#ACCESS_LOGS} (the first stage, one task per partition, beside the pool
 * gauges of the same pools), and per-model windows to {@value Topics#MODEL_STATS} after the one
 * repartition by model name ({@link Topics#modelRequests}). Closing is described in
 * {@link ClosingClock} and {@link FeedProgress}.
 *
 * <p>Node and store names are fixed here because Kafka Streams derives changelog topic names from
 * them: renaming a store abandons the state of a running deployment.
 */
public final class RequestStatsTopology {
    public static final String ACCESS_LOG_SOURCE = "access-logs-source";
    public static final String POOL_REQUESTS_PROCESSOR = "pool-requests-processor";
    public static final String ERROR_DETAILS_SINK = "error-details-sink";
    public static final String MODEL_REQUESTS_SINK = "model-requests-sink";
    public static final String MODEL_REQUESTS_SOURCE = "model-requests-source";
    public static final String MODEL_STATS_PROCESSOR = "model-stats-processor";
    public static final String MODEL_STATS_SINK = "model-stats-sink";
    public static final String POOL_DEAD_LETTER_SINK = "pool-requests-dead-letter-sink";
    public static final String MODEL_DEAD_LETTER_SINK = "model-stats-dead-letter-sink";
    /** Request sub-buckets per pool, key {@code cluster/namespace/pool@bucketEnd}. */
    public static final String POOL_REQUEST_STORE = "pool-request-buckets";
    /** Error-detail counts per open window. */
    public static final String ERROR_DETAIL_STORE = "pool-error-detail-counts";
    /** Request sub-buckets per model and per model/target. */
    public static final String MODEL_REQUEST_STORE = "model-request-buckets";
    /** The last instant each access-log partition's first-stage task closed, key the partition number. */
    public static final String MODEL_FEED_PROGRESS_STORE = "model-request-feed-progress";

    private RequestStatsTopology() {}

    /**
     * Adds the request statistics to the job's topology. The pool-requests processor forwards each
     * pool's {@link RequestStats} to {@code poolStatsProcessor}, which the caller adds afterwards with
     * {@link #POOL_REQUESTS_PROCESSOR} among its parents.
     *
     * @param accessLogPartitions the partitions of {@value Topics#ACCESS_LOGS}: the model stage waits
     *                            for the first-stage task of each before it closes an instant
     */
    public static void addTo(Topology topology, Topics topics, RequestStatsSettings requests, String applicationId,
                             int accessLogPartitions, String poolStatsProcessor) {
        Topic<String, AccessLog> accessLogs = topics.accessLogs();
        Topic<String, ModelStats> modelStats = topics.modelStats();
        Topic<String, ErrorDetail> errorDetails = topics.errorDetails();
        Topic<String, DeadLetter> deadLetter = topics.deadLetter();
        String modelRequests = Topics.modelRequests(applicationId);

        // Without committed offsets, start one request window back: older logs could only be late.
        topology.addSource(AutoOffsetReset.byDuration(requests.window()), ACCESS_LOG_SOURCE, new AccessLogTimeExtractor(),
                accessLogs.keySerde().deserializer(), accessLogs.valueSerde().deserializer(), accessLogs.name());
        PoolRequestProcessor.Children children = new PoolRequestProcessor.Children(poolStatsProcessor, ERROR_DETAILS_SINK,
                MODEL_REQUESTS_SINK, POOL_DEAD_LETTER_SINK);
        topology.addProcessor(POOL_REQUESTS_PROCESSOR, () -> new PoolRequestProcessor(requests, children, POOL_REQUEST_STORE,
                ERROR_DETAIL_STORE, accessLogs.name(), accessLogs.valueSerde().serializer()), ACCESS_LOG_SOURCE);
        topology.addStateStore(RequestWindowStores.buckets(POOL_REQUEST_STORE), POOL_REQUESTS_PROCESSOR);
        topology.addStateStore(RequestWindowStores.longs(ERROR_DETAIL_STORE), POOL_REQUESTS_PROCESSOR);
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
    }
}
