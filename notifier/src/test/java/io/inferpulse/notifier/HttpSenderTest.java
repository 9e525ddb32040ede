package io.inferpulse.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class HttpSenderTest {
    private final HttpSender sender = new HttpSender(Duration.ofSeconds(1),
            Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void shouldReadRetryAfterAsSecondsOrHttpDate() {
        assertThat(sender.retryAfter("2")).contains(Duration.ofSeconds(2));
        assertThat(sender.retryAfter("Sun, 22 Nov 2026 10:00:30 GMT")).contains(Duration.ofSeconds(30));
        assertThat(sender.retryAfter("Sun, 22 Nov 2026 09:00:00 GMT")).as("a date in the past").contains(Duration.ZERO);
        assertThat(sender.retryAfter("soon")).isEmpty();
    }

    @Test
    void shouldKeepRetryBackoffWithinItsBounds() {
        RetrySettings retry = new RetrySettings(5, Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int attempt = 1; attempt < 10; attempt++) {
            long ceiling = Math.min(100L << (attempt - 1), 1000);
            assertThat(retry.backoff(attempt).toMillis()).isBetween(ceiling / 2, ceiling);
        }
    }
}
