package io.inferpulse.app;

import io.inferpulse.runtime.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code inferpulse} command. */
@Command(name = "inferpulse", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Telemetry, alerting and autoscaling for LLM inference gateways, on Kafka.",
        subcommands = {DemoCommand.class, IngestCommand.class, StreamsCommand.class, ScoresCommand.class, AlertsCommand.class,
                NotifyCommand.class, AutoscalerCommand.class, PickerCommand.class, RulesCommand.class, BrokerCommand.class,
                RegistryCommand.class, SimulateCommand.class, BenchCommand.class})
public final class Main {
    static final int CONFIG_ERROR = 2;

    public static void main(String[] args) {
        boolean dryRun = args.length > 1 && args[0].equals("ingest") && args[1].equals("parse");
        if (args.length > 0 && (args[0].equals("demo") || args[0].equals("bench") || dryRun)
                && System.getProperty("inferpulse.log.level") == null) {
            // These commands' output is the point; only warnings and errors may interrupt it.
            System.setProperty("inferpulse.log.level", "WARN");
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionStrategy(ServiceOptions::printSettingsOrRun);
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println(cmd.getColorScheme().errorText(e.getMessage()));
                return CONFIG_ERROR;
            }
            throw e;
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"inferpulse " + (v == null ? "(development build)" : v)};
        }
    }
}
