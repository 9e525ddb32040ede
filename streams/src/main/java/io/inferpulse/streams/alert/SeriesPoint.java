package io.inferpulse.streams.alert;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One input series value on its way to, and in the store of, the rule group that reads it.
 *
 * @param labels the series' labels including {@code __name__}
 * @param timestampMs timestamp of the stats record it came from: the series is stale once this is
 *     older than the lookback delta
 */
record SeriesPoint(SortedMap<String, String> labels, double value, long timestampMs) {
    SeriesPoint {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    String metricName() {
        return labels.getOrDefault("__name__", "");
    }

    /** Identifies the series within its group's store: its labels, rendered the way Prometheus prints them. */
    String seriesId() {
        StringBuilder id = new StringBuilder(metricName()).append('{');
        labels.forEach((name, value) -> {
            if (!name.equals("__name__")) {
                id.append(name).append("=\"").append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append("\",");
            }
        });
        return id.append('}').toString();
    }
}
