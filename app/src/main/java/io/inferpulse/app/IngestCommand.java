package io.inferpulse.app;

import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.IngestService;
import io.inferpulse.runtime.config.ConfigReference;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "ingest", mixinStandardHelpOptions = true, subcommands = {ParseCommand.class, StdinCommand.class},
        description = "Scrape model servers' /metrics and publish pod samples to Kafka (inferpulse.pod-metrics).")
final class IngestCommand implements Callable<Integer>, ServiceCommand {
    static final ConfigReference SETTINGS = new ConfigReference("ingest", IngestConfig.parameters(),
            IngestConfig.passThroughPrefixes());

    @Mixin
    ServiceOptions options;

    @Override
    public ConfigReference settings() {
        return SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        IngestConfig config = IngestConfig.from(options.load(SETTINGS, System.getenv()));
        return Lifecycle.serve("ingest", config.ops(), (meters, health) ->
                IngestService.start(config, meters, health, Clock.systemUTC()));
    }
}
