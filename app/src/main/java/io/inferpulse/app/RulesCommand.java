package io.inferpulse.app;

import io.inferpulse.streams.rules.PromDuration;
import io.inferpulse.streams.rules.RuleFileException;
import io.inferpulse.streams.rules.RuleFiles;
import io.inferpulse.streams.rules.RuleGroup;
import io.inferpulse.streams.rules.RuleSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code inferpulse rules}: tools for Prometheus alert rule files. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Prometheus alert rule files.",
        subcommands = RulesCommand.Check.class)
final class RulesCommand {

    /** Like {@code promtool check rules}: loads each file as the alert engine would and reports every problem. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Check rule files as the alert engine loads them: YAML shape, durations, templates and the "
                    + "supported PromQL subset (see docs/alert-rules.md).",
                    "Exit status: 0 when every file is usable, 1 otherwise."})
    static final class Check implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Rule files to check.")
        List<Path> files;

        @Option(names = "--request-window", defaultValue = "5m", paramLabel = "DURATION",
                converter = PrometheusDuration.class,
                description = "Window of the request statistics, the only range rate(...[W]) may use, as a Prometheus"
                        + " duration (default ${DEFAULT-VALUE}).")
        Duration requestWindow;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            RuleSettings defaults = RuleSettings.defaults();
            RuleSettings settings = new RuleSettings(defaults.defaultInterval(), requestWindow, defaults.externalUrl());
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            boolean failed = false;
            for (Path file : files) {
                out.println("Checking " + file);
                out.flush();
                try {
                    List<RuleGroup> groups = RuleFiles.load(List.of(file), settings);
                    out.println("  SUCCESS: " + groups.stream().mapToInt(g -> g.rules().size()).sum() + " rules found");
                } catch (RuleFileException e) {
                    failed = true;
                    err.println("  FAILED:");
                    e.errors().forEach(err::println);
                    err.flush();
                }
                out.println();
            }
            out.flush();
            return failed ? 1 : 0;
        }
    }

    static final class PrometheusDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return PromDuration.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
