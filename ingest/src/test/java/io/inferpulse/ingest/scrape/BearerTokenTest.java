package io.inferpulse.ingest.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file on a clock the test moves, so that "at most every few seconds" is checked exactly. */
class BearerTokenTest {
    private static final Duration RECHECK = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong();

    @Test
    void shouldKeepTheTokenItHasUntilTheRecheckPeriodHasPassed() throws Exception {
        // given a token read once
        Path file = Files.writeString(dir.resolve("token"), "first\n");
        BearerToken token = new BearerToken(file, RECHECK, now::get);
        assertThat(token.token()).hasValue("first");

        // when the file changes
        Files.writeString(file, "second\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));

        // then the old token is used until the period is over, and the new one after
        now.addAndGet(RECHECK.toNanos() - 1);
        assertThat(token.token()).hasValue("first");
        now.addAndGet(1);
        assertThat(token.token()).hasValue("second");
    }

    @Test
    void shouldReportNoTokenWhileTheFileIsMissingOrEmptyAndRecoverWhenItIsBack() throws Exception {
        // given a token file that does not exist yet
        Path file = dir.resolve("token");
        BearerToken token = new BearerToken(file, RECHECK, now::get);
        assertThat(token.token()).isEmpty();

        // when it appears empty, then with a token
        Files.writeString(file, " \n");
        now.addAndGet(RECHECK.toNanos());
        assertThat(token.token()).isEmpty();
        Files.writeString(file, "finally");
        now.addAndGet(RECHECK.toNanos());

        // then the token is used from the next check on
        assertThat(token.token()).hasValue("finally");
    }
}
