package io.inferpulse.routerfeed.pick;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.Configuration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PickerSettingsTest {
    @TempDir
    Path dir;

    private static PickerSettings load(Map<String, String> flags) {
        return PickerSettings.from(Configuration.load(PickerSettings.PARAMETERS, Set.of(), Configuration.Sources.of(flags)));
    }

    @Test
    void shouldDefaultToTheEppsPickerAndSaturationThresholds() {
        assertThat(load(Map.of())).isEqualTo(PickerSettings.defaults());
        assertThat(PickerSettings.defaults()).isEqualTo(new PickerSettings(Strategy.MAX_SCORE, 2, 5, 0.8, 1, 0.1,
                Optional.empty(), false, Optional.empty()));
    }

    @Test
    void shouldReadEverySetting() {
        PickerSettings settings = load(Map.of(
                "picker.strategy", "power-of-two",
                "picker.fallbacks", "0",
                "picker.saturation.queue", "8",
                "picker.saturation.kv-cache", "0.9",
                "picker.lora-affinity", "0.5",
                "picker.pending-penalty", "0",
                "picker.policy.kubernetes", "true",
                "picker.policy.namespace", "llm"));

        assertThat(settings).isEqualTo(new PickerSettings(Strategy.POWER_OF_TWO, 0, 8, 0.9, 0.5, 0,
                Optional.empty(), true, Optional.of("llm")));
    }

    @Test
    void shouldNameTheKeyOfABadValue() {
        assertThatThrownBy(() -> load(Map.of("picker.strategy", "round-robin", "picker.saturation.kv-cache", "1.5")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).satisfiesExactlyInAnyOrder(
                        p -> assertThat(p).contains("picker.strategy").contains("'round-robin' is not one of"
                                + " [max_score, weighted_random, power_of_two]"),
                        p -> assertThat(p).contains("picker.saturation.kv-cache").contains("1.5 is not between 0.0 and 1.0")));
    }

    @Test
    void shouldRefuseTwoSourcesOfPolicies() {
        assertThatThrownBy(() -> load(Map.of("picker.policy.kubernetes", "true", "picker.policy.file", "/etc/p.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("picker.policy.kubernetes and picker.policy.file (/etc/p.yaml) are both set");
        assertThatThrownBy(() -> load(Map.of("picker.policy.namespace", "llm")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("picker.policy.namespace (llm) is set but picker.policy.kubernetes is not");
    }

    @Test
    void shouldCheckThePolicyFileWhenThePoliciesAreOpened() throws IOException {
        Path file = Files.writeString(dir.resolve("policy.yaml"), """
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: p
                spec:
                  targetRef:
                    name: vllm
                  default:
                    maxRatePerEndpoint: 0
                """);
        PickerSettings settings = load(Map.of("picker.policy.file", file.toString()));

        assertThatThrownBy(() -> settings.openPolicies(() -> {
            throw new AssertionError("a file needs no cluster");
        }, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ":9: spec.default.maxRatePerEndpoint: '0' is not a number above 0");
    }
}
