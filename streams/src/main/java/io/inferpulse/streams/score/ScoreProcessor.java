package io.inferpulse.streams.score;

import io.inferpulse.avro.AccessLog;
import io.inferpulse.avro.DeadLetter;
import io.inferpulse.avro.EndpointHealth;
import io.inferpulse.avro.EndpointScore;
import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.streams.deadletter.RejectedRecords;
import io.inferpulse.streams.request.RejectedRequests;
import io.inferpulse.streams.request.RequestOutcomes;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Scores the endpoints of the task's pools. Pod samples and access logs share the pool key and
 * partition count, so both inputs of a pool meet here and this processor alone writes the records
 * of the pool's endpoints: it can normalise across the pool, and a tombstone can never overtake a
 * score of the same endpoint. A sample re-evaluates its pool at once; access logs only update the
 * outcome buckets, and the wall-clock punctuation re-evaluates every pool every evaluation interval,
 * which is also when endpoints go STALE, FAILING or HEALTHY again without a sample. The stores are
 * the source of truth; {@link #pools} mirrors them so that a record costs O(endpoints of its pool).
 */
final class ScoreProcessor implements Processor<String, Object, String, Object> {
    /** Stage of this processor's dead letters. */
    static final String STAGE = "streams.endpoint-scores";
    /** Joins pool key and endpoint (pod:port, or address for outcomes) in store keys; split at its last occurrence. */
    static final char STORE_KEY_SEPARATOR = '|';

    /** Child node names this processor forwards to. */
    record Children(String scores, String deadLetters) {}

    /** The input topics with what re-encodes their values for dead letters. */
    record Inputs(RejectedRecords<PodMetrics> samples, String accessLogTopic, RejectedRecords<AccessLog> accessLogs) {}

    private final ScoreSettings settings;
    private final List<Scorer> scorers;
    private final double[] weights;
    private final Children children;
    private final Inputs inputs;
    private final ScoreMetrics metrics;
    private final Map<String, PoolEndpoints> pools = new HashMap<>();
    /** Which pool of this task holds each endpoint key, to notice an endpoint moving between pools. */
    private final Map<String, String> owners = new HashMap<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, EndpointSample> samples;
    private KeyValueStore<String, RecentOutcomes> outcomes;

    ScoreProcessor(ScoreSettings settings, Children children, Inputs inputs, ScoreMetrics metrics) {
        this.settings = settings;
        this.scorers = Scorers.enabled(settings);
        this.weights = scorers.stream().mapToDouble(s -> settings.weight(s.name())).toArray();
        this.children = children;
        this.inputs = inputs;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.samples = context.getStateStore(ScoreTopology.SAMPLE_STORE);
        this.outcomes = context.getStateStore(ScoreTopology.OUTCOME_STORE);
        // Kafka Streams initialises processors once their stores are restored from the changelog, so
        // this sees every endpoint the task held before a restart or a move to another instance.
        try (KeyValueIterator<String, EndpointSample> stored = samples.all()) {
            while (stored.hasNext()) {
                KeyValue<String, EndpointSample> entry = stored.next();
                String poolKey = poolOf(entry.key, ScoreTopology.SAMPLE_STORE);
                String endpointKey = entry.value.endpointKey();
                pool(poolKey).put(endpointKey, entry.key, entry.value);
                owners.put(endpointKey, poolKey);
            }
        }
        try (KeyValueIterator<String, RecentOutcomes> stored = outcomes.all()) {
            while (stored.hasNext()) {
                KeyValue<String, RecentOutcomes> entry = stored.next();
                String poolKey = poolOf(entry.key, ScoreTopology.OUTCOME_STORE);
                pool(poolKey).putOutcomes(entry.key.substring(poolKey.length() + 1),
                        new PoolEndpoints.Outcomes(entry.key, entry.value));
            }
        }
        // Wall-clock time, not stream time: an endpoint that stops reporting sends nothing that would
        // move stream time, yet it must turn STALE within the staleness bound.
        context.schedule(settings.evaluationInterval(), PunctuationType.WALL_CLOCK_TIME, this::evaluateAll);
    }

    @Override
    public void process(Record<String, Object> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        if (record.value() instanceof AccessLog || (record.value() == null && topic.equals(inputs.accessLogTopic()))) {
            processLog(record.key(), (AccessLog) record.value(), record.timestamp());
        } else {
            processSample(record.key(), (PodMetrics) record.value());
        }
    }

    private void processSample(String poolKey, PodMetrics sample) {
        long nowMs = context.currentSystemTimeMs();
        String invalid = EndpointSample.invalid(poolKey, sample);
        if (invalid != null) {
            deadLetter(inputs.samples().deadLetter(poolKey, sample, STAGE, invalid, nowMs));
            return;
        }
        EndpointSample endpoint = EndpointSample.of(sample);
        String endpointKey = endpoint.endpointKey();
        String owner = owners.get(endpointKey);
        if (sample.getStatus() == PodStatus.GONE) {
            // Held by another pool of this task: the endpoint moved there, and its record there stands.
            if (owner == null || owner.equals(poolKey)) {
                leave(poolKey, endpointKey, endpoint.sampleTimeMs(), nowMs);
            }
            return;
        }
        if (owner != null && !owner.equals(poolKey)) {
            moveOut(owner, endpointKey, nowMs);
        }
        PoolEndpoints pool = pool(poolKey);
        PoolEndpoints.Tracked known = pool.endpoint(endpointKey);
        if (known != null && endpoint.sampleTimeMs() < known.sample().sampleTimeMs()) {
            metrics.outOfOrder();
            return;
        }
        String storeKey = known != null ? known.storeKey()
                : poolKey + STORE_KEY_SEPARATOR + endpointKey.substring(endpointKey.lastIndexOf('/') + 1);
        samples.put(storeKey, endpoint);
        pool.put(endpointKey, storeKey, endpoint);
        owners.put(endpointKey, poolKey);
        evaluate(pool, nowMs, endpointKey);
    }

    /**
     * A GONE sample. The tombstone goes out even for an endpoint this task does not hold: it may have
     * been published before the task lost its state, and a second tombstone is harmless on a compacted topic.
     */
    private void leave(String poolKey, String endpointKey, long goneAtMs, long nowMs) {
        PoolEndpoints pool = pools.get(poolKey);
        PoolEndpoints.Tracked known = pool == null ? null : pool.endpoint(endpointKey);
        if (known == null) {
            tombstone(endpointKey, ScoreMetrics.TombstoneReason.GONE, null, nowMs);
            return;
        }
        if (goneAtMs < known.sample().sampleTimeMs()) {
            metrics.outOfOrder(); // the endpoint answered a scrape after it was reported gone: it is back
            return;
        }
        forget(pool, known);
        tombstone(endpointKey, ScoreMetrics.TombstoneReason.GONE, known.publishedHealth(), nowMs);
        evaluate(pool, nowMs, null);
    }

    /**
     * The endpoint's samples now come from another pool of this task. Tombstone first, then the new
     * pool's record: both go to the same output partition in this order, so a reader ends with the new one.
     */
    private void moveOut(String oldPoolKey, String endpointKey, long nowMs) {
        PoolEndpoints old = pools.get(oldPoolKey);
        PoolEndpoints.Tracked moved = old.endpoint(endpointKey);
        forget(old, moved);
        tombstone(endpointKey, ScoreMetrics.TombstoneReason.MOVED, moved.publishedHealth(), nowMs);
        evaluate(old, nowMs, null);
    }

    private void forget(PoolEndpoints pool, PoolEndpoints.Tracked endpoint) {
        pool.remove(endpoint.endpointKey());
        samples.delete(endpoint.storeKey());
        owners.remove(endpoint.endpointKey());
    }

    private void processLog(String poolKey, AccessLog log, long completedAtMs) {
        long nowMs = context.currentSystemTimeMs();
        String invalid = RejectedRequests.invalidPoolLog(poolKey, log);
        if (invalid != null) {
            deadLetter(inputs.accessLogs().deadLetter(poolKey, log, STAGE, invalid, nowMs));
            return;
        }
        String address = log.getEndpoint();
        if (address == null || address.isBlank()) {
            metrics.noEndpoint(); // e.g. no backend could be picked: the pool's error, not an endpoint's
            return;
        }
        long bucketMs = settings.requestBucket().toMillis();
        if (Math.floorDiv(completedAtMs, bucketMs) * bucketMs + bucketMs <= nowMs - settings.requestWindow().toMillis()) {
            metrics.outsideWindow();
            return;
        }
        // Counted now, scored at the next evaluation: a record per request would flood the topic for
        // changes that matter only in aggregate.
        PoolEndpoints.Outcomes recent = pool(poolKey).outcomes(address, poolKey + STORE_KEY_SEPARATOR + address);
        recent.outcomes().add(completedAtMs, bucketMs, RequestOutcomes.isError(log.getStatus()), log.getLatencySeconds());
        outcomes.put(recent.storeKey(), recent.outcomes());
    }

    private void evaluateAll(long nowMs) {
        long windowStartMs = nowMs - settings.requestWindow().toMillis();
        for (Iterator<PoolEndpoints> it = pools.values().iterator(); it.hasNext(); ) {
            PoolEndpoints pool = it.next();
            for (PoolEndpoints.Tracked expired : pool.expire(nowMs - settings.retention().toMillis())) {
                samples.delete(expired.storeKey());
                owners.remove(expired.endpointKey());
                tombstone(expired.endpointKey(), ScoreMetrics.TombstoneReason.RETENTION, expired.publishedHealth(), nowMs);
            }
            pool.expireOutcomes(windowStartMs, settings.requestBucket().toMillis(), outcomes);
            if (pool.isEmpty()) {
                it.remove();
            } else {
                evaluate(pool, nowMs, null);
            }
        }
    }

    /** @param arrived the endpoint whose sample triggered the evaluation, null for none */
    private void evaluate(PoolEndpoints pool, long nowMs, String arrived) {
        pool.evaluate(nowMs, settings, scorers, weights, (endpoint, score, before) -> {
            context.forward(new Record<String, Object>(endpoint.endpointKey(), score, nowMs), children.scores());
            metrics.published(before, score.getHealth());
            if (endpoint.endpointKey().equals(arrived)) {
                // The real clock: Kafka Streams refreshes nowMs only once per loop iteration.
                metrics.sampleAge(System.currentTimeMillis() - endpoint.sample().sampleTimeMs());
            }
        });
    }

    private void tombstone(String endpointKey, ScoreMetrics.TombstoneReason reason, EndpointHealth lastPublished, long nowMs) {
        context.forward(new Record<String, Object>(endpointKey, null, nowMs), children.scores());
        metrics.tombstoned(reason, lastPublished);
    }

    private void deadLetter(Record<String, DeadLetter> letter) {
        context.forward(new Record<String, Object>(letter.key(), letter.value(), letter.timestamp()), children.deadLetters());
        metrics.deadLettered();
    }

    private PoolEndpoints pool(String poolKey) {
        return pools.computeIfAbsent(poolKey, k -> new PoolEndpoints(settings.clusterLabelsOf(k.substring(0, k.indexOf('/')))));
    }

    private static String poolOf(String storeKey, String store) {
        int separator = storeKey.lastIndexOf(STORE_KEY_SEPARATOR);
        if (separator < 0) {
            throw new IllegalStateException("Store " + store + " holds key '" + storeKey + "' without the '"
                    + STORE_KEY_SEPARATOR + "' between pool and endpoint");
        }
        return storeKey.substring(0, separator);
    }

    @Override
    public void close() {
        // The task moves away: whoever takes it over counts its endpoints.
        for (PoolEndpoints pool : pools.values()) {
            for (PoolEndpoints.Tracked endpoint : pool.endpoints()) {
                metrics.released(endpoint.publishedHealth());
            }
        }
    }
}
