package io.inferpulse.streams.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.streams.job.InputHealth;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClosingClockTest {
    private static final long GRACE = 5_000;
    private static final long STALL = 30_000;
    private static final RequestStatsSettings SETTINGS = new RequestStatsSettings(Duration.ofMinutes(5),
            Duration.ofSeconds(15), Duration.ofMillis(GRACE), Duration.ofMillis(STALL), Duration.ofMinutes(1), 0.01);
    private static final InputHealth REACHABLE = new InputHealth(() -> Long.MAX_VALUE, () -> 0, () -> 0);

    private final ClosingClock clock = new ClosingClock(REACHABLE, SETTINGS);

    @Test
    void shouldCloseAnIdleTaskOnTheWallClockAGracePeriodAfterItsFirstTick() {
        assertThat(clock.onTick(100_000, -1)).isEmpty();
        assertThat(clock.onTick(104_000, -1)).isEmpty();
        assertThat(clock.onTick(105_000, -1)).hasValue(105_000);
    }

    @Test
    void shouldTakeASilenceShorterThanTheStallTimeoutForAStall() {
        assertThat(clock.onRecord(100_000, 100_000, 100_000)).hasValue(100_000);

        assertThat(clock.onTick(129_000, 100_000)).hasValue(100_000);
        assertThat(clock.onTick(130_000, 100_000)).hasValue(130_000);
    }

    @Test
    void shouldHoldAfterAStallWhoseFirstLogIsOlderThanTheGrace() {
        clock.onRecord(100_000, 100_000, 100_000);

        // logs resume 12 s later, the first of them written 11 s ago
        assertThat(clock.onRecord(112_000, 101_000, 101_000)).isEmpty();
        assertThat(clock.onRecord(113_000, 111_000, 111_000)).isEmpty();
        assertThat(clock.onTick(141_999, 111_000)).isEmpty();

        // the hold ends the stall timeout after the resumption
        assertThat(clock.onTick(142_000, 111_000)).hasValue(111_000);
        assertThat(clock.onRecord(142_500, 142_400, 142_400)).hasValue(142_400);
    }

    @Test
    void shouldNotHoldSparseTrafficWhoseLogsAreFresh() {
        clock.onRecord(100_000, 100_000, 100_000);

        assertThat(clock.onRecord(120_000, 119_500, 119_500)).hasValue(119_500);
    }
}
