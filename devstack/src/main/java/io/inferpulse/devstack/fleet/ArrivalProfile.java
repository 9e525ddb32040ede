package io.inferpulse.devstack.fleet;

import java.time.Duration;

/**
 * Mean request rate of each pool over simulated time. Requests then arrive as a Poisson process with that rate.
 *
 * <p>Called on the simulation thread once per pool per step, so it must be cheap and must not block.
 */
@FunctionalInterface
public interface ArrivalProfile {

    /**
     * Mean arrival rate, in requests per second, of the pool at position {@code poolIndex} of
     * {@link FleetConfig#poolNames()}, {@code sinceStart} into the simulation. Negative rates count as zero.
     */
    double ratePerSecond(int poolIndex, Duration sinceStart);

    /** The same rate for every pool, all the time. */
    static ArrivalProfile constant(double requestsPerSecond) {
        if (!(requestsPerSecond >= 0)) {
            throw new IllegalArgumentException("rate must be >= 0, was " + requestsPerSecond);
        }
        return (poolIndex, sinceStart) -> requestsPerSecond;
    }

    /**
     * Load that keeps a dashboard moving: {@code baselineRequestsPerSecond} swung ±50% by a 30 s sine wave, with a
     * 5 s burst of three times the load every 45 s. Pools are offset in time so their averages move apart.
     */
    static ArrivalProfile demo(double baselineRequestsPerSecond) {
        if (!(baselineRequestsPerSecond >= 0)) {
            throw new IllegalArgumentException("baseline must be >= 0, was " + baselineRequestsPerSecond);
        }
        double wavePeriodSeconds = 30;
        double spikeEverySeconds = 45;
        double spikeSeconds = 5;
        double poolOffsetSeconds = 11;
        return (poolIndex, sinceStart) -> {
            double t = sinceStart.toNanos() / 1e9 + poolIndex * poolOffsetSeconds;
            double wave = 1 + 0.5 * Math.sin(2 * Math.PI * t / wavePeriodSeconds);
            // The first burst comes 10 s in, so a freshly started demo shows one almost at once.
            boolean spiking = (t + spikeEverySeconds - 10) % spikeEverySeconds < spikeSeconds;
            return baselineRequestsPerSecond * wave * (spiking ? 3 : 1);
        };
    }
}
