package io.inferpulse.devstack.prometheus;

import java.time.Duration;
import java.time.Instant;

/**
 * The scrapes Prometheus would have made: {@code count} instants {@code interval} apart from
 * {@code origin}. Scrape k is promtool's sample k, at test time k·interval, so the schedule's
 * interval is the test group's interval.
 */
public record ScrapeSchedule(Instant origin, Duration interval, int count) {

    public ScrapeSchedule {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("scrape interval must be positive, got " + interval);
        }
        if (count < 1) {
            throw new IllegalArgumentException("scrape count must be >= 1, got " + count);
        }
    }

    public Instant instant(int scrape) {
        return origin.plus(interval.multipliedBy(scrape));
    }

    /** The first scrape at or after {@code at}, or {@code count} if none is. */
    int firstAtOrAfter(Instant at) {
        if (!at.isAfter(origin)) {
            return 0;
        }
        long nanos = Duration.between(origin, at).toNanos();
        long step = interval.toNanos();
        long scrape = (nanos + step - 1) / step;
        return (int) Math.min(scrape, count);
    }

    /**
     * Values sampled at each scrape, where {@code exposed}, written with runs of equal values
     * folded and a staleness marker where an exposed series disappears, as Prometheus records a
     * target that stops exposing it.
     */
    static SeriesValues encode(double[] samples, boolean[] exposed) {
        SeriesValues values = SeriesValues.empty();
        boolean wasExposed = false;
        int i = 0;
        while (i < samples.length) {
            if (!exposed[i]) {
                values = wasExposed ? values.stale() : values.missing(1);
                wasExposed = false;
                i++;
                continue;
            }
            int run = i;
            while (run < samples.length && exposed[run] && Double.compare(samples[run], samples[i]) == 0) {
                run++;
            }
            values = values.repeat(samples[i], run - i);
            wasExposed = true;
            i = run;
        }
        return values;
    }
}
