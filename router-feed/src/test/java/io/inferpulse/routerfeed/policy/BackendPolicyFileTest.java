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

        List<BackendPolicy> policies = BackendPolicyFile.load(file).all();

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
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":13: spec.default.scopes[0].maxRatePerEndpoint: GCPBackendPolicy echoserver-v2:"
                                + " default.scopes[0] (selector {gke.io/zone=us-central1-a}) sets maxRatePerEndpoint,"
                                + " which the default level already sets; set it in one place only"));
    }

    @Test
    void shouldRejectTheSeedsInvalidInFlightScopeAtTheScopesLine() throws IOException {
        // Seed 004's own invalid example, as published.
        Path file = write("""
                kind: GCPBackendPolicy
                apiVersion: networking.gke.io/v1
                metadata:
                  name: echoserver-v2
                spec:
                  targetRef:
                    group: "networking.gke.io"
                    kind: GCPInferencePoolImport
                    name: test-inference-pool
                  default:
                    balancingMode: IN_FLIGHT # IN_FLIGHT mode is set at the default level
                    scopes:
                    - selector:
                        gke.io/zone: "us-central1-a"
                      maxInFlightPerEndpoint: 100 # Invalid
                """);

        assertThatThrownBy(() -> BackendPolicyFile.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .startsWith(file + ":15: spec.default.scopes[0].maxInFlightPerEndpoint: GCPBackendPolicy echoserver-v2:")
                        .contains("but balancingMode IN_FLIGHT is set at the default level"));
    }

    @Test
    void shouldReadSeveralDocumentsAndRejectTwoPoliciesForOnePool() throws IOException {
        String policy = """
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  targetRef:
                    kind: InferencePool
                    name: %s
                  default:
                    maxRatePerEndpoint: 10
                """;
        Path two = write(policy.formatted("a", "llm", "vllm") + "---\n" + policy.formatted("b", "other", "vllm"));

        BackendPolicies policies = BackendPolicyFile.load(two);

        assertThat(policies.policyFor("c1/llm/vllm").name()).isEqualTo("a");
        assertThat(policies.policyFor("c2/other/vllm").name()).as("namespaces keep same-named pools apart").isEqualTo("b");
        assertThat(policies.policyFor("c1/third/vllm")).isNull();

        Path clash = write(policy.formatted("a", "llm", "vllm") + "---\n" + policy.formatted("b", "llm", "vllm"));

        assertThatThrownBy(() -> BackendPolicyFile.load(clash))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(clash + ": GCPBackendPolicy llm/a and GCPBackendPolicy llm/b both target pool vllm");
    }

    @Test
    void shouldNameEveryMissingOrMalformedField() throws IOException {
        Path file = write("""
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: p
                spec:
                  targetRef:
                    kind: InferencePool
                  default:
                    scopes:
                      - selector:
                          env: [prod]
                        maxRatePerEndpoint: fast
                      - capacityScalerPercent: 10
                """);

        assertThatThrownBy(() -> BackendPolicyFile.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        file + ":7: spec.targetRef.name: required",
                        file + ":11: spec.default.scopes[0].selector.env: expected a single value",
                        file + ":12: spec.default.scopes[0].maxRatePerEndpoint: 'fast' is not a number",
                        file + ":13: spec.default.scopes[1].selector: required"));
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

    @Test
    void shouldRejectAPolicyForABackendThatIsNotAPool() throws IOException {
        Path file = write("""
                apiVersion: networking.gke.io/v1
                kind: GCPBackendPolicy
                metadata:
                  name: p
                spec:
                  targetRef:
                    kind: Service
                    name: frontend
                  default:
                    maxRatePerEndpoint: 10
                """);

        assertThatThrownBy(() -> BackendPolicyFile.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file + ":7: spec.targetRef.kind: 'Service' is not a pool; the picker applies policies"
                        + " that target one of [GCPInferencePoolImport, InferencePool]");
    }
}
