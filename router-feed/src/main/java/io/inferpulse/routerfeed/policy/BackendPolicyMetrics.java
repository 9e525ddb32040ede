package io.inferpulse.routerfeed.policy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * The metrics of backend policies read from the cluster, declared here and documented in
 * router-feed/README.md:
 * <ul>
 * <li>{@code inferpulse_router_feed_backend_policies{state="applied"}}: GCPBackendPolicy resources
 *     that target a pool and apply;
 * <li>{@code inferpulse_router_feed_backend_policies{state="rejected"}}: those that target a pool but
 *     are invalid or lose to an older policy for the same pool, so their pool has no policy from them.
 * </ul>
 */
final class BackendPolicyMetrics {
    private static final String POLICIES = "inferpulse_router_feed_backend_policies";

    private BackendPolicyMetrics() {}

    static void register(MeterRegistry meters, IntSupplier applied, IntSupplier rejected) {
        Gauge.builder(POLICIES, applied::getAsInt).tag("state", "applied")
                .description("GCPBackendPolicy resources applied to pools by the picker").register(meters);
        Gauge.builder(POLICIES, rejected::getAsInt).tag("state", "rejected")
                .description("GCPBackendPolicy resources for pools that the picker does not apply: invalid or"
                        + " losing to an older policy for the same pool").register(meters);
    }
}
