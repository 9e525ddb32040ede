package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferpulse alerts}: what a user sees when the job cannot start. */
class AlertsCommandTest {
    @Test
    void shouldRefuseToStartWithABadRuleFileNamingFileLineAndRule(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                groups:
                - name: pools
                  rules:
                  - alert: QueueHigh
                    expr: inference_pool_average_queue_size >
                """);
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        // Nothing listens on port 1: the rules are judged before any connection is tried.
        int exit = cli.execute("alerts", "--set", "alerts.rules=" + bad, "--http-port", "0",
                "--bootstrap-servers", "127.0.0.1:1", "--set", "streams.state.dir=" + dir.resolve("state"));

        assertThat(exit).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).startsWith("Invalid configuration: alerts.rules: rule QueueHigh (" + bad + ":5): expr ");
    }
}
