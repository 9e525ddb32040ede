package io.inferpulse.streams.request;

import io.inferpulse.streams.job.InputHealth;
import java.util.OptionalLong;

/**
 * When one task of a request stage may close windows on the wall clock: once it has heard nothing
 * for the grace period while its input is known to flow ({@link InputHealth}). A task that has heard
 * nothing since it started waits a whole window first: its input may simply not have reached it yet
 * (a first fetch, a first registry call that has not failed yet), and closing then would make the
 * records it is about to read late. A pool whose traffic stopped before a restart therefore
 * reports it one window late, not a grace period.
 */
final class WallClockClosing {
    private final InputHealth input;
    private final long graceMs;
    private final long windowMs;
    private final long startedMs;
    private long lastRecordMs;
    private boolean heard;

    WallClockClosing(InputHealth input, RequestStatsSettings settings, long nowMs) {
        this.input = input;
        this.graceMs = settings.grace().toMillis();
        this.windowMs = settings.window().toMillis();
        this.startedMs = nowMs;
        this.lastRecordMs = nowMs;
    }

    void heard(long nowMs) {
        lastRecordMs = nowMs;
        heard = true;
    }

    OptionalLong closableUpTo(long nowMs) {
        if (!heard && nowMs - startedMs < windowMs) {
            return OptionalLong.empty();
        }
        return input.closableUpTo(nowMs, lastRecordMs, graceMs);
    }
}
