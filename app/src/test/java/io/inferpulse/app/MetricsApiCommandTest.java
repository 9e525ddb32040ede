package io.inferpulse.app;

import static io.inferpulse.app.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code inferpulse autoscaler metrics-api}: what a user sees when the service cannot start. */
class MetricsApiCommandTest {
    @Test
    void shouldRefuseACertificateWithoutItsKey() {
        // Nothing listens on port 1: the settings are judged before any connection is tried.
        String err = run(Main.CONFIG_ERROR, "autoscaler", "metrics-api", "--insecure-local", "--http-port", "0",
                "--bootstrap-servers", "127.0.0.1:1", "--set", "tls.cert-file=/etc/tls/tls.crt");

        assertThat(err).contains("tls.cert-file and tls.key-file: set both");
    }

    @Test
    void shouldNameABadStalenessSetting() {
        String err = run(Main.CONFIG_ERROR, "autoscaler", "metrics-api", "--insecure-local", "--http-port", "0",
                "--bootstrap-servers", "127.0.0.1:1", "--set", "staleness.mode=ignore");

        assertThat(err).contains("staleness.mode", "'ignore' is not one of [error, fallback]");
    }

    @Test
    void shouldBeListedUnderAutoscaler() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.execute("autoscaler", "--help");

        assertThat(out.toString()).contains("metrics-api");
    }
}
