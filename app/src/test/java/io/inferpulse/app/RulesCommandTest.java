package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.streams.rules.RuleFiles;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code inferpulse rules check}: what a user sees when checking rule files, as with promtool check rules. */
class RulesCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldAcceptTheSeedRuleFile(@TempDir Path dir) throws Exception {
        // given the seeds' alerts.yaml as a user would have it on disk
        Path file = dir.resolve("alerts.yaml");
        try (InputStream in = RuleFiles.class.getResourceAsStream(RuleFiles.DEFAULT_RESOURCE)) {
            Files.copy(in, file);
        }

        // when it is checked
        int exit = run("rules", "check", file.toString());

        // then all four rules are found and nothing goes wrong
        assertThat(exit).isZero();
        assertThat(out.toString()).isEqualTo("Checking " + file + "\n  SUCCESS: 4 rules found\n\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldNameTheUnsupportedFunctionWithFileLineAndRule(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), """
                groups:
                - name: g
                  rules:
                  - alert: NoPods
                    expr: inference_pool_ready_pods == 0
                """);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                groups:
                - name: g
                  rules:
                  - alert: QueueGrowing
                    expr: deriv(inference_pool_average_queue_size[5m]) > 0
                """);

        int exit = run("rules", "check", good.toString(), bad.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("Checking " + good + "\n  SUCCESS: 1 rules found\n\nChecking " + bad
                + "\n\n");
        assertThat(err.toString()).startsWith("  FAILED:\nrule QueueGrowing (" + bad + ":5): expr \"deriv("
                + "inference_pool_average_queue_size[5m]) > 0\": function \"deriv\" is not supported; supported: ");
    }

    @Test
    void shouldReportTheLineOfMalformedYaml(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("broken.yaml"), "groups:\n- name: g\n  rules: [\n");

        int exit = run("rules", "check", bad.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).startsWith("  FAILED:\n" + bad + ":4: malformed YAML: ");
    }

    @Test
    void shouldCheckRangesAgainstTheGivenRequestWindow(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("w.yaml"), """
                groups:
                - name: g
                  rules:
                  - alert: Errors
                    expr: sum(rate(inference_model_request_error_total[1m])) > 0
                """);

        assertThat(run("rules", "check", "--request-window", "1m", file.toString())).isZero();
        assertThat(run("rules", "check", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("computed over 5m windows only");
    }

    @Test
    void shouldRejectARequestWindowThatIsNotAPrometheusDuration(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("empty.yaml"), "groups: []\n");

        int exit = run("rules", "check", "--request-window", "five minutes", file.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("--request-window").contains("not a valid duration string: \"five minutes\"");
    }

    private int run(String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
