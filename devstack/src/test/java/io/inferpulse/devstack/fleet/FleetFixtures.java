package io.inferpulse.devstack.fleet;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Repeatable fleets for tests: manual time, a fixed clock and seed, no random 500s unless a test asks for them. */
final class FleetFixtures {

    static final Instant START = Instant.parse("2025-06-01T12:00:00Z");

    private FleetFixtures() {
    }

    static FleetConfig.Builder manualFleet() {
        return FleetConfig.builder()
                .manualTime()
                .clock(Clock.fixed(START, ZoneOffset.UTC))
                .seed(7)
                .pools(1)
                .podsPerPool(1)
                .arrivalProfile(ArrivalProfile.constant(0))
                .gateway(gateway(0));
    }

    static FleetConfig.Gateway gateway(double backgroundErrorRate) {
        FleetConfig.Gateway defaults = FleetConfig.Gateway.defaults();
        return new FleetConfig.Gateway(defaults.projectId(), defaults.projectNumber(), defaults.region(),
                defaults.gatewayName(), defaults.host(), backgroundErrorRate);
    }

    /** Every request exactly {@code prompt} tokens in and {@code output} tokens out, all on the base model. */
    static FleetConfig.Workload fixedSizes(int prompt, int output) {
        return new FleetConfig.Workload(prompt, 0, output, 0, List.of(), 0);
    }

    static FleetConfig.Pod pod(int maxNumSeqs, int maxQueueLength) {
        return new FleetConfig.Pod(maxNumSeqs, maxQueueLength, 2048, 16, 8192, 4, 10_000, 50, 0.02);
    }

    static String onlyPod(FleetSimulator fleet) {
        return fleet.endpoints().getFirst().pod();
    }

    static long completed(FleetSimulator fleet) {
        return fleet.endpoints().stream().mapToLong(endpoint -> fleet.snapshot(endpoint.pod()).completed()).sum();
    }

    /**
     * Samples of a Prometheus text exposition keyed by series as written, e.g.
     * {@code vllm:num_requests_running{model_name="llama3-8b"}}.
     */
    static Map<String, Double> samples(String exposition) {
        Map<String, Double> samples = new LinkedHashMap<>();
        exposition.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> {
                    int space = line.lastIndexOf(' ');
                    samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                });
        return samples;
    }
}
