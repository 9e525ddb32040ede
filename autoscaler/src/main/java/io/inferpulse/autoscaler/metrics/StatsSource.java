package io.inferpulse.autoscaler.metrics;

import io.inferpulse.avro.ModelStats;
import io.inferpulse.avro.PoolStats;
import java.util.Collection;

/** The latest pool and model statistics: the Kafka-backed {@link StatsView}, or a fixed table in tests. */
interface StatsSource {
    Collection<PoolStats> pools();

    Collection<ModelStats> models();
}
