package io.inferpulse.streams.score;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.EndpointScore;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.deadletter.RejectedRecords;
import io.inferpulse.streams.pool.PodSampleTimeExtractor;
import io.inferpulse.streams.request.AccessLogTimeExtractor;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The endpoint-scores job: a routing score per endpoint ({@code cluster/namespace/pod:port}) from
 * {@value Topics#POD_METRICS} and the per-endpoint request outcomes of {@value Topics#ACCESS_LOGS},
 * published on change to the compacted {@value Topics#ENDPOINT_SCORES}, with a tombstone when an
 * endpoint leaves its pool. Semantics in docs/endpoint-scores.md.
 *
 * <p>Both inputs are keyed {@code cluster/namespace/pool} with the same partition count, so one task
 * holds all of a pool and one processor ({@link ScoreProcessor}) writes all of its endpoints' records,
 * with no repartition. Event time is the sample's scrape time ({@link PodSampleTimeExtractor}) and a
 * request's completion ({@link AccessLogTimeExtractor}); staleness and the request window are judged
 * on the wall clock, as the Endpoint Picker judges its own samples.
 *
 * <p>Node and store names are fixed here because Kafka Streams derives changelog topic names from
 * them: renaming a store abandons the state of a running deployment.
 */
public final class ScoreTopology {
    public static final String SAMPLE_SOURCE = "score-pod-metrics-source";
    public static final String ACCESS_LOG_SOURCE = "score-access-logs-source";
    public static final String PROCESSOR = "endpoint-score-processor";
    public static final String SINK = "endpoint-scores-sink";
    public static final String DEAD_LETTER_SINK = "endpoint-score-dead-letter-sink";
    /** Latest sample per endpoint, key {@code cluster/namespace/pool|pod:port}; changelog {@code <application.id>-endpoint-score-samples-changelog}. */
    public static final String SAMPLE_STORE = "endpoint-score-samples";
    /** Recent request outcomes per endpoint address, key {@code cluster/namespace/pool|ip:port}. */
    public static final String OUTCOME_STORE = "endpoint-score-outcomes";

    private ScoreTopology() {}

    public static Topology build(Topics topics, ScoreSettings settings, ScoreMetrics metrics) {
        Topic<String, PodMetrics> podMetrics = topics.podMetrics();
        Topic<String, AccessLog> accessLogs = topics.accessLogs();
        Topic<String, EndpointScore> endpointScores = topics.endpointScores();
        Topic<String, DeadLetter> deadLetter = topics.deadLetter();
        ScoreProcessor.Inputs inputs = new ScoreProcessor.Inputs(
                new RejectedRecords<>(podMetrics.name(), podMetrics.valueSerde().serializer()), accessLogs.name(),
                new RejectedRecords<>(accessLogs.name(), accessLogs.valueSerde().serializer()));

        Topology topology = new Topology();
        // Without committed offsets, read back one retention: enough to know every endpoint a running
        // instance would hold (and tombstone it when it expires), while older samples could never count.
        topology.addSource(AutoOffsetReset.byDuration(settings.retention()), SAMPLE_SOURCE, new PodSampleTimeExtractor(),
                podMetrics.keySerde().deserializer(), podMetrics.valueSerde().deserializer(), podMetrics.name());
        // One request window back for the same reason: older outcomes fall outside the window at once.
        topology.addSource(AutoOffsetReset.byDuration(settings.requestWindow()), ACCESS_LOG_SOURCE,
                new AccessLogTimeExtractor(), accessLogs.keySerde().deserializer(), accessLogs.valueSerde().deserializer(),
                accessLogs.name());
        topology.addProcessor(PROCESSOR, () -> new ScoreProcessor(settings, new ScoreProcessor.Children(SINK, DEAD_LETTER_SINK),
                inputs, metrics), SAMPLE_SOURCE, ACCESS_LOG_SOURCE);
        topology.addStateStore(store(SAMPLE_STORE, EndpointSampleSerde.serde()), PROCESSOR);
        topology.addStateStore(store(OUTCOME_STORE, RecentOutcomes.serde()), PROCESSOR);
        topology.addSink(SINK, endpointScores.name(), endpointScores.keySerde().serializer(),
                endpointScores.valueSerde().serializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, deadLetter.name(), deadLetter.keySerde().serializer(),
                deadLetter.valueSerde().serializer(), PROCESSOR);
        return topology;
    }

    // In memory, restored from the changelog: one small entry per endpoint and address, read only in
    // init(). Not cached, so each write goes to the changelog as it happens instead of in a burst at
    // every commit, which would hold up the stream thread while scores wait behind it.
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingEnabled(Map.of());
    }
}
