package io.inferpulse.streams.request;

import static io.inferpulse.runtime.config.ConfigParsers.DURATION;
import static io.inferpulse.runtime.config.ConfigParsers.POSITIVE_DURATION;

import io.inferpulse.runtime.config.ConfigException;
import io.inferpulse.runtime.config.ConfigParameter;
import io.inferpulse.runtime.config.ConfigParser;
import io.inferpulse.runtime.config.Configuration;
import java.time.Duration;
import java.util.List;
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

    public static final ConfigParameter<Duration> WINDOW = ConfigParameter.of("requests.window", POSITIVE_DURATION,
            "5m", "Length of the sliding window of request statistics, the alert rules' range: the streams job and the alerts"
                    + " job must use the same");
    public static final ConfigParameter<Duration> EVALUATION_INTERVAL = ConfigParameter.of("requests.evaluation.interval",
            POSITIVE_DURATION, "15s", "Request statistics are evaluated at every multiple of this; divides the window");
    public static final ConfigParameter<Duration> GRACE = ConfigParameter.of("requests.grace", DURATION, "5s",
            "Access logs are accepted this long after their window's end; later ones go to the dead-letter topic");
    public static final ConfigParameter<Duration> STALL_TIMEOUT = ConfigParameter.of("requests.stall-timeout",
            DURATION, "30s", "A partition silent for less than this may be stalled (broker outage, leader change): its"
                    + " windows do not close on the wall clock before, and stay open this long once its logs resume");
    public static final ConfigParameter<Duration> ERROR_WINDOW = ConfigParameter.of("errors.window", POSITIVE_DURATION, "1m",
            "Length of the tumbling windows error details are counted in; a multiple of requests.evaluation.interval");
    private static final ConfigParser<Double> FRACTION = text -> {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(value + " is not between 0 and 1 exclusive");
        }
        return value;
    };
    public static final ConfigParameter<Double> SKETCH_ACCURACY = ConfigParameter.of("requests.sketch.relative-accuracy",
            FRACTION, "0.01", "Relative accuracy of latency quantiles (DDSketch)");

    public static List<ConfigParameter<?>> parameters() {
        return List.of(WINDOW, EVALUATION_INTERVAL, GRACE, STALL_TIMEOUT, ERROR_WINDOW, SKETCH_ACCURACY);
    }

    /** The settings, or a {@link ConfigException} naming the keys that do not fit together. */
    public static RequestStatsSettings from(Configuration config) {
        try {
            return new RequestStatsSettings(config.get(WINDOW), config.get(EVALUATION_INTERVAL), config.get(GRACE),
                    config.get(STALL_TIMEOUT), config.get(ERROR_WINDOW), config.get(SKETCH_ACCURACY));
        } catch (IllegalArgumentException e) {
            // The record names its fields; say which keys set them.
            throw new ConfigException(String.join(", ", WINDOW.key(), EVALUATION_INTERVAL.key(), ERROR_WINDOW.key())
                    + " do not fit together: " + e.getMessage());
        }
    }

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
