package io.inferpulse.streams.alert;

import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.Topic;
import io.inferpulse.schemas.Topics;
import io.inferpulse.streams.rules.AlertingRule;
import io.inferpulse.streams.rules.RuleGroup;
import io.inferpulse.streams.rules.Sample;
import io.inferpulse.streams.rules.StatSeries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Alert evaluation over the stats topics, with Prometheus's alerting-rule semantics, written to the
 * compacted {@value Topics#ALERTS} keyed by fingerprint.
 *
 * <p>Every {@value Topics#POOL_STATS} and {@value Topics#MODEL_STATS} record becomes series
 * ({@link StatSeries}); each series goes to the rule groups that read it, through a repartition topic
 * keyed by group name, so that one task evaluates all rules of a group at the same instant, like one
 * shard of a Prometheus ruler. Series carry their record's timestamp (pool stats: when computed)
 * and go stale after the lookback delta; evaluation runs on the wall clock.
 *
 * <p>Node, store and repartition names are fixed here because Kafka Streams derives internal topic
 * names from them: renaming {@link #ALERT_STORE} abandons every pending timer and firing alert.
 */
public final class AlertTopology {
    public static final String POOL_STATS_SOURCE = "alert-pool-stats-source";
    public static final String MODEL_STATS_SOURCE = "alert-model-stats-source";
    public static final String POOL_SERIES = "alert-pool-stats-to-series";
    public static final String MODEL_SERIES = "alert-model-stats-to-series";
    public static final String MERGE = "alert-series-merge";
    /** Series keyed by rule group; topic {@code <application.id>-alert-series-by-group-repartition}. */
    public static final String REPARTITION = "alert-series-by-group";
    public static final String EVALUATOR = "alert-evaluator";
    public static final String SINK = "alerts-sink";
    /** Latest value of each series per group, key {@code group␟series}; changelog {@code <application.id>-alert-series-changelog}. */
    public static final String SERIES_STORE = "alert-series";
    /** Alert instances, key {@code group␟rule␟fingerprint}; changelog {@code <application.id>-alert-instances-changelog}. */
    public static final String ALERT_STORE = "alert-instances";

    private AlertTopology() {}

    public static Topology build(Topics topics, List<RuleGroup> groups, AlertSettings settings, AlertMetrics metrics) {
        Topic<String, PoolStats> poolStats = topics.poolStats();
        Topic<String, ModelStats> modelStats = topics.modelStats();
        Topic<String, AlertEvent> alerts = topics.alerts();
        Map<String, List<String>> groupsByMetric = groupsByMetric(groups);
        // Without committed offsets, read back one lookback delta: older series would be stale anyway.
        AutoOffsetReset reset = AutoOffsetReset.byDuration(settings.lookbackDelta());

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(seriesStore());
        builder.addStateStore(alertStore());
        KStream<String, SeriesBatch> fromPools = builder
                .stream(poolStats.name(), Consumed.with(poolStats.keySerde(), poolStats.valueSerde())
                        .withName(POOL_STATS_SOURCE).withOffsetResetPolicy(reset)
                        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp()))
                .flatMap((key, stats) -> route(stats == null ? List.of() : StatSeries.of(stats), groupsByMetric),
                        Named.as(POOL_SERIES));
        KStream<String, SeriesBatch> fromModels = builder
                .stream(modelStats.name(), Consumed.with(modelStats.keySerde(), modelStats.valueSerde())
                        .withName(MODEL_STATS_SOURCE).withOffsetResetPolicy(reset)
                        .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp()))
                .flatMap((key, stats) -> route(stats == null ? List.of() : StatSeries.of(stats), groupsByMetric),
                        Named.as(MODEL_SERIES));
        fromPools.merge(fromModels, Named.as(MERGE))
                .repartition(Repartitioned.<String, SeriesBatch>as(REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(new JsonSerde<>(SeriesBatch.class)))
                .process(() -> new AlertEvaluationProcessor(groups, settings, metrics), Named.as(EVALUATOR),
                        SERIES_STORE, ALERT_STORE)
                .to(alerts.name(), Produced.with(alerts.keySerde(), alerts.valueSerde()).withName(SINK));
        return builder.build();
    }

    /** The rule groups reading each series name, each group once, in file order. */
    static Map<String, List<String>> groupsByMetric(List<RuleGroup> groups) {
        Map<String, List<String>> byMetric = new HashMap<>();
        for (RuleGroup group : groups) {
            for (AlertingRule rule : group.rules()) {
                for (String metric : rule.inputMetrics()) {
                    List<String> readers = byMetric.computeIfAbsent(metric, m -> new ArrayList<>());
                    if (!readers.contains(group.name())) {
                        readers.add(group.name());
                    }
                }
            }
        }
        return byMetric;
    }

    /** One batch per group that reads any of the samples; samples no rule reads go nowhere. */
    private static List<KeyValue<String, SeriesBatch>> route(List<Sample> samples, Map<String, List<String>> groupsByMetric) {
        Map<String, List<SeriesBatch.Point>> byGroup = new LinkedHashMap<>();
        for (Sample sample : samples) {
            String metric = sample.labels().getOrDefault("__name__", "");
            for (String group : groupsByMetric.getOrDefault(metric, List.of())) {
                byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(new SeriesBatch.Point(sample.labels(), sample.value()));
            }
        }
        List<KeyValue<String, SeriesBatch>> batches = new ArrayList<>(byGroup.size());
        byGroup.forEach((group, points) -> batches.add(KeyValue.pair(group, new SeriesBatch(points))));
        return batches;
    }

    private static StoreBuilder<KeyValueStore<String, SeriesPoint>> seriesStore() {
        // Pools heartbeat every second: the cache folds a series' updates between commits into one
        // changelog record.
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SERIES_STORE), Serdes.String(),
                        new JsonSerde<>(SeriesPoint.class))
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }

    private static StoreBuilder<KeyValueStore<String, ActiveAlert>> alertStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ALERT_STORE), Serdes.String(),
                        new JsonSerde<>(ActiveAlert.class))
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }
}
