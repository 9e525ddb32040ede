package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigReference;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.pool.PoolStatsConfig;
import io.inferpulse.streams.pool.PoolStatsJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams job: pool stats from pod metrics and access logs (inferpulse.pool-stats), "
                + "request statistics per model (inferpulse.model-stats) and error details (inferpulse.error-details).")
final class StreamsCommand implements Callable<Integer>, ServiceCommand {
    static final ConfigReference SETTINGS = new ConfigReference("streams", PoolStatsConfig.parameters(),
            PoolStatsConfig.passThroughPrefixes());

    @Mixin
    ServiceOptions options;

    @Override
    public ConfigReference settings() {
        return SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        PoolStatsConfig config = PoolStatsConfig.from(options.load(SETTINGS, System.getenv()));
        return Lifecycle.serve("streams", config.ops(), (meters, health) ->
                StreamsJob.start(PoolStatsJob.spec(config), meters, health));
    }
}
