package io.inferpulse.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@code --help-config} prints and docs/configuration.md lists, from one service's declarations. */
class ConfigReferenceTest {
    private static final ConfigReference NOTIFIER = new ConfigReference("notify", List.of(
            ConfigParameter.required("notifier.config", ConfigParsers.PATH, "Routing file"),
            ConfigParameter.of("notifier.retry.attempts", ConfigParsers.INT, "8", "Attempts per notification"),
            ConfigParameter.of("notifier.external.url", ConfigParsers.STRING, "", "Link sent as externalURL"),
            ConfigParameter.of("api.token", ConfigParsers.NON_EMPTY, "s3cret", "Token | of the <receiver> API").asSecret()),
            Set.of("streams.", "kafka."));

    @Test
    void shouldPrintEveryKeyWithItsVariableDefaultAndDescriptionThenThePrefixesPassedThrough() {
        assertThat(NOTIFIER.text()).isEqualTo("""
                Settings of notify, each taken from the first of: --set KEY=VALUE (or a flag naming the key), \
                its environment variable, the -c FILE, its default.

                KEY                      ENVIRONMENT VARIABLE                DEFAULT
                notifier.config          INFERPULSE_NOTIFIER_CONFIG          (required)
                    Routing file
                notifier.retry.attempts  INFERPULSE_NOTIFIER_RETRY_ATTEMPTS  8
                    Attempts per notification
                notifier.external.url    INFERPULSE_NOTIFIER_EXTERNAL_URL    (empty)
                    Link sent as externalURL
                api.token                INFERPULSE_API_TOKEN                (hidden)
                    Token | of the <receiver> API

                Also accepted, and passed on as they are: any key under these prefixes.
                kafka.*                  INFERPULSE_KAFKA_*
                streams.*                INFERPULSE_STREAMS_*
                """);
    }

    @Test
    void shouldWriteTheSameAsAMarkdownTableWithPipesAndTagsEscaped() {
        assertThat(NOTIFIER.markdown()).isEqualTo("""
                | key | environment variable | default | description |
                |---|---|---|---|
                | `notifier.config` | `INFERPULSE_NOTIFIER_CONFIG` | *required* | Routing file |
                | `notifier.retry.attempts` | `INFERPULSE_NOTIFIER_RETRY_ATTEMPTS` | `8` | Attempts per notification |
                | `notifier.external.url` | `INFERPULSE_NOTIFIER_EXTERNAL_URL` | *empty* | Link sent as externalURL |
                | `api.token` | `INFERPULSE_API_TOKEN` | *hidden* | Token \\| of the \\<receiver> API |

                Also accepted, and passed on as they are: any key under `kafka.` (`INFERPULSE_KAFKA_*`), \
                `streams.` (`INFERPULSE_STREAMS_*`).
                """);
    }

    @Test
    void shouldWidenTheColumnsToALongPrefixAndLeaveOutThePrefixesWhenThereAreNone() {
        ConfigParameter<Integer> port = ConfigParameter.of("a", ConfigParsers.PORT, "1", "A");

        assertThat(new ConfigReference("x", List.of(port), Set.of("score.cluster-labels.")).text())
                .endsWith("""
                        KEY                     ENVIRONMENT VARIABLE               DEFAULT
                        a                       INFERPULSE_A                       1
                            A

                        Also accepted, and passed on as they are: any key under these prefixes.
                        score.cluster-labels.*  INFERPULSE_SCORE_CLUSTER_LABELS_*
                        """);
        assertThat(new ConfigReference("x", List.of(port), Set.of()).markdown()).doesNotContain("Also accepted");
    }

    @Test
    void shouldDocumentADefaultUnderTheTemporaryDirectoryByThePropertyNotThisMachinesPath() {
        String tmp = System.getProperty("java.io.tmpdir");
        ConfigReference streams = new ConfigReference("streams", List.of(ConfigParameter.of("streams.state.dir",
                ConfigParsers.PATH, tmp + "/inferpulse-streams", "Directory for local state")), Set.of());

        assertThat(streams.markdown()).contains("| `${java.io.tmpdir}/inferpulse-streams` |").doesNotContain(tmp);
        assertThat(streams.text()).contains(tmp + "/inferpulse-streams");
    }
}
