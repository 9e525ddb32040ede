package io.inferpulse.routerfeed.policy;

import java.util.List;

/**
 * The backend policies a picker applies, at most one per pool. Immutable: a source of policies
 * that change (the cluster's resources) publishes a new instance, and a picker that sees a new
 * instance works its pools' endpoint policies out again.
 */
public final class BackendPolicies {
    public static final BackendPolicies NONE = new BackendPolicies(List.of());

    private final List<BackendPolicy> policies;

    private BackendPolicies(List<BackendPolicy> policies) {
        this.policies = List.copyOf(policies);
    }

    /**
     * @throws IllegalArgumentException when two policies target the same pool, naming both: which
     *     one should apply is the user's call, not a guess
     */
    public static BackendPolicies of(List<BackendPolicy> policies) {
        for (int i = 0; i < policies.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (policies.get(i).overlaps(policies.get(j))) {
                    throw new IllegalArgumentException(policies.get(j).label() + " and " + policies.get(i).label()
                            + " both target pool " + policies.get(i).targetPool() + "; a pool takes one policy");
                }
            }
        }
        return new BackendPolicies(policies);
    }

    public List<BackendPolicy> all() {
        return policies;
    }

    /**
     * The policy of the pool with key {@code cluster/namespace/pool}, or null when it has none.
     * A scan, not a lookup: policies are few and this runs once per snapshot, not per pick.
     */
    public BackendPolicy policyFor(String poolKey) {
        int poolStart = poolKey.lastIndexOf('/');
        int namespaceStart = poolKey.lastIndexOf('/', poolStart - 1);
        String namespace = poolKey.substring(namespaceStart + 1, Math.max(poolStart, namespaceStart + 1));
        String pool = poolKey.substring(poolStart + 1);
        for (BackendPolicy policy : policies) {
            if (policy.targets(namespace, pool)) {
                return policy;
            }
        }
        return null;
    }
}
