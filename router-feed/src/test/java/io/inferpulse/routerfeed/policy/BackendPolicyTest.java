package io.inferpulse.routerfeed.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inferpulse.routerfeed.policy.BackendSettings.BalancingMode;
import io.inferpulse.routerfeed.policy.BackendSettings.Preference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendPolicyTest {
    private static final Map<String, String> US_CENTRAL_A_PROD = Map.of("gke.io/cluster-name", "my-cluster",
            "gke.io/region", "us-central1", "gke.io/zone", "us-central1-a", "env", "prod");

    private static BackendSettings rate(double rps) {
        return new BackendSettings(null, null, null, null, rps);
    }

    @Test
    void shouldApplyOnlyTheFirstMatchingScope() {
        BackendPolicy policy = new BackendPolicy("p", "", "pool", BackendSettings.NONE, List.of(
                new Scope(Map.of("env", "prod"), rate(40)),
                new Scope(Map.of("gke.io/zone", "us-central1-a"), new BackendSettings(Preference.PREFERRED, null, null, null, 50.0))));

        EndpointPolicy resolved = policy.resolve(US_CENTRAL_A_PROD);

        assertThat(resolved.maxRate()).isEqualTo(40);
        assertThat(resolved.preferred()).as("the second scope also matches but the first one won").isFalse();
    }

    @Test
    void shouldRequireEveryLabelOfASelector() {
        BackendPolicy policy = new BackendPolicy("p", "", "pool", BackendSettings.NONE, List.of(
                new Scope(Map.of("gke.io/cluster-name", "my-cluster", "gke.io/zone", "us-central1-b"), rate(50))));

        assertThat(policy.resolve(US_CENTRAL_A_PROD)).as("the zone differs").isEqualTo(EndpointPolicy.UNLIMITED);
        assertThat(policy.resolve(Map.of("gke.io/cluster-name", "my-cluster", "gke.io/zone", "us-central1-b")).maxRate())
                .isEqualTo(50);
    }

    @Test
    void shouldFallBackToTheDefaultLevelWhenNoScopeMatches() {
        BackendPolicy policy = new BackendPolicy("p", "", "pool", new BackendSettings(null, BalancingMode.IN_FLIGHT, 50, 10, null),
                List.of(new Scope(Map.of("gke.io/region", "us-west2"), new BackendSettings(Preference.PREFERRED, null, null, null, null))));

        EndpointPolicy resolved = policy.resolve(US_CENTRAL_A_PROD);

        assertThat(resolved).isEqualTo(new EndpointPolicy(false, 0.5, 5, Double.POSITIVE_INFINITY));
    }

    @Test
    void shouldAddTheScopeToTheDefaultLevel() {
        BackendPolicy policy = new BackendPolicy("p", "", "pool", new BackendSettings(null, null, null, 8, null),
                List.of(new Scope(Map.of("env", "prod"), new BackendSettings(null, null, 25, null, null))));

        assertThat(policy.resolve(US_CENTRAL_A_PROD)).isEqualTo(new EndpointPolicy(false, 0.25, 2, Double.POSITIVE_INFINITY));
    }

    @Test
    void shouldRejectAFieldSetAtTheDefaultLevelAndInAScope() {
        assertThatThrownBy(() -> new BackendPolicy("backend-policy", "", "pool", rate(10),
                List.of(new Scope(Map.of("env", "prod"), rate(40)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GCPBackendPolicy backend-policy: default.scopes[0]")
                .hasMessageContaining("sets maxRatePerEndpoint, which the default level already sets");
    }

    @Test
    void shouldRejectTheLimitOfADefaultLevelModeInAScope() {
        // Seed 004's own invalid example: IN_FLIGHT at the default level, maxInFlightPerEndpoint in a scope.
        assertThatThrownBy(() -> new BackendPolicy("echoserver-v2", "", "test-inference-pool",
                new BackendSettings(null, BalancingMode.IN_FLIGHT, null, null, null),
                List.of(new Scope(Map.of("gke.io/zone", "us-central1-a"), new BackendSettings(null, null, null, 100, null)))))
                .hasMessageContaining("default.scopes[0] (selector {gke.io/zone=us-central1-a}) sets maxInFlightPerEndpoint")
                .hasMessageContaining("balancingMode IN_FLIGHT is set at the default level");
    }

    @Test
    void shouldDrainAnEndpointScaledToZero() {
        BackendPolicy policy = new BackendPolicy("p", "", "pool", BackendSettings.NONE,
                List.of(new Scope(Map.of("gke.io/region", "us-central1"), new BackendSettings(null, null, 0, null, null))));

        assertThat(policy.resolve(US_CENTRAL_A_PROD).drained()).isTrue();
    }

    @Test
    void shouldLeaveAScaledDownEndpointOneInFlightSlot() {
        BackendPolicy policy = new BackendPolicy("p", "", "pool", new BackendSettings(null, BalancingMode.IN_FLIGHT, null, 3, null),
                List.of(new Scope(Map.of("env", "prod"), new BackendSettings(null, null, 10, null, null))));

        assertThat(policy.resolve(US_CENTRAL_A_PROD).maxInFlight()).as("3 x 10 %% rounds down to 0, which would be a drain")
                .isEqualTo(1);
    }

    @Test
    void shouldApplyOnlyTheModesLimit() {
        BackendPolicy policy = new BackendPolicy("p", "", "pool", new BackendSettings(null, null, null, 4, null),
                List.of(new Scope(Map.of("env", "prod"), new BackendSettings(null, BalancingMode.RATE, null, null, 20.0))));

        EndpointPolicy resolved = policy.resolve(US_CENTRAL_A_PROD);

        assertThat(resolved.maxRate()).isEqualTo(20);
        assertThat(resolved.maxInFlight()).as("RATE mode: the in-flight limit does not define capacity").isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void shouldFindAPoolsPolicyByNamespaceAndName() {
        BackendPolicy anywhere = new BackendPolicy("a", "", "vllm", rate(1), List.of());
        BackendPolicy inLlm = new BackendPolicy("b", "llm", "sglang", rate(2), List.of());
        BackendPolicies policies = BackendPolicies.of(List.of(anywhere, inLlm));

        assertThat(policies.policyFor("gke-eu/any/vllm")).isSameAs(anywhere);
        assertThat(policies.policyFor("gke-eu/llm/sglang")).isSameAs(inLlm);
        assertThat(policies.policyFor("gke-eu/other/sglang")).isNull();
        assertThatThrownBy(() -> BackendPolicies.of(List.of(anywhere, new BackendPolicy("c", "llm", "vllm", rate(3), List.of()))))
                .hasMessage("GCPBackendPolicy a and GCPBackendPolicy llm/c both target pool vllm; a pool takes one policy");
    }
}
