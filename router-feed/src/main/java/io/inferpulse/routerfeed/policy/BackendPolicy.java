package io.inferpulse.routerfeed.policy;

import java.util.ArrayList;
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
 * @param namespace the policy's metadata.namespace; empty when not given, and then it applies to the
 *     pool of that name in every namespace
 * @param targetPool the pool name its targetRef names
 */
public record BackendPolicy(String name, String namespace, String targetPool, BackendSettings defaults, List<Scope> scopes) {

    /** A field one scope may not set, and why. */
    public record Conflict(int scope, String field, String reason) {}

    public BackendPolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(targetPool, "targetPool");
        Objects.requireNonNull(defaults, "defaults");
        scopes = List.copyOf(scopes);
        List<Conflict> conflicts = conflicts(defaults, scopes);
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException(describe(name, scopes, conflicts.getFirst()));
        }
    }

    /** Every field a scope sets that the default level owns; empty for a valid policy. */
    public static List<Conflict> conflicts(BackendSettings defaults, List<Scope> scopes) {
        List<String> atDefault = defaults.fieldsSet();
        String ownedLimit = defaults.balancingMode() == null ? null : switch (defaults.balancingMode()) {
            case IN_FLIGHT -> "maxInFlightPerEndpoint";
            case RATE -> "maxRatePerEndpoint";
            case UTILIZATION -> null;
        };
        List<Conflict> conflicts = new ArrayList<>();
        for (int i = 0; i < scopes.size(); i++) {
            for (String field : scopes.get(i).settings().fieldsSet()) {
                if (atDefault.contains(field)) {
                    conflicts.add(new Conflict(i, field, "which the default level already sets; set it in one place only"));
                } else if (field.equals(ownedLimit)) {
                    conflicts.add(new Conflict(i, field, "but balancingMode " + defaults.balancingMode()
                            + " is set at the default level; set the mode and its limit at the same level"));
                }
            }
        }
        return conflicts;
    }

    /** The message for a conflict: the policy, the scope by index and selector, the field and why. */
    static String describe(String name, List<Scope> scopes, Conflict conflict) {
        return "GCPBackendPolicy " + name + ": default.scopes[" + conflict.scope() + "] (selector "
                + scopes.get(conflict.scope()).selector() + ") sets " + conflict.field() + ", " + conflict.reason();
    }

    /** Whether the policy applies to the pool {@code pool} in {@code poolNamespace}. */
    public boolean targets(String poolNamespace, String pool) {
        return targetPool.equals(pool) && (namespace.isEmpty() || namespace.equals(poolNamespace));
    }

    /** Whether some pool is targeted by both policies. */
    boolean overlaps(BackendPolicy other) {
        return targetPool.equals(other.targetPool)
                && (namespace.isEmpty() || other.namespace.isEmpty() || namespace.equals(other.namespace));
    }

    /** {@code GCPBackendPolicy namespace/name}, as messages name it. */
    public String label() {
        return "GCPBackendPolicy " + (namespace.isEmpty() ? "" : namespace + "/") + name;
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
