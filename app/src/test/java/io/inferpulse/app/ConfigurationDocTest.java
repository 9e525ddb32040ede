package io.inferpulse.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** docs/configuration.md says what the services declare; run with -Dinferpulse.write-config-doc to rewrite it. */
class ConfigurationDocTest {

    @Test
    void shouldListEverySettingEveryServiceDeclares() throws IOException {
        String expected = ConfigurationDoc.render();
        if (Boolean.getBoolean(ConfigurationDoc.WRITE_PROPERTY)) {
            Files.writeString(ConfigurationDoc.FILE, expected);
        }
        String actual = Files.exists(ConfigurationDoc.FILE) ? Files.readString(ConfigurationDoc.FILE) : "";

        assertThat(ConfigurationDoc.problem(expected, actual)).isEmpty();
    }

    @Test
    void shouldNameTheServiceWhoseSettingsChangedAndHowToRewriteTheFile() {
        String expected = ConfigurationDoc.render();
        String stale = expected.replace("| `scrape.interval` | `INFERPULSE_SCRAPE_INTERVAL` | `1s` |",
                "| `scrape.interval` | `INFERPULSE_SCRAPE_INTERVAL` | `15s` |");

        assertThat(stale).isNotEqualTo(expected);
        assertThat(ConfigurationDoc.problem(expected, stale)).hasValue("docs/configuration.md does not match the "
                + "declared settings (ingest: differs). Rewrite it with: mvn -pl app -am test -Dtest=ConfigurationDocTest "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dinferpulse.write-config-doc");
    }

    @Test
    void shouldNameAServiceMissingFromTheFileAndASectionNoCommandDeclares() {
        String expected = ConfigurationDoc.render();
        String picker = expected.substring(expected.indexOf("\n## picker\n"));
        String stale = expected.replace(picker, "\n## router\n\n`inferpulse router`\n");

        assertThat(ConfigurationDoc.problem(expected, stale)).hasValueSatisfying(problem -> assertThat(problem)
                .contains("(picker: missing; router: declared by no command)"));
    }

    @Test
    void shouldGiveEachServiceOneSectionNamingTheCommandsThatTakeItsSettings() {
        assertThat(ConfigurationDoc.render())
                .contains("\n## ingest\n\n`inferpulse ingest`, `inferpulse ingest parse`, `inferpulse ingest stdin`\n\n| key |")
                .contains("\n## metrics-api\n\n`inferpulse autoscaler metrics-api`\n\n| key |")
                .contains("| `picker.strategy` | `INFERPULSE_PICKER_STRATEGY` | `max-score` |")
                .contains("| `notifier.config` | `INFERPULSE_NOTIFIER_CONFIG` | *required* |");
    }
}
