package io.inferpulse.streams.job;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.inferpulse.schemas.registry.SchemaRegistryException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class ThreadFailuresTest {
    private final SteppedClock clock = new SteppedClock();
    private final List<Duration> pauses = new ArrayList<>();
    private final ThreadFailures failures = new ThreadFailures("pool-stats", clock, pauses::add);

    private static final class SteppedClock extends Clock {
        private Instant now = Instant.parse("2026-12-07T20:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void shouldStopTheJobOnTheThirdFailureWithinTheWindowAndSayWhy() {
        assertThat(failures.handle(new StreamsException("boom 1"))).isEqualTo(REPLACE_THREAD);
        assertThat(failures.handle(new StreamsException("boom 2"))).isEqualTo(REPLACE_THREAD);
        assertThat(failures.stoppedBecause()).isEmpty();
        assertThat(failures.handle(new StreamsException("boom 3", new IllegalStateException("no pool")))).isEqualTo(SHUTDOWN_CLIENT);

        assertThat(failures.stoppedBecause()).hasValueSatisfying(why ->
                assertThat(why).contains("failed 3 times within 10 min").contains("boom 3").contains("no pool"));
        assertThat(pauses).isEmpty();
    }

    @Test
    void shouldForgetFailuresOlderThanTheWindow() {
        failures.handle(new StreamsException("boom 1"));
        failures.handle(new StreamsException("boom 2"));
        clock.advance(ThreadFailures.WINDOW.plusSeconds(1));

        assertThat(failures.handle(new StreamsException("boom 3"))).isEqualTo(REPLACE_THREAD);
        assertThat(failures.stoppedBecause()).isEmpty();
    }

    @Test
    void shouldReplaceAThreadThatStoppedOnARegistryOutageAfterAGrowingPauseWithoutCountingIt() {
        StreamsException outage = new StreamsException("Deserialization exception handler is set to fail",
                new SchemaRegistryException("Could not reach the schema registry", null));

        for (int i = 0; i < 2 * ThreadFailures.MAX_FAILURES; i++) {
            assertThat(failures.handle(outage)).isEqualTo(REPLACE_THREAD);
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(failures.stoppedBecause()).isEmpty();
        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30));
    }
}
