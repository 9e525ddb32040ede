package io.inferpulse.devstack.prometheus;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code values} of a promtool input series: one sample per test interval, starting at time 0,
 * written in promtool's notation. {@code a+bxn} expands to the n+1 values a, a+b, ..., a+n·b (and
 * {@code a-bxn} counts down); {@code _} is a missing sample; {@code stale} is a staleness marker,
 * which ends the series as a target that stopped exposing it would.
 *
 * <pre>{@code SeriesValues.of(0, 10).expanding(20, 10, 28).missing(3).stale()}</pre>
 * is {@code "0 10 20+10x28 _ _ _ stale"}: 0, 10, 20, ..., 300, three missing samples, stale.
 */
public record SeriesValues(List<String> tokens) {

    public SeriesValues {
        tokens = List.copyOf(tokens);
    }

    public static SeriesValues empty() {
        return new SeriesValues(List.of());
    }

    /** Explicit samples, one per interval. */
    public static SeriesValues of(double... values) {
        return empty().then(values);
    }

    public SeriesValues then(double... values) {
        List<String> next = new ArrayList<>(tokens);
        for (double value : values) {
            next.add(number(value));
        }
        return new SeriesValues(next);
    }

    /** {@code times + 1} samples: start, start+step, ..., start+times·step. */
    public SeriesValues expanding(double start, double step, int times) {
        if (times < 0) {
            throw new IllegalArgumentException("expanding series: times must be >= 0, got " + times);
        }
        String sign = step < 0 ? "-" : "+";
        return append(number(start) + sign + number(Math.abs(step)) + "x" + times);
    }

    /** {@code count} samples of the same value. */
    public SeriesValues repeat(double value, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("repeated value: count must be >= 1, got " + count);
        }
        return count == 1 ? then(value) : append(number(value) + "x" + (count - 1));
    }

    /** {@code count} intervals without a sample. */
    public SeriesValues missing(int count) {
        List<String> next = new ArrayList<>(tokens);
        for (int i = 0; i < count; i++) {
            next.add("_");
        }
        return new SeriesValues(next);
    }

    public SeriesValues stale() {
        return append("stale");
    }

    /** The notation promtool reads. */
    public String text() {
        return String.join(" ", tokens);
    }

    private SeriesValues append(String token) {
        List<String> next = new ArrayList<>(tokens);
        next.add(token);
        return new SeriesValues(next);
    }

    /** A number as Go's ParseFloat reads it; integral values without a fraction keep series short. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
