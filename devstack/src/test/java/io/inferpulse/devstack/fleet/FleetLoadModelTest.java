package io.inferpulse.devstack.fleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.inferpulse.devstack.fleet.FleetFixtures.completed;
import static io.inferpulse.devstack.fleet.FleetFixtures.fixedSizes;
import static io.inferpulse.devstack.fleet.FleetFixtures.manualFleet;
import static io.inferpulse.devstack.fleet.FleetFixtures.onlyPod;
import static io.inferpulse.devstack.fleet.FleetFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FleetLoadModelTest {

    @Test
    void queueGrowsWhileArrivalsExceedWhatThePodCanServe() {
        // given a pod that runs 4 requests of ~4 s each, far below 40 arrivals a second
        FleetConfig config = manualFleet()
                .pod(pod(4, 10_000))
                .workload(fixedSizes(500, 200))
                .arrivalProfile(ArrivalProfile.constant(40))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> { })) {
            String pod = onlyPod(fleet);

            // when
            fleet.advance(Duration.ofSeconds(2));
            PodState early = fleet.snapshot(pod);
            fleet.advance(Duration.ofSeconds(2));
            PodState later = fleet.snapshot(pod);

            // then
            assertThat(early.running()).isEqualTo(4);
            assertThat(later.running()).isEqualTo(4);
            assertThat(early.waiting()).isGreaterThan(30);
            assertThat(later.waiting()).isGreaterThan(early.waiting() + 30);
        }
    }

    @Test
    void aSlowedDownPodServesTheSameLoadMoreSlowly() {
        // given two pods sharing a steady load round robin, one at half speed
        FleetConfig config = manualFleet().podsPerPool(2)
                .workload(fixedSizes(500, 200))
                .arrivalProfile(ArrivalProfile.constant(4))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> { })) {
            String slow = fleet.endpoints().get(0).pod();
            String normal = fleet.endpoints().get(1).pod();
            fleet.slowDown(slow, 0.5);

            // when
            fleet.advance(Duration.ofSeconds(60));

            // then it holds more requests at once, each taking twice as long
            assertThat(fleet.snapshot(slow).running()).isGreaterThan(fleet.snapshot(normal).running());
            assertThat(fleet.snapshot(slow).completed()).isLessThan(fleet.snapshot(normal).completed());
        }
    }

    @Test
    void kvCacheUsageGrowsWithRunningRequestsAndWithTheirLength() {
        // given an idle pod whose requests are 1000 prompt tokens and 400 output tokens
        FleetConfig config = manualFleet().workload(fixedSizes(1000, 400)).build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> { })) {
            String pod = onlyPod(fleet);
            double capacity = config.pod().kvCapacityTokens();

            // when a burst arrives and has prefilled
            burst(fleet);
            fleet.advance(Duration.ofMillis(300));
            PodState prefilled = fleet.snapshot(pod);

            // then each running request holds at least its prompt
            assertThat(prefilled.running()).isPositive();
            assertThat(prefilled.waiting()).isZero();
            assertThat(prefilled.kvCacheUsage()).isGreaterThanOrEqualTo(prefilled.running() * 1000 / capacity);

            // when the same requests decode for a while
            fleet.advance(Duration.ofSeconds(2));
            PodState decoding = fleet.snapshot(pod);

            // then their growing sequences take more cache
            assertThat(decoding.running()).isEqualTo(prefilled.running());
            assertThat(decoding.kvCacheUsage()).isGreaterThan(prefilled.kvCacheUsage());

            // when a second burst joins them
            burst(fleet);
            fleet.advance(Duration.ofMillis(300));
            PodState busier = fleet.snapshot(pod);

            // then more running requests take more cache still
            assertThat(busier.running()).isGreaterThan(decoding.running());
            assertThat(busier.kvCacheUsage())
                    .isGreaterThanOrEqualTo(decoding.kvCacheUsage() + (busier.running() - decoding.running()) * 1000
                            / capacity);
        }
    }

    @Test
    void kvCacheUsageStaysAtMostOneAndAFullCacheStillCompletesRequests() {
        // given a cache of 1024 tokens, far too small for the requests a saturating load brings
        FleetConfig.Pod tinyCache = new FleetConfig.Pod(64, 10_000, 64, 16, 1024, 4, 10_000, 50, 0.02);
        FleetConfig config = manualFleet()
                .pod(tinyCache)
                .workload(new FleetConfig.Workload(300, 0.5, 150, 0.5, List.of(), 0))
                .arrivalProfile(ArrivalProfile.constant(20))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> { })) {
            String pod = onlyPod(fleet);
            List<PodState> history = new ArrayList<>();

            // when
            for (int i = 0; i < 600; i++) {
                fleet.advance(Duration.ofMillis(100));
                history.add(fleet.snapshot(pod));
            }

            // then the cache, not the batch limit, holds requests back, and work keeps finishing
            assertThat(history).allSatisfy(state -> assertThat(state.kvCacheUsage()).isBetween(0.0, 1.0));
            assertThat(history).anySatisfy(state -> assertThat(state.kvCacheUsage()).isGreaterThan(0.8));
            assertThat(history.getLast().waiting()).isPositive();
            assertThat(history.getLast().running()).isLessThan(tinyCache.maxNumSeqs());
            assertThat(history.getLast().completed()).isGreaterThan(history.get(299).completed());
        }
    }

    @Test
    void gatewayAnswers503WhenEveryQueueOfThePoolIsFull() {
        // given two pods that each run one request and queue two
        List<String> lines = new ArrayList<>();
        FleetConfig config = manualFleet()
                .podsPerPool(2)
                .pod(pod(1, 2))
                .workload(fixedSizes(500, 200))
                .arrivalProfile(ArrivalProfile.constant(200))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, lines::add)) {

            // when
            fleet.advance(Duration.ofSeconds(1));

            // then both pods are full and the overflow was refused by the load balancer
            fleet.endpoints().forEach(endpoint -> {
                PodState state = fleet.snapshot(endpoint.pod());
                assertThat(state.running()).isEqualTo(1);
                assertThat(state.waiting()).isEqualTo(2);
            });
            List<AccessLogLine> refused = AccessLogLine.parseAll(lines);
            assertThat(refused).hasSizeGreaterThan(150).allSatisfy(line -> {
                assertThat(line.status()).isEqualTo(503);
                assertThat(line.text("jsonPayload", "proxyStatus"))
                        .isEqualTo("error=\"destination_unavailable\"; details=\"failed_to_pick_backend\"");
                assertThat(line.text("jsonPayload", "statusDetails")).isEqualTo("failed_to_pick_backend");
                assertThat(line.node().path("httpRequest").has("serverIp")).isFalse();
                assertThat(line.node().path("jsonPayload").has("outputTokens")).isFalse();
            });
        }
    }

    @Test
    void backgroundErrorsAreAnswered500ByThePodWithoutLoadingIt() {
        // given a gateway whose backends fail every request
        List<String> lines = new ArrayList<>();
        FleetConfig config = manualFleet()
                .gateway(FleetFixtures.gateway(1.0))
                .arrivalProfile(ArrivalProfile.constant(50))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, lines::add)) {
            String pod = onlyPod(fleet);

            // when
            fleet.advance(Duration.ofSeconds(1));

            // then
            assertThat(AccessLogLine.parseAll(lines)).hasSizeGreaterThan(20).allSatisfy(line -> {
                assertThat(line.status()).isEqualTo(500);
                assertThat(line.text("jsonPayload", "statusDetails")).isEqualTo("response_sent_by_backend");
                assertThat(line.node().path("jsonPayload").has("proxyStatus")).isFalse();
                assertThat(line.text("httpRequest", "serverIp")).isEqualTo(fleet.endpoints().getFirst().address());
            });
            assertThat(fleet.snapshot(pod)).extracting(PodState::running, PodState::waiting, PodState::completed)
                    .containsExactly(0, 0, 0L);
        }
    }

    @Test
    void aScaledPoolRoutesNewRequestsOnlyToItsRunningPodsAndLetsTheOthersFinish() {
        // given a pool of 4 pods, each busy with the steady load
        List<String> lines = new ArrayList<>();
        FleetConfig config = manualFleet().podsPerPool(4).workload(fixedSizes(500, 200))
                .arrivalProfile(ArrivalProfile.constant(20)).build();
        try (FleetSimulator fleet = new FleetSimulator(config, lines::add)) {
            fleet.advance(Duration.ofSeconds(5));
            List<String> pods = fleet.endpoints().stream().map(SimulatedPodEndpoint::pod).toList();
            assertThat(pods).allSatisfy(p -> assertThat(fleet.snapshot(p).running()).isPositive());

            // when it is scaled in to 2
            fleet.scale("pool-0", 2);
            long servedByRemovedBefore = completedBy(fleet, pods.subList(2, 4));
            fleet.advance(Duration.ofSeconds(30));

            // then only the first 2 pods are listed and take requests; the other 2 drained what they held
            assertThat(fleet.replicas("pool-0")).isEqualTo(2);
            assertThat(fleet.activeEndpoints()).extracting(SimulatedPodEndpoint::pod).containsExactlyElementsOf(pods.subList(0, 2));
            assertThat(pods.subList(2, 4)).allSatisfy(p -> assertThat(fleet.snapshot(p))
                    .extracting(PodState::running, PodState::waiting).containsExactly(0, 0));
            assertThat(completedBy(fleet, pods.subList(2, 4))).as("requests the removed pods finished")
                    .isGreaterThan(servedByRemovedBefore);
            assertThat(pods.subList(0, 2)).allSatisfy(p -> assertThat(fleet.snapshot(p).running()).isPositive());

            // when it is scaled out to 4 again, then the returning pods take requests
            fleet.scale("pool-0", 4);
            fleet.advance(Duration.ofSeconds(5));
            assertThat(fleet.activeEndpoints()).hasSize(4);
            assertThat(pods.subList(2, 4)).allSatisfy(p -> assertThat(fleet.snapshot(p).running()).isPositive());

            // and a count beyond the pods created is refused, naming the pool
            assertThatThrownBy(() -> fleet.scale("pool-0", 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pool-0").hasMessageContaining("0 to 4");
        }
    }

    private static long completedBy(FleetSimulator fleet, List<String> pods) {
        return pods.stream().mapToLong(p -> fleet.snapshot(p).completed()).sum();
    }

    @Test
    void setArrivalRateAndSpikeChangeThePoolRate() {
        // given
        FleetConfig config = manualFleet().arrivalProfile(ArrivalProfile.constant(10)).build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> { })) {
            assertThat(fleet.arrivalRate("pool-0")).isEqualTo(10.0);

            // when a spike starts, then the rate is multiplied
            fleet.spike("pool-0", 3, Duration.ofSeconds(2));
            assertThat(fleet.arrivalRate("pool-0")).isEqualTo(30.0);

            // when the spike is over, then the rate is back
            fleet.advance(Duration.ofSeconds(2));
            assertThat(fleet.arrivalRate("pool-0")).isEqualTo(10.0);

            // when the rate is set, then it replaces the profile
            fleet.setArrivalRate("pool-0", 4);
            assertThat(fleet.arrivalRate("pool-0")).isEqualTo(4.0);
        }
    }

    @Test
    void arrivalsFollowThePoissonRate() {
        // given
        List<String> lines = new ArrayList<>();
        FleetConfig config = manualFleet()
                .gateway(FleetFixtures.gateway(1.0))
                .arrivalProfile(ArrivalProfile.constant(100))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, lines::add)) {

            // when every request fails at once, each arrival is one log line
            fleet.advance(Duration.ofSeconds(20));

            // then 2000 are expected; a Poisson count lies within 5 standard deviations (~225)
            assertThat((double) lines.size()).isCloseTo(2000, within(225.0));
        }
    }

    @Test
    void theSameSeedReplaysTheSameFleet() {
        // given two fleets of the default shape under the demo profile, seeded alike
        FleetConfig config = manualFleet()
                .pools(2)
                .podsPerPool(3)
                .arrivalProfile(ArrivalProfile.demo(6))
                .gateway(FleetConfig.Gateway.defaults())
                .build();
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        List<String> otherSeed = new ArrayList<>();

        // when
        try (FleetSimulator one = new FleetSimulator(config, first::add);
             FleetSimulator two = new FleetSimulator(config, second::add);
             FleetSimulator three = new FleetSimulator(
                     manualFleet().pools(2).podsPerPool(3).arrivalProfile(ArrivalProfile.demo(6)).seed(8).build(),
                     otherSeed::add)) {
            one.advance(Duration.ofSeconds(20));
            two.advance(Duration.ofSeconds(20));
            three.advance(Duration.ofSeconds(20));

            // then all is alike but the ports, which the operating system picks
            assertThat(withoutPorts(first, one)).isNotEmpty()
                    .isEqualTo(withoutPorts(second, two))
                    .isNotEqualTo(withoutPorts(otherSeed, three));
            assertThat(one.endpoints()).extracting(SimulatedPodEndpoint::pod)
                    .isEqualTo(two.endpoints().stream().map(SimulatedPodEndpoint::pod).toList())
                    .allMatch(name -> name.matches("pool-[01]-[a-z]{5}"));
        }
    }

    @Test
    void roundRobinSpreadsAPoolsRequestsEvenly() {
        // given three pods that each keep everything they are sent
        FleetConfig config = manualFleet()
                .podsPerPool(3)
                .pod(pod(1, 10_000))
                .workload(fixedSizes(500, 5_000))
                .arrivalProfile(ArrivalProfile.constant(30))
                .build();
        try (FleetSimulator fleet = new FleetSimulator(config, line -> { })) {

            // when
            fleet.advance(Duration.ofSeconds(5));

            // then
            List<Integer> held = fleet.endpoints().stream()
                    .map(endpoint -> fleet.snapshot(endpoint.pod()))
                    .map(state -> state.running() + state.waiting())
                    .toList();
            assertThat(held.stream().mapToInt(Integer::intValue).max().orElseThrow()
                    - held.stream().mapToInt(Integer::intValue).min().orElseThrow()).isLessThanOrEqualTo(1);
            assertThat(completed(fleet)).isZero();
        }
    }

    private static List<String> withoutPorts(List<String> lines, FleetSimulator fleet) {
        return lines.stream().map(line -> {
            String normalized = line;
            for (SimulatedPodEndpoint endpoint : fleet.endpoints()) {
                normalized = normalized.replace("\"" + endpoint.address() + "\"", "\"" + endpoint.pod() + "\"");
            }
            return normalized;
        }).toList();
    }

    private static void burst(FleetSimulator fleet) {
        fleet.setArrivalRate("pool-0", 1000);
        fleet.advance(Duration.ofMillis(10));
        fleet.setArrivalRate("pool-0", 0);
    }
}
