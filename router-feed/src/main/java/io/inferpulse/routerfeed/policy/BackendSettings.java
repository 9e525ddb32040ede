package io.inferpulse.routerfeed.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-endpoint fields of a GCPBackendPolicy, at its default level or in one scope. A null field
 * is not set at this level.
 *
 * @param backendPreference PREFERRED endpoints take traffic while they have capacity; DEFAULT ones after
 * @param balancingMode which limit defines an endpoint's capacity
 * @param capacityScalerPercent 0..100, multiplies the endpoint's capacity; 0 drains it
 * @param maxInFlightPerEndpoint concurrent requests per endpoint
 * @param maxRatePerEndpoint requests per second per endpoint
 */
public record BackendSettings(Preference backendPreference, BalancingMode balancingMode, Integer capacityScalerPercent,
                              Integer maxInFlightPerEndpoint, Double maxRatePerEndpoint) {

    public static final BackendSettings NONE = new BackendSettings(null, null, null, null, null);

    public enum Preference { PREFERRED, DEFAULT }

    /**
     * CUSTOM_METRICS is not among them: endpoint scores carry no custom metrics to balance on, so a
     * policy asking for it is rejected rather than silently balanced on something else.
     */
    public enum BalancingMode { RATE, UTILIZATION, IN_FLIGHT }

    public BackendSettings {
        if (capacityScalerPercent != null && (capacityScalerPercent < 0 || capacityScalerPercent > 100)) {
            throw new IllegalArgumentException("capacityScalerPercent must be 0..100, was " + capacityScalerPercent);
        }
        if (maxInFlightPerEndpoint != null && maxInFlightPerEndpoint < 1) {
            throw new IllegalArgumentException("maxInFlightPerEndpoint must be at least 1, was " + maxInFlightPerEndpoint);
        }
        if (maxRatePerEndpoint != null && !(maxRatePerEndpoint > 0)) {
            throw new IllegalArgumentException("maxRatePerEndpoint must be above 0, was " + maxRatePerEndpoint);
        }
    }

    /** The names of the fields set at this level, as they are spelled in the policy. */
    public List<String> fieldsSet() {
        List<String> set = new ArrayList<>();
        if (backendPreference != null) {
            set.add("backendPreference");
        }
        if (balancingMode != null) {
            set.add("balancingMode");
        }
        if (capacityScalerPercent != null) {
            set.add("capacityScalerPercent");
        }
        if (maxInFlightPerEndpoint != null) {
            set.add("maxInFlightPerEndpoint");
        }
        if (maxRatePerEndpoint != null) {
            set.add("maxRatePerEndpoint");
        }
        return set;
    }

    /** These fields with the ones {@code other} sets added; the two never set the same field (the policy checks). */
    BackendSettings with(BackendSettings other) {
        return new BackendSettings(
                other.backendPreference != null ? other.backendPreference : backendPreference,
                other.balancingMode != null ? other.balancingMode : balancingMode,
                other.capacityScalerPercent != null ? other.capacityScalerPercent : capacityScalerPercent,
                other.maxInFlightPerEndpoint != null ? other.maxInFlightPerEndpoint : maxInFlightPerEndpoint,
                other.maxRatePerEndpoint != null ? other.maxRatePerEndpoint : maxRatePerEndpoint);
    }
}
