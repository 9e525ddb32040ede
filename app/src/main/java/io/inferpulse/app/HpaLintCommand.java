package io.inferpulse.app;

import io.inferpulse.autoscaler.hpa.HpaLint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inferpulse autoscaler lint}: HPA targets that do not do what their authors expect. */
@Command(name = "lint", mixinStandardHelpOptions = true,
        description = {"Check HorizontalPodAutoscaler manifests (multi-document YAML, kind List too) for an "
                + "AverageValue target on a pool average (inference_pool_average_*, EPP or Stackdriver names): HPA "
                + "then scales to ceil(value / target) whatever the replica count. Each warning says what to use "
                + "instead.",
                "Exit status: 0, or 1 with --strict when there are warnings; 2 when a file cannot be read."})
final class HpaLintCommand implements Callable<Integer> {
    static final int WARNINGS = 1;
    static final int UNREADABLE = 2;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Manifests to check.")
    List<Path> files;

    @Option(names = "--strict", description = "Exit with status 1 when there is any warning.")
    boolean strict;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int warnings = 0;
        boolean unreadable = false;
        for (Path file : files) {
            try {
                for (HpaLint.Finding finding : HpaLint.check(file.toString(), Files.readString(file))) {
                    out.println("warning: " + finding.message());
                    warnings++;
                }
            } catch (IOException e) {
                err.println(file + ": cannot read: " + e.getMessage());
                unreadable = true;
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                unreadable = true;
            }
        }
        out.println(warnings + (warnings == 1 ? " warning" : " warnings") + " in " + files.size()
                + (files.size() == 1 ? " file" : " files"));
        out.flush();
        err.flush();
        return unreadable ? UNREADABLE : strict && warnings > 0 ? WARNINGS : 0;
    }
}
