package io.inferpulse.routerfeed.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.runtime.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendPolicyFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), yaml);
    }

    @Test
    void shouldReadTheSeedsScopedPolicy() throws IOException {
        Path file = write("""
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: backend-policy
                spec:
                  targetRef:
                    kind: GCPInferencePoolImport
                    name: experimental
                  default:
                    scopes:
                      - capacityScalerPercent: 50
                        selector:
                          gke.io/region: us-west2
                      - maxRatePerEndpoint: 40
                        selector:
                          env: prod
                      - backendPreference: PREFERRED
                        maxRatePerEndpoint: 50
                        selector:
                          gke.io/cluster-name: my-cluster
                          gke.io/zone: us-central1-a
                """);

        List<BackendPolicy> policies = BackendPolicyFile.load(file);

        assertThat(policies).hasSize(1);
        BackendPolicy policy = policies.getFirst();
        assertThat(policy.targetPool()).isEqualTo("experimental");
        assertThat(policy.resolve(Map.of("gke.io/region", "us-west2")).capacityScale()).isEqualTo(0.5);
        assertThat(policy.resolve(Map.of("env", "prod")).maxRate()).isEqualTo(40);
        EndpointPolicy preferred = policy.resolve(Map.of("gke.io/cluster-name", "my-cluster", "gke.io/zone", "us-central1-a"));
        assertThat(preferred.preferred()).isTrue();
        assertThat(preferred.maxRate()).isEqualTo(50);
    }

    @Test
    void shouldNameFileLineAndFieldOfAMisspeltField() throws IOException {
        // The seed's example spells it capacityScalarPercent; Kubernetes would prune that field without a word.
        Path file = write("""
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: backend-policy
                spec:
                  targetRef:
                    name: experimental
                  default:
                    scopes:
                      - capacityScalarPercent: 50
                        selector:
                          gke.io/region: us-west2
                """);

        assertThatThrownBy(() -> BackendPolicyFile.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ":10: spec.default.scopes[0].capacityScalarPercent: unknown field; did you mean capacityScalerPercent?");
    }

    @Test
    void shouldRejectAFieldAtBothLevelsWithTheFile() throws IOException {
        Path file = write("""
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: echoserver-v2
                spec:
                  targetRef:
                    name: test-inference-pool
                  default:
                    maxRatePerEndpoint: 10
                    scopes:
                    - selector:
                        gke.io/zone: "us-central1-a"
                      maxRatePerEndpoint: 100
                """);

        assertThatThrownBy(() -> BackendPolicyFile.load(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("GCPBackendPolicy echoserver-v2: default.scopes[0]")
                .hasMessageContaining("sets maxRatePerEndpoint, which the default level already sets");
    }

    @Test
    void shouldReportBadValuesAndUnsupportedModes() throws IOException {
        Path file = write("""
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: p
                spec:
                  targetRef:
                    name: pool
                  default:
                    balancingMode: CUSTOM_METRICS
                    capacityScalerPercent: 120
                """);

        assertThatThrownBy(() -> BackendPolicyFile.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":9: spec.default.balancingMode: CUSTOM_METRICS is not supported: endpoint scores carry no custom metrics; use RATE, UTILIZATION or IN_FLIGHT",
                        file + ":10: spec.default.capacityScalerPercent: '120' is not a whole number from 0 to 100"));
    }
}
