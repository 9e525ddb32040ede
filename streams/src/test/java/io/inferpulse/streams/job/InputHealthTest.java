package io.inferpulse.streams.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InputHealthTest {
    private static final long GRACE = 5_000;
    private final AtomicLong brokerAnswered = new AtomicLong();
    private final AtomicReference<Optional<String>> registryOutage = new AtomicReference<>(Optional.empty());
    private final InputHealth input = new InputHealth(brokerAnswered::get, registryOutage::get);

    @Test
    void shouldCloseOnlyUpToTheBrokersLastAnswerAndOnlyOnceItCameAGracePeriodAfterTheLastRecord() {
        brokerAnswered.set(104_000);
        assertThat(input.closableUpTo(110_000, 100_000, GRACE)).isEmpty();

        brokerAnswered.set(106_000);
        assertThat(input.closableUpTo(110_000, 100_000, GRACE)).hasValue(106_000);
        assertThat(input.closableUpTo(105_500, 100_000, GRACE)).hasValue(105_500);
    }

    @Test
    void shouldNotCloseBeforeTheBrokerEverAnsweredNorWhileTheRegistryIsAway() {
        assertThat(input.closableUpTo(110_000, 100_000, GRACE)).isEmpty();

        brokerAnswered.set(110_000);
        registryOutage.set(Optional.of("schema registry unreachable since ..."));
        assertThat(input.closableUpTo(110_000, 100_000, GRACE)).isEmpty();
    }

    @Test
    void shouldLetAFedStageTakeSilenceForIdleTrafficOnlyWhenItsFeedIsQuietOrDelivers() {
        // an instance without a first stage has a quiet one
        assertThat(input.feedFlowing(100_000, GRACE)).isTrue();

        // a first stage busy (or just started) while nothing comes through: stalled
        input.firstStageActive(99_000);
        assertThat(input.feedFlowing(100_000, GRACE)).isFalse();

        // records from it reach a fed stage: the repartition topic delivers
        input.fedStageActive(98_000);
        assertThat(input.feedFlowing(100_000, GRACE)).isTrue();
        assertThat(input.feedFlowing(103_500, GRACE)).isFalse();

        // the first stage quiet for the grace period
        assertThat(input.feedFlowing(104_000, GRACE)).isTrue();
    }
}
