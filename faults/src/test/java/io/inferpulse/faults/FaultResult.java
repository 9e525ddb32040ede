package io.inferpulse.faults;

import java.time.Duration;
import java.util.Locale;

/**
 * What a scenario measured, printed as one line ({@code FAULT <scenario>: in=... out=... lost=... dup=...
 * recovery=...s ...}) to copy into docs/reliability.md.
 */
record FaultResult(String scenario, long in, long out, long lost, long duplicated, Duration recovery, String details) {

    String line() {
        return String.format(Locale.ROOT, "FAULT %s: in=%d out=%d lost=%d dup=%d recovery=%.1fs%s", scenario, in, out, lost,
                duplicated, recovery.toMillis() / 1000.0, details.isEmpty() ? "" : " " + details);
    }

    /** Prints the line on stdout (the failsafe report) and returns this result. */
    FaultResult print() {
        System.out.println(line());
        return this;
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }
}
