package io.inferpulse.routerfeed.epp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EppSettingsTest {

    @Test
    void shouldDefaultToGiesPortsAndTheDemosFirstPool() {
        EppSettings settings = EppSettings.of(Map.of());

        assertThat(settings.port()).isEqualTo(9002);
        assertThat(settings.healthPort()).isEqualTo(9003);
        assertThat(settings.ops().port()).isEqualTo(9407);
        assertThat(settings.pool().key()).isEqualTo("local/default/pool-0");
        assertThat(settings.requestBodyMode()).isEqualTo(EppSettings.BodyMode.FULL_DUPLEX_STREAMED);
        assertThat(settings.objectives().priorityOf("anything")).isZero();
    }

    @Test
    void shouldGiveListedObjectivesTheirPriorityAndOthersZero() {
        Objectives objectives = EppSettings.of(Map.of("objectives", "premium=10, batch=-1")).objectives();

        assertThat(objectives.priorityOf("premium")).isEqualTo(10);
        assertThat(objectives.priorityOf("batch")).isEqualTo(-1);
        assertThat(objectives.priorityOf("unlisted")).isZero();
        assertThat(objectives.priorityOf(null)).isZero();
    }

    @Test
    void shouldReadObjectivesAsAYamlListInTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("picker.yaml"), """
                pool:
                  name: llama-pool
                objectives:
                  - premium=10
                  - batch=-1
                """);

        EppSettings settings = EppSettings.from(Configuration.load(EppSettings.parameters(), EppSettings.passThroughPrefixes(),
                new Configuration.Sources(Map.of(), Map.of(), Optional.of(file))));

        assertThat(settings.pool().name()).isEqualTo("llama-pool");
        assertThat(settings.objectives().priorities()).isEqualTo(Map.of("premium", 10, "batch", -1));
    }

    @Test
    void shouldRejectAnObjectiveWithoutAnIntegerPriorityNamingIt() {
        assertThatThrownBy(() -> EppSettings.of(Map.of("objectives", "premium=high")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("objectives").hasMessageContaining("premium");
        assertThatThrownBy(() -> EppSettings.of(Map.of("objectives", "premium")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'premium' is not name=priority");
        assertThatThrownBy(() -> EppSettings.of(Map.of("objectives", "a=1,a=2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("objective a is listed twice");
    }

    @Test
    void shouldRejectTheStreamedBodyModeSayingWhy() {
        assertThatThrownBy(() -> EppSettings.of(Map.of("epp.request-body-mode", "streamed")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("epp.request-body-mode")
                .hasMessageContaining("headers go upstream before it arrives");
        assertThat(EppSettings.of(Map.of("epp.request-body-mode", "buffered")).requestBodyMode())
                .isEqualTo(EppSettings.BodyMode.BUFFERED);
    }

    @Test
    void shouldRequireBothTlsFilesAndSecureServingForThem() {
        assertThatThrownBy(() -> EppSettings.of(Map.of("epp.secure-serving", "true", "epp.tls.cert-file", "/tls/tls.crt")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("epp.tls.cert-file and epp.tls.key-file: set both");
        assertThatThrownBy(() -> EppSettings.of(Map.of("epp.tls.cert-file", "/tls/tls.crt", "epp.tls.key-file", "/tls/tls.key")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("epp.secure-serving is false");
        EppSettings.Tls tls = EppSettings.of(Map.of("epp.secure-serving", "true")).tls();
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.certFile()).as("self-signed").isEmpty();
    }

    @Test
    void shouldRejectOnePortForBothServers() {
        assertThatThrownBy(() -> EppSettings.of(Map.of("epp.port", "9002", "epp.health-port", "9002")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("epp.port and epp.health-port are both 9002");
    }
}
