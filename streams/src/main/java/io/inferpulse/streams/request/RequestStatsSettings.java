package io.inferpulse.streams.request;

import java.time.Duration;
import java.util.Objects;

/**
 * How request statistics are windowed.
 *
 * @param window length of the sliding window, the alert rules' range (PromQL {@code [5m]})
 * @param evaluationInterval the window is evaluated at every multiple of this since the epoch; also the
 *     width of the sub-buckets the window is merged from
 * @param grace how long after an evaluation instant, in event time, records for it are still accepted
 * @param stallTimeout how long a partition may be silent and still be taken for stalled (a broker
 *     outage, a partition moving to a new leader) rather than idle: its windows are not closed on the
 *     wall clock before; and when a stall ends (logs resume, the first of them older than the grace),
 *     its windows stay open this long for the logs it held up, which writers deliver in any order
 * @param errorWindow length of the tumbling windows error details are counted in
 * @param relativeAccuracy relative accuracy of the latency quantiles (DDSketch alpha)
 */
public record RequestStatsSettings(Duration window, Duration evaluationInterval, Duration grace, Duration stallTimeout,
                                   Duration errorWindow, double relativeAccuracy) {

    public RequestStatsSettings {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(evaluationInterval, "evaluationInterval");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(errorWindow, "errorWindow");
        if (evaluationInterval.toMillis() < 1) {
            throw new IllegalArgumentException("evaluationInterval must be at least 1 ms, was " + evaluationInterval);
        }
        if (window.toMillis() < 1 || window.toMillis() % evaluationInterval.toMillis() != 0) {
            throw new IllegalArgumentException("window (" + window + ") must be a positive multiple of evaluationInterval ("
                    + evaluationInterval + "): it is merged from whole sub-buckets");
        }
        // A record on time for its sub-bucket must also find its error window open; see RequestWindows.
        if (errorWindow.toMillis() < 1 || errorWindow.toMillis() % evaluationInterval.toMillis() != 0) {
            throw new IllegalArgumentException("errorWindow (" + errorWindow + ") must be a positive multiple of "
                    + "evaluationInterval (" + evaluationInterval + ")");
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        if (stallTimeout.isNegative()) {
            throw new IllegalArgumentException("stallTimeout must not be negative, was " + stallTimeout);
        }
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new IllegalArgumentException("relativeAccuracy must be between 0 and 1 exclusive, was " + relativeAccuracy);
        }
    }

    /** A 5 m window evaluated every 15 s with 5 s grace, a 30 s stall timeout, 1 m error windows, 1 % quantile accuracy. */
    public static RequestStatsSettings defaults() {
        return new RequestStatsSettings(Duration.ofMinutes(5), Duration.ofSeconds(15), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofMinutes(1), 0.01);
    }

    /**
     * How often an idle task checks the wall clock to close windows: every second, or every interval
     * when that is shorter, so that a window is out within a second of its grace.
     */
    Duration closeTick() {
        return evaluationInterval.compareTo(Duration.ofSeconds(1)) < 0 ? evaluationInterval : Duration.ofSeconds(1);
    }
}
