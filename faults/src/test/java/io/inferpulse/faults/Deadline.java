package io.inferpulse.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes: the scenarios wait on what they can observe, never on a fixed sleep. */
record Deadline(Instant until, Duration length) {

    static Deadline of(Duration length) {
        return new Deadline(Instant.now().plus(length), length);
    }

    /** Returns when the condition holds; fails naming it when the deadline passes first. */
    void until(String what, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(until)) {
                throw new AssertionError("Not within " + length + ": " + what);
            }
            ServiceProcess.pause();
        }
    }
}
