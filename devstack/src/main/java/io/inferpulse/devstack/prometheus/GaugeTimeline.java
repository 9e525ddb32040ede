package io.inferpulse.devstack.prometheus;

import io.inferpulse.devstack.prometheus.RuleTestFile.InputSeries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A gauge as its exporter changed it over time, e.g. the EPP's
 * {@code inference_pool_average_queue_size{name="pool"}}: each change holds until the next; a
 * removal stops the exporter exposing the series. {@link #scrape} turns it into the series
 * Prometheus would have stored.
 */
public record GaugeTimeline(String name, Map<String, String> labels, List<Change> changes) {

    /** From {@code at}, the gauge is {@code value}, or is not exposed when {@code exposed} is false. */
    public record Change(Instant at, double value, boolean exposed) {
    }

    public GaugeTimeline {
        labels = Map.copyOf(labels);
        changes = changes.stream().sorted(Comparator.comparing(Change::at)).toList();
    }

    public static GaugeTimeline of(String name, Map<String, String> labels) {
        return new GaugeTimeline(name, labels, List.of());
    }

    public GaugeTimeline set(Instant at, double value) {
        return with(new Change(at, value, true));
    }

    public GaugeTimeline remove(Instant at) {
        return with(new Change(at, Double.NaN, false));
    }

    /** The value each scrape reads: the last change at or before it (stable for changes at the same instant). */
    public InputSeries scrape(ScrapeSchedule schedule) {
        double[] samples = new double[schedule.count()];
        boolean[] exposed = new boolean[schedule.count()];
        int next = 0;
        Change current = null;
        for (int k = 0; k < schedule.count(); k++) {
            Instant at = schedule.instant(k);
            while (next < changes.size() && !changes.get(next).at().isAfter(at)) {
                current = changes.get(next++);
            }
            exposed[k] = current != null && current.exposed();
            samples[k] = exposed[k] ? current.value() : 0;
        }
        return InputSeries.of(name, labels, ScrapeSchedule.encode(samples, exposed));
    }

    private GaugeTimeline with(Change change) {
        List<Change> next = new ArrayList<>(changes);
        next.add(change);
        return new GaugeTimeline(name, labels, next);
    }
}
