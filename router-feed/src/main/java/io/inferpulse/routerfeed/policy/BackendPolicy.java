package io.inferpulse.routerfeed.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A GCPBackendPolicy for one pool (seed 004): settings at the default level and per scope. The first
 * scope whose selector matches an endpoint's cluster labels applies, on top of the default level.
 *
 * <p>A field set at the default level cannot also be set in a scope, and a balancing mode set at the
 * default level owns its limit ({@code IN_FLIGHT}: maxInFlightPerEndpoint, {@code RATE}:
 * maxRatePerEndpoint), so a scope cannot set that limit either: both make the policy invalid, as GKE
 * rejects them.
 *
 * @param name the policy's metadata.name, for messages
 * @param targetPool the pool name its targetRef names
 */
public record BackendPolicy(String name, String targetPool, BackendSettings defaults, List<Scope> scopes) {

    public BackendPolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(targetPool, "targetPool");
        Objects.requireNonNull(defaults, "defaults");
        scopes = List.copyOf(scopes);
        List<String> atDefault = defaults.fieldsSet();
        String ownedLimit = defaults.balancingMode() == null ? null : switch (defaults.balancingMode()) {
            case IN_FLIGHT -> "maxInFlightPerEndpoint";
            case RATE -> "maxRatePerEndpoint";
            case UTILIZATION -> null;
        };
        for (int i = 0; i < scopes.size(); i++) {
            for (String field : scopes.get(i).settings().fieldsSet()) {
                if (atDefault.contains(field)) {
                    throw new IllegalArgumentException(describe(name, i, scopes.get(i)) + " sets " + field
                            + ", which the default level already sets; set it in one place only");
                }
                if (field.equals(ownedLimit)) {
                    throw new IllegalArgumentException(describe(name, i, scopes.get(i)) + " sets " + field
                            + ", but balancingMode " + defaults.balancingMode() + " is set at the default level;"
                            + " set the mode and its limit at the same level");
                }
            }
        }
    }

    private static String describe(String name, int index, Scope scope) {
        return "GCPBackendPolicy " + name + ": default.scopes[" + index + "] (selector " + scope.selector() + ")";
    }

    /** The policy for an endpoint with these cluster labels: the default level plus the first matching scope. */
    public EndpointPolicy resolve(Map<String, String> clusterLabels) {
        for (Scope scope : scopes) {
            if (scope.matches(clusterLabels)) {
                return EndpointPolicy.of(defaults.with(scope.settings()));
            }
        }
        return EndpointPolicy.of(defaults);
    }
}
