package io.inferpulse.devstack.fleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.inferpulse.devstack.fleet.FleetFixtures.fixedSizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FleetTickThreadTest {

    @Test
    void tickThreadRunsTheFleetInRealTimeUntilClosed() {
        // given a real-time fleet with short requests under steady load
        List<String> lines = new CopyOnWriteArrayList<>();
        FleetConfig config = FleetConfig.builder()
                .pools(2)
                .podsPerPool(2)
                .tick(Duration.ofMillis(10))
                .workload(fixedSizes(100, 5))
                .arrivalProfile(ArrivalProfile.constant(50))
                .gateway(FleetFixtures.gateway(0))
                .build();
        FleetSimulator fleet = new FleetSimulator(config, lines::add);

        // when
        fleet.start();

        // then requests complete and are logged without anyone calling advance
        try (fleet) {
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() >= 20);
            assertThat(AccessLogLine.parseAll(List.copyOf(lines))).allSatisfy(line ->
                    assertThat(line.status()).isEqualTo(200));
            assertThat(fleet.endpoints())
                    .anySatisfy(endpoint -> assertThat(fleet.snapshot(endpoint.pod()).completed()).isPositive());
        }

        // and after close nothing more is logged
        int logged = lines.size();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> lines.size() == logged);
    }
}
