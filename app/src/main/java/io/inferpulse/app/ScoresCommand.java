package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigReference;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.score.ScoreConfig;
import io.inferpulse.streams.score.ScoreJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "scores", mixinStandardHelpOptions = true,
        description = "Run the endpoint-scores job: a routing score per endpoint from pod metrics and access logs, "
                + "with STALE and FAILING health, published on change to the compacted inferpulse.endpoint-scores "
                + "(read by the router-feed endpoint table).")
final class ScoresCommand implements Callable<Integer>, ServiceCommand {
    static final ConfigReference SETTINGS = new ConfigReference("scores", ScoreConfig.parameters(),
            ScoreConfig.passThroughPrefixes());

    @Mixin
    ServiceOptions options;

    @Override
    public ConfigReference settings() {
        return SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        ScoreConfig config = ScoreConfig.from(options.load(SETTINGS, System.getenv()));
        return Lifecycle.serve("scores", config.ops(), (meters, health) ->
                StreamsJob.start(ScoreJob.spec(config, meters), meters, health));
    }
}
