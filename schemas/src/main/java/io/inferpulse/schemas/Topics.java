package io.inferpulse.schemas;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.AlertEvent;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.EndpointScore;
import io.inferpulse.avro.ErrorDetail;
import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.schemas.serde.AvroSerdes;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of the pipeline with its serdes: search for a constant here to find where a topic is
 * written and where it is read. Keys are strings; values are Avro in the Confluent wire format.
 */
public final class Topics {
    public static final String POD_METRICS = "inferpulse.pod-metrics";
    public static final String ACCESS_LOGS = "inferpulse.access-logs";
    public static final String POOL_STATS = "inferpulse.pool-stats";
    public static final String MODEL_STATS = "inferpulse.model-stats";
    public static final String ERROR_DETAILS = "inferpulse.error-details";
    public static final String ALERTS = "inferpulse.alerts";
    public static final String ENDPOINT_SCORES = "inferpulse.endpoint-scores";
    public static final String DEAD_LETTER = "inferpulse.dead-letter";
    /** A file tailer's checkpoint (JSON: file identity and position), key the tailer's name, written in its transactions. */
    public static final String INGEST_OFFSETS = "inferpulse.ingest-offsets";
    /** What the notifier last delivered (JSON), key {@code receiver/integration[i]/groupKey}. */
    public static final String NOTIFIER_LOG = "inferpulse.notifier-log";

    /** How a topic is created when inferpulse creates it: compacted, or deleted after retentionMs ("-1": never). */
    public record Spec(String name, boolean compacted, String retentionMs) {}

    public static final List<Spec> SPECS = List.of(
            new Spec(POD_METRICS, false, String.valueOf(60L * 60 * 1000)),
            new Spec(ACCESS_LOGS, false, String.valueOf(24L * 60 * 60 * 1000)),
            new Spec(POOL_STATS, true, "-1"),
            new Spec(MODEL_STATS, true, "-1"),
            new Spec(ERROR_DETAILS, false, String.valueOf(7L * 24 * 60 * 60 * 1000)),
            new Spec(ALERTS, true, "-1"),
            new Spec(ENDPOINT_SCORES, true, "-1"),
            new Spec(DEAD_LETTER, false, String.valueOf(7L * 24 * 60 * 60 * 1000)),
            new Spec(INGEST_OFFSETS, true, "-1"),
            new Spec(NOTIFIER_LOG, true, "-1"));

    /** The specs of {@link #SPECS} with these names, for a service that creates the topics it uses. */
    public static List<Spec> specs(String... names) {
        List<String> wanted = List.of(names);
        return SPECS.stream().filter(s -> wanted.contains(s.name())).toList();
    }

    /**
     * The streams job's access logs re-keyed by model name, between its two sub-topologies: internal,
     * named after the job's {@code application.id}. Kafka Streams' own repartition topics exist only in
     * its DSL, so the job creates this one like any other topic.
     */
    public static String modelRequests(String applicationId) {
        return applicationId + "-model-requests-repartition";
    }

    /** How the job creates {@link #modelRequests}: read within moments, so kept only long enough to outlast an outage. */
    public static Spec modelRequestsSpec(String applicationId) {
        return new Spec(modelRequests(applicationId), false, String.valueOf(6L * 60 * 60 * 1000));
    }

    private final AvroSerdes serdes;

    public Topics(AvroSerdes serdes) {
        this.serdes = serdes;
    }

    public Topic<String, PodMetrics> podMetrics() {
        return topic(POD_METRICS, PodMetrics.class);
    }

    public Topic<String, AccessLog> accessLogs() {
        return topic(ACCESS_LOGS, AccessLog.class);
    }

    public Topic<String, PoolStats> poolStats() {
        return topic(POOL_STATS, PoolStats.class);
    }

    public Topic<String, ModelStats> modelStats() {
        return topic(MODEL_STATS, ModelStats.class);
    }

    public Topic<String, ErrorDetail> errorDetails() {
        return topic(ERROR_DETAILS, ErrorDetail.class);
    }

    public Topic<String, AlertEvent> alerts() {
        return topic(ALERTS, AlertEvent.class);
    }

    public Topic<String, EndpointScore> endpointScores() {
        return topic(ENDPOINT_SCORES, EndpointScore.class);
    }

    public Topic<String, DeadLetter> deadLetter() {
        return topic(DEAD_LETTER, DeadLetter.class);
    }

    /** The key of every per-pool topic: {@code cluster/namespace/pool}. */
    public static String poolKey(String cluster, String namespace, String pool) {
        return cluster + '/' + namespace + '/' + pool;
    }

    private <V extends org.apache.avro.specific.SpecificRecord> Topic<String, V> topic(String name, Class<V> type) {
        Serde<String> keys = Serdes.String();
        return new Topic<>(name, keys, serdes.valueSerde(type));
    }
}
