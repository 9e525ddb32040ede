package io.inferpulse.routerfeed.policy;

/**
 * What a backend policy means for one endpoint, after its scope is resolved: limits already scaled
 * by the capacity scaler.
 *
 * @param preferred chosen before DEFAULT endpoints while it has capacity
 * @param capacityScale 0..1; 0 takes the endpoint out of rotation, lower values lower its weight
 * @param maxInFlight concurrent requests it may hold; {@link Integer#MAX_VALUE} when unlimited
 * @param maxRate requests per second it may take; infinite when unlimited
 */
public record EndpointPolicy(boolean preferred, double capacityScale, int maxInFlight, double maxRate) {

    public static final EndpointPolicy UNLIMITED = new EndpointPolicy(false, 1.0, Integer.MAX_VALUE, Double.POSITIVE_INFINITY);

    public boolean drained() {
        return capacityScale <= 0;
    }

    static EndpointPolicy of(BackendSettings s) {
        double scale = s.capacityScalerPercent() == null ? 1.0 : s.capacityScalerPercent() / 100.0;
        // The mode names the limit that defines capacity; without a mode every limit that is set applies.
        BackendSettings.BalancingMode mode = s.balancingMode();
        boolean inFlightCounts = mode == null || mode == BackendSettings.BalancingMode.IN_FLIGHT;
        boolean rateCounts = mode == null || mode == BackendSettings.BalancingMode.RATE;
        // At least one slot while not drained: a scaled-down endpoint still takes requests, just fewer.
        int maxInFlight = inFlightCounts && s.maxInFlightPerEndpoint() != null
                ? Math.max(1, (int) Math.floor(s.maxInFlightPerEndpoint() * scale)) : Integer.MAX_VALUE;
        double maxRate = rateCounts && s.maxRatePerEndpoint() != null
                ? s.maxRatePerEndpoint() * scale : Double.POSITIVE_INFINITY;
        return new EndpointPolicy(s.backendPreference() == BackendSettings.Preference.PREFERRED, scale, maxInFlight, maxRate);
    }
}
