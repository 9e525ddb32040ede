package io.inferpulse.autoscaler.metrics;

import static io.inferpulse.autoscaler.metrics.StatsStack.pool;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.runtime.ops.HealthChecks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client reads the metrics API over HTTPS as HPA does, against the real server on loopback. */
class ExternalMetricsClientTest {
    private static final String KV_CACHE = "inference_pool_average_kv_cache_utilization";

    @Test
    void shouldSumTheSelectedItemsAndBeEmptyWhenThereAreNoneOrAnError() {
        // given two clusters' pool-0 in default, served with a self-signed certificate the client trusts
        Instant now = Instant.now();
        FixedStats stats = new FixedStats();
        stats.pools.add(pool("c1", "default", "pool-0", now, 0.5, 12, 3));
        stats.pools.add(pool("c2", "default", "pool-0", now, 0.25, 0, 1));
        stats.pools.add(pool("c1", "default", "pool-1", now, 0.9, 0, 1));
        ServingTls.KeyMaterial serving = ServingTls.selfSigned(List.of("127.0.0.1"));
        MetricsApiMetrics metrics = new MetricsApiMetrics(new SimpleMeterRegistry());
        MetricsQuery query = new MetricsQuery(stats, Staleness.error(Duration.ofMinutes(10)), Clock.systemUTC(), metrics);
        try (MetricsApiServer server = MetricsApiServer.start("127.0.0.1", 0,
                Optional.of(ServingTls.context(serving, List.of())), false,
                new MetricsApi(query, new HealthChecks(), AccessControl.insecureLocal()), metrics)) {
            ExternalMetricsClient client = new ExternalMetricsClient(server.url(), serving.certificate());

            // when / then: both pool-0 items summed; no items and an unknown metric give no value
            assertThat(client.value("default", KV_CACHE, "name=pool-0")).hasValue(0.75);
            assertThat(client.value("nobody", KV_CACHE, "name=pool-0")).isEmpty();
            assertThat(client.value("default", "no_such_metric", "name=pool-0")).isEmpty();
        }
    }
}
