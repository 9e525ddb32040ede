package io.inferpulse.devstack.fleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArrivalProfileTest {

    @Test
    void demoProfileSwingsAroundItsBaselineAndSpikesWithinAMinute() {
        // given
        ArrivalProfile demo = ArrivalProfile.demo(10);

        // when sampled every 100 ms over the first minute
        List<Double> rates = IntStream.range(0, 600)
                .mapToObj(i -> demo.ratePerSecond(0, Duration.ofMillis(100L * i)))
                .toList();

        // then it dips below and peaks far above the baseline
        assertThat(rates).allSatisfy(rate -> assertThat(rate).isNotNegative());
        assertThat(rates.stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isLessThan(6);
        assertThat(rates.stream().mapToDouble(Double::doubleValue).max().orElseThrow()).isGreaterThan(25);
        assertThat(demo.ratePerSecond(0, Duration.ofSeconds(12)))
                .as("a burst 10 s in")
                .isGreaterThan(2.5 * demo.ratePerSecond(0, Duration.ofSeconds(12 + 45 - 10)) / 1.5);
    }

    @Test
    void demoProfileMovesPoolsApart() {
        // given
        ArrivalProfile demo = ArrivalProfile.demo(10);

        // when / then
        assertThat(demo.ratePerSecond(0, Duration.ofSeconds(3)))
                .isNotEqualTo(demo.ratePerSecond(1, Duration.ofSeconds(3)));
    }

    @Test
    void constantProfileIsTheSameForEveryPoolAndTime() {
        // given
        ArrivalProfile constant = ArrivalProfile.constant(7.5);

        // when / then
        assertThat(constant.ratePerSecond(0, Duration.ZERO)).isEqualTo(7.5);
        assertThat(constant.ratePerSecond(3, Duration.ofHours(2))).isEqualTo(7.5);
        assertThatThrownBy(() -> ArrivalProfile.constant(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
