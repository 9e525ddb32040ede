package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stats tables the test sets directly. */
final class FixedStats implements StatsSource {
    final List<PoolStats> pools = new CopyOnWriteArrayList<>();
    final List<ModelStats> models = new CopyOnWriteArrayList<>();

    @Override
    public Collection<PoolStats> pools() {
        return pools;
    }

    @Override
    public Collection<ModelStats> models() {
        return models;
    }
}
