package io.inferpulse.app;

import io.inferpulse.ingest.IngestConfig;
import io.inferpulse.ingest.IngestMetrics;
import io.inferpulse.ingest.logs.AccessLogFormats;
import io.inferpulse.ingest.receive.AccessLogPipeline;
import io.inferpulse.ingest.receive.StdinReceiver;
import io.inferpulse.runtime.config.ConfigReference;
import io.inferpulse.runtime.kafka.TopicSetup;
import io.inferpulse.runtime.ops.MeterRegistries;
import io.inferpulse.schemas.Topics;
import io.inferpulse.schemas.registry.RegistryClientConfig;
import io.inferpulse.schemas.registry.SchemaRegistryClient;
import io.inferpulse.schemas.registry.SchemaRegistryClients;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Access-log lines from a pipe to Kafka; returns once every line is acknowledged or dead-lettered. */
@Command(name = "stdin", mixinStandardHelpOptions = true,
        description = {"Publish access-log lines read from standard input (format: accesslog.format) to "
                + "inferpulse.access-logs; rejected lines go to inferpulse.dead-letter with their reason.",
                "Exits after end of input, once Kafka has acknowledged every line."})
final class StdinCommand implements Callable<Integer>, ServiceCommand {
    @Mixin
    ServiceOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public ConfigReference settings() {
        return IngestCommand.SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        IngestConfig config = IngestConfig.from(options.load(settings(), System.getenv()));
        TopicSetup.ensure(config.kafka(), Topics.specs(Topics.ACCESS_LOGS, Topics.DEAD_LETTER));
        IngestConfig.AccessLogs logs = config.accessLogs();
        var parser = AccessLogFormats.parser(logs.format(), logs.mapping(), logs.maxLineBytes());
        try (SchemaRegistryClient registry = SchemaRegistryClients.create(
                     RegistryClientConfig.fromSerdeConfig(config.kafka().registryConfig()));
             AccessLogPipeline pipeline = AccessLogPipeline.create("stdin", parser,
                     new AccessLogPipeline.Settings(logs.maxLineBytes(), 64 * 1024, Duration.ofHours(1), config.publishMaxBackoff()),
                     config.kafka(), registry, new IngestMetrics(MeterRegistries.prometheus()), Clock.systemUTC())) {
            StdinReceiver.Summary summary = new StdinReceiver(pipeline, StdinReceiver.Settings.defaults()).run(System.in);
            spec.commandLine().getErr().printf("%d lines: %d published, %d rejected to %s%n",
                    summary.lines(), summary.published(), summary.rejected(), Topics.DEAD_LETTER);
            return 0;
        }
    }
}
