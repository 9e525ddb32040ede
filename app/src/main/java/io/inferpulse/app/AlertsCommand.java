package io.inferpulse.app;

import io.inferpulse.streams.alert.AlertConfig;
import io.inferpulse.streams.alert.AlertService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "Run the alert-evaluation job: Prometheus alerting rules over pool and model stats (inferpulse.alerts).")
final class AlertsCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions options;

    @Override
    public Integer call() throws Exception {
        AlertConfig config = AlertConfig.from(options.load("alerts", AlertConfig.parameters(),
                AlertConfig.passThroughPrefixes(), System.getenv()));
        return Lifecycle.serve("alerts", config.ops(), (meters, health) -> AlertService.start(config, meters, health));
    }
}
