package io.inferpulse.app;

import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams job: pool stats from pod metrics and access logs (inferpulse.pool-stats), "
                + "request statistics per model (inferpulse.model-stats) and error details (inferpulse.error-details).")
final class StreamsCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions options;

    @Override
    public Integer call() throws Exception {
        PoolStatsConfig config = PoolStatsConfig.from(options.load("streams", PoolStatsConfig.parameters(),
                PoolStatsConfig.passThroughPrefixes(), System.getenv()));
        return Lifecycle.serve("streams", config.ops(), (meters, health) ->
                StreamsJob.start(PoolStatsJob.spec(config), meters, health));
    }
}
