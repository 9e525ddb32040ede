package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import io.inferpulse.runtime.kafka.KafkaSettings;
import io.inferpulse.schemas.Topics;
import java.util.Collection;
import java.util.Optional;

/**
 * The pool-stats and model-stats tables held in memory, kept current from their compacted topics:
 * what the external metrics API answers from. Ready once both topics have been read to the end
 * they had at start, so a restarted replica never serves a half-loaded table.
 */
final class StatsView implements StatsSource, AutoCloseable {
    private final CompactedTopicView<PoolStats> pools;
    private final CompactedTopicView<ModelStats> models;

    private StatsView(CompactedTopicView<PoolStats> pools, CompactedTopicView<ModelStats> models) {
        this.pools = pools;
        this.models = models;
    }

    static StatsView start(KafkaSettings kafka, Topics topics, String clientId) {
        CompactedTopicView<PoolStats> pools = CompactedTopicView.start(kafka.clientConfig(clientId + "-pool-stats"), topics.poolStats());
        try {
            return new StatsView(pools, CompactedTopicView.start(kafka.clientConfig(clientId + "-model-stats"), topics.modelStats()));
        } catch (RuntimeException e) {
            try {
                pools.close();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    @Override
    public Collection<PoolStats> pools() {
        return pools.values().values();
    }

    @Override
    public Collection<ModelStats> models() {
        return models.values().values();
    }

    /** Empty when both tables are loaded, otherwise what is still missing: for /readyz. */
    Optional<String> notReady() {
        for (CompactedTopicView<?> view : new CompactedTopicView<?>[] {pools, models}) {
            if (view.failure() != null) {
                return Optional.of("stopped reading " + view.topic() + ": " + view.failure().getMessage());
            }
            if (!view.caughtUp()) {
                return Optional.of("still reading " + view.topic() + " from the beginning");
            }
        }
        return Optional.empty();
    }

    /** Empty while both readers run: for /livez, since a dead reader only serves older and older values. */
    Optional<String> notLive() {
        for (CompactedTopicView<?> view : new CompactedTopicView<?>[] {pools, models}) {
            if (!view.running()) {
                return Optional.of("the reader of " + view.topic() + " stopped"
                        + (view.failure() == null ? "" : ": " + view.failure().getMessage()));
            }
        }
        return Optional.empty();
    }

    long skippedRecords() {
        return pools.skipped() + models.skipped();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            pools.close();
        } finally {
            models.close();
        }
    }
}
