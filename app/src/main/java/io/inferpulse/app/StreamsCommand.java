package io.inferpulse.app;

import io.inferpulse.runtime.ops.HealthChecks;
import io.inferpulse.runtime.ops.MeterRegistries;
import io.inferpulse.runtime.ops.OpsServer;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsService;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams jobs: pool stats from pod metrics (inferpulse.pool-stats).")
final class StreamsCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions options;

    @Override
    public Integer call() throws Exception {
        PoolStatsConfig config = PoolStatsConfig.from(options.load("streams", PoolStatsConfig.parameters(),
                PoolStatsConfig.passThroughPrefixes(), System.getenv()));
        Lifecycle life = new Lifecycle();
        var meters = MeterRegistries.prometheus();
        Metrics.addRegistry(meters);
        var health = new HealthChecks();
        life.add(OpsServer.start("streams", config.ops().host(), config.ops().port(), meters, health));
        life.add(PoolStatsService.start(config, meters, health));
        life.awaitShutdown();
        return 0;
    }
}
