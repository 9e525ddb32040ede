package io.inferpulse.app;

import io.inferpulse.notifier.NotifierConfig;
import io.inferpulse.notifier.NotifierService;
import io.inferpulse.runtime.config.ConfigReference;
import io.inferpulse.runtime.kafka.KafkaSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "notify", mixinStandardHelpOptions = true,
        description = "Deliver alerts from inferpulse.alerts to Alertmanager, webhooks, Slack and PagerDuty, "
                + "routed and grouped as the routing file (notifier.config) says.")
final class NotifyCommand implements Callable<Integer>, ServiceCommand {
    static final ConfigReference SETTINGS = new ConfigReference("notify", NotifierConfig.parameters(),
            KafkaSettings.PASS_THROUGH_PREFIXES);

    @Mixin
    ServiceOptions options;

    @Override
    public ConfigReference settings() {
        return SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        NotifierConfig config = NotifierConfig.from(options.load(SETTINGS, System.getenv()), System.getenv());
        return Lifecycle.serve("notify", config.ops(), (meters, health) -> NotifierService.start(config, meters, health));
    }
}
