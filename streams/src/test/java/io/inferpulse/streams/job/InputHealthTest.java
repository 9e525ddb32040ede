package io.inferpulse.streams.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InputHealthTest {
    private static final long GRACE = 5_000;
    private final AtomicLong brokerAnswered = new AtomicLong();
    private final AtomicLong brokerReachableSince = new AtomicLong();
    private final AtomicLong registrySettledSince = new AtomicLong();
    private final InputHealth input = new InputHealth(brokerAnswered::get, brokerReachableSince::get, registrySettledSince::get);

    @Test
    void shouldCloseOnlyUpToTheBrokersLastAnswerAndOnlyOnceItCameAGracePeriodAfterTheLastRecord() {
        brokerReachableSince.set(50_000);
        brokerAnswered.set(104_000);
        assertThat(input.closableUpTo(110_000, 100_000, GRACE)).isEmpty();

        brokerAnswered.set(106_000);
        assertThat(input.closableUpTo(110_000, 100_000, GRACE)).hasValue(106_000);
        assertThat(input.closableUpTo(105_500, 100_000, GRACE)).hasValue(105_500);
    }

    @Test
    void shouldNotCloseBeforeTheBrokerEverAnswered() {
        assertThat(input.closableUpTo(110_000, 100_000, GRACE)).isEmpty();
    }

    @Test
    void shouldGiveWritersAGracePeriodAfterTheBrokerIsBack() {
        // the last record came before an outage; the broker answers again at 130 s
        brokerReachableSince.set(130_000);
        brokerAnswered.set(131_000);
        assertThat(input.closableUpTo(131_000, 100_000, GRACE)).isEmpty();

        brokerAnswered.set(135_000);
        assertThat(input.closableUpTo(135_000, 100_000, GRACE)).hasValue(135_000);
    }

    @Test
    void shouldNotCloseWhileTheRegistryIsAwayOrACallToItIsUnderWayAndWaitAGracePeriodAfter() {
        brokerReachableSince.set(50_000);
        brokerAnswered.set(200_000);
        registrySettledSince.set(Long.MAX_VALUE);
        assertThat(input.closableUpTo(200_000, 100_000, GRACE)).isEmpty();

        registrySettledSince.set(198_000);
        assertThat(input.closableUpTo(200_000, 100_000, GRACE)).isEmpty();
        assertThat(input.closableUpTo(203_000, 100_000, GRACE)).isEmpty();
        brokerAnswered.set(203_000);
        assertThat(input.closableUpTo(203_000, 100_000, GRACE)).hasValue(203_000);
    }
}
