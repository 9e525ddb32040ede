package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferpulse scores}: what a user sees when the job's settings are wrong. */
class ScoresCommandTest {

    @Test
    void shouldRefuseToStartNamingTheFileLineAndKeyOfABadWeight(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("scores.yaml"), """
                score.weight.queue: 2
                score.weight.kv-cache: lots
                """);
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        // Nothing listens on port 1: the settings are judged before any connection is tried.
        int exit = cli.execute("scores", "--config", config.toString(), "--http-port", "0",
                "--bootstrap-servers", "127.0.0.1:1");

        assertThat(exit).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).startsWith("Invalid configuration: " + config + ":2: score.weight.kv-cache: 'lots' is not a number");
    }

    @Test
    void shouldRefuseAClusterLabelThatIsNotLabelEqualsValue() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("scores", "--set", "score.cluster-labels.prod-eu=europe-west4", "--http-port", "0",
                "--bootstrap-servers", "127.0.0.1:1");

        assertThat(exit).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).contains("score.cluster-labels.prod-eu: 'europe-west4' is not label=value");
    }
}
