package io.inferpulse.app;

import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsService;
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
        return Lifecycle.serve("streams", config.ops(), (meters, health) -> PoolStatsService.start(config, meters, health));
    }
}
