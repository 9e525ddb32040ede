package io.inferpulse.streams.pool;

import io.inferpulse.avro.PodMetrics;
import io.inferpulse.avro.PodStatus;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.streams.request.RequestStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the latest sample of every pod of the task's pools and sends a pool's gauges when they
 * change and at least every heartbeat. It is the only writer of the compacted pool-stats topic, so
 * the pool's request window ({@link RequestStats} from the request processor of the same task)
 * arrives here too, is kept per pool and goes out with every record. The per-pod store is the source of truth; {@link #pools}
 * mirrors it so that a record costs O(pods of its pool).
 */
final class PoolStatsProcessor implements Processor<String, Object, String, PoolStats> {
    /** Joins pool key and pod name in store keys, which are split at its last occurrence: pod names never contain it. */
    static final char STORE_KEY_SEPARATOR = '|';

    private final long stalenessMs;
    private final long heartbeatMs;
    private final long evaluationIntervalMs;
    private final long podRetentionMs;
    private final Map<String, PoolState> pools = new HashMap<>();
    private ProcessorContext<String, PoolStats> context;
    private KeyValueStore<String, PodGauges> podStore;

    PoolStatsProcessor(PoolStatsSettings settings) {
        this.stalenessMs = settings.staleness().toMillis();
        this.heartbeatMs = settings.heartbeat().toMillis();
        this.evaluationIntervalMs = settings.evaluationInterval().toMillis();
        this.podRetentionMs = settings.podRetention().toMillis();
    }

    static String storeKey(String poolKey, String pod) {
        return poolKey + STORE_KEY_SEPARATOR + pod;
    }

    @Override
    public void init(ProcessorContext<String, PoolStats> context) {
        this.context = context;
        this.podStore = context.getStateStore(PoolStatsTopology.POD_STORE);
        // Kafka Streams initialises processors only once their stores are restored from the changelog,
        // so this sees every pod the task held before a restart or a move to another instance.
        long nowMs = context.currentSystemTimeMs();
        try (KeyValueIterator<String, PodGauges> stored = podStore.all()) {
            while (stored.hasNext()) {
                KeyValue<String, PodGauges> entry = stored.next();
                int separator = entry.key.lastIndexOf(STORE_KEY_SEPARATOR);
                if (separator < 0) {
                    throw new IllegalStateException("Store " + PoolStatsTopology.POD_STORE + " holds key '" + entry.key
                            + "' without the '" + STORE_KEY_SEPARATOR + "' between pool and pod");
                }
                pools.computeIfAbsent(entry.key.substring(0, separator), k -> new PoolState(nowMs))
                        .put(entry.key.substring(separator + 1), entry.key, entry.value);
            }
        }
        // Wall-clock time, not stream time: a pool whose pods all died sends no more records, so its
        // stream time would stand still and its pods would never go stale.
        context.schedule(Duration.ofMillis(evaluationIntervalMs), PunctuationType.WALL_CLOCK_TIME, this::evaluateAll);
    }

    @Override
    public void process(Record<String, Object> record) {
        if (record.value() instanceof RequestStats requests) {
            processRequests(record.key(), requests);
            return;
        }
        String poolKey = record.key();
        PodMetrics sample = (PodMetrics) record.value();
        // Without a key the partition says nothing about the pool, so counting the sample could split a
        // pool across tasks; without a value there is no sample.
        if (poolKey == null || sample == null) {
            return;
        }
        long nowMs = context.currentSystemTimeMs();
        long sampleTimeMs = sample.getSampleTime().toEpochMilli();
        PoolState pool = pools.get(poolKey);
        PoolState.Pod known = pool == null ? null : pool.pod(sample.getPod());
        if (known != null && sampleTimeMs < known.gauges().sampleTimeMs()) {
            return; // out of order: the store already holds a newer sample of this pod
        }
        if (sample.getStatus() == PodStatus.GONE) {
            if (known == null) {
                return;
            }
            pool.remove(sample.getPod());
            podStore.delete(known.storeKey());
        } else {
            if (pool == null) {
                pool = new PoolState(nowMs);
                pools.put(poolKey, pool);
            }
            PodGauges gauges = new PodGauges(sampleTimeMs, sample.getKvCacheUsageRatio(), sample.getRequestsWaiting(),
                    sample.getRequestsRunning(), sample.getCluster(), sample.getNamespace(), sample.getPool());
            String storeKey = known != null ? known.storeKey() : storeKey(poolKey, sample.getPod());
            podStore.put(storeKey, gauges);
            pool.put(sample.getPod(), storeKey, gauges);
        }
        pool.recordSeenAt(nowMs);
        send(poolKey, pool.evaluate(nowMs, stalenessMs, false), nowMs);
    }

    private void processRequests(String poolKey, RequestStats requests) {
        String[] names = poolKey.split("/", 3);
        if (names.length != 3) {
            throw new IllegalStateException("Request stats for key '" + poolKey + "', which is not cluster/namespace/pool");
        }
        long nowMs = context.currentSystemTimeMs();
        PoolState pool = pools.computeIfAbsent(poolKey, k -> new PoolState(nowMs));
        pool.putRequests(requests, names[0], names[1], names[2]);
        pool.recordSeenAt(nowMs);
        send(poolKey, pool.evaluate(nowMs, stalenessMs, false), nowMs);
    }

    private void evaluateAll(long nowMs) {
        for (Iterator<Map.Entry<String, PoolState>> it = pools.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, PoolState> entry = it.next();
            PoolState pool = entry.getValue();
            pool.expirePods(nowMs - podRetentionMs, podStore);
            if (pool.forgettable(nowMs, podRetentionMs)) {
                it.remove();
                continue;
            }
            boolean heartbeatDue = pool.heartbeatDue(nowMs, heartbeatMs, evaluationIntervalMs);
            send(entry.getKey(), pool.evaluate(nowMs, stalenessMs, heartbeatDue), nowMs);
        }
    }

    private void send(String poolKey, PoolStats stats, long nowMs) {
        if (stats != null) {
            context.forward(new Record<>(poolKey, stats, nowMs));
        }
    }
}
