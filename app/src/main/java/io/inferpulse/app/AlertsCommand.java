package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigReference;
import io.inferpulse.streams.alert.AlertConfig;
import io.inferpulse.streams.alert.AlertJob;
import io.inferpulse.streams.job.StreamsJob;
import io.inferpulse.streams.rules.RuleFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "Run the alert-evaluation job: Prometheus alerting rules over pool and model stats (inferpulse.alerts).")
final class AlertsCommand implements Callable<Integer>, ServiceCommand {
    static final ConfigReference SETTINGS = new ConfigReference("alerts", AlertConfig.parameters(),
            AlertConfig.passThroughPrefixes());

    @Mixin
    ServiceOptions options;

    @Override
    public ConfigReference settings() {
        return SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        AlertConfig config = AlertConfig.from(options.load(SETTINGS, System.getenv()));
        try {
            return Lifecycle.serve("alerts", config.ops(), (meters, health) ->
                    StreamsJob.start(AlertJob.spec(config, meters), meters, health));
        } catch (RuleFileException e) {
            // A bad rule file is bad configuration: each error names file, line and rule, which a stack trace only buries.
            throw new ConfigException(e.errors().stream().map(error -> AlertConfig.RULES.key() + ": " + error).toList());
        }
    }
}
