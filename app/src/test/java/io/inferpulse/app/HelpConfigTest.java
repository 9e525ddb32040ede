package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code --help-config}: a service command's settings, printed without starting or checking anything. */
class HelpConfigTest {

    @Test
    void shouldPrintTheNotifiersSettingsAndExitWithoutItsRequiredRoutingFile() {
        String printed = CommandRun.run(0, "notify", "--help-config");

        assertThat(printed).isEqualTo(NotifyCommand.SETTINGS.text())
                .startsWith("Settings of notify, each taken from the first of: --set KEY=VALUE")
                .containsPattern("\nnotifier\\.config +INFERPULSE_NOTIFIER_CONFIG +\\(required\\)\n    Routing file")
                .containsPattern("\nnotifier\\.retry\\.attempts +INFERPULSE_NOTIFIER_RETRY_ATTEMPTS +8\n")
                .containsPattern("\nkafka\\.\\* +INFERPULSE_KAFKA_\\*\n");
    }

    @Test
    void shouldPrintIngestsSettingsForItsDryRunWithoutTheRequiredFormat() {
        String printed = CommandRun.run(0, "ingest", "parse", "--help-config");

        assertThat(printed).isEqualTo(IngestCommand.SETTINGS.text())
                .containsPattern("\nscrape\\.interval +INFERPULSE_SCRAPE_INTERVAL +1s\n")
                .containsPattern("\nengines\\.\\* +INFERPULSE_ENGINES_\\*\n");
    }

    @Test
    void shouldPrintThePickersServerAndPickingSettings() {
        String printed = CommandRun.run(0, "picker", "--help-config");

        assertThat(printed).containsPattern("\nepp\\.port +INFERPULSE_EPP_PORT +9002\n")
                .containsPattern("\npicker\\.strategy +INFERPULSE_PICKER_STRATEGY +max-score\n");
    }

    @Test
    void shouldNotJudgeTheOtherSettingsGivenWithIt() {
        String printed = CommandRun.run(0, "autoscaler", "metrics-api", "--help-config", "--set", "no.such.key=1",
                "--port", "99999");

        assertThat(printed).isEqualTo(MetricsApiCommand.SETTINGS.text());
    }

    @Test
    void shouldBeListedInTheUsageOfEveryCommandThatHasSettings() {
        assertThat(CommandRun.run(0, "streams", "--help")).contains("--help-config");
        assertThat(CommandRun.commands()
                .filter(c -> c.getCommandSpec().findOption(ServiceOptions.HELP_CONFIG) != null)
                .filter(c -> !(c.getCommand() instanceof ServiceCommand))
                .map(c -> c.getCommandSpec().qualifiedName()))
                .as("commands taking ServiceOptions without declaring their settings (implement ServiceCommand)")
                .isEmpty();
    }
}
